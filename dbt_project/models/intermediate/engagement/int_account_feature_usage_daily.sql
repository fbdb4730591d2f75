{#
    One row per account per feature per day with qualifying events using it (ENG-2 feature
    adoption). The feature is the event's `properties.feature`, else the event name.
    Incremental by day like int_user_activity_daily.
#}

{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        **day_incremental_config('usage_date'),
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
        feature_name,
        event_date as usage_date,
        count(*) as feature_events,
        count(distinct user_id) as feature_users,
        {{ batch_at() }} as _batch_at
    from events
    group by account_id, feature_name, event_date
)

select * from final
