{#
    One row per account per active user per day: the user's qualifying events that day
    (ENG-1; only events with an account). Incremental by day: re-computes the days the
    upstream run re-computed.
#}

{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        **day_incremental_config('activity_date'),
    )
}}

with

events as (
    select * from {{ ref('int_segment_events_attributed') }}
    where is_qualifying and account_id is not null
        {% if is_incremental() %}
        and event_date >= {{ earliest_day_of_new_batch(ref('int_segment_events_attributed'), 'event_date') }}
        {% endif %}
),

final as (
    select
        account_id,
        user_id,
        event_date as activity_date,
        count(*) as qualifying_events,
        {{ batch_at() }} as _batch_at
    from events
    group by account_id, user_id, event_date
)

select * from final
