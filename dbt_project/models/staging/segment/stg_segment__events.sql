{#
    One row per Segment call (messageId), deduplicated: the copy with the earliest receivedAt
    wins (ENG-3). Incremental: each run reads the raw rows loaded since the last run plus the
    last `event_lookback_days` received days, and re-ranks them together with the copies
    already kept, so a duplicate arriving later never replaces the original.
#}

{{
    config(
        materialized='incremental',
        unique_key='message_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

with

source as (
    select * from {{ source('raw_segment', 'events') }}
    {% if is_incremental() %}
    where
        _loaded_at > (select max(this_run._loaded_at) from {{ this }} as this_run)
        or _partition_date >= (
            select {{ add_days('max(this_run._partition_date)', '-' ~ var('event_lookback_days')) }}
            from {{ this }} as this_run
        )
    {% endif %}
),

decoded as (
    select
        record_id as message_id,
        {{ json_str('record', '$.type') }} as call_type,
        {{ json_str('record', '$.event') }} as event_name,
        nullif({{ json_str('record', '$.userId') }}, '') as user_id,
        nullif({{ json_str('record', '$.anonymousId') }}, '') as anonymous_id,
        nullif({{ json_str('record', '$.groupId') }}, '') as group_id,
        nullif({{ json_str('record', '$.context.groupId') }}, '') as context_group_id,
        {{ json_str('record', '$.properties.feature') }} as feature_name,
        {{ iso_to_timestamp(json_str('record', '$.timestamp')) }} as event_at,
        {{ iso_to_timestamp(json_str('record', '$.receivedAt')) }} as received_at,
        _partition_date,
        _record_version,
        _loaded_at
    from source
),

with_event_date as (
    select
        message_id,
        call_type,
        event_name,
        user_id,
        anonymous_id,
        group_id,
        context_group_id,
        feature_name,
        event_at,
        cast(event_at as date) as event_date,
        received_at,
        _partition_date,
        _record_version,
        _loaded_at
    from decoded
),

kept_copies as (
    {% if is_incremental() %}
    select
        kept.message_id,
        kept.call_type,
        kept.event_name,
        kept.user_id,
        kept.anonymous_id,
        kept.group_id,
        kept.context_group_id,
        kept.feature_name,
        kept.event_at,
        kept.event_date,
        kept.received_at,
        kept._partition_date,
        kept._record_version,
        kept._loaded_at
    from {{ this }} as kept
    where kept.message_id in (select with_event_date.message_id from with_event_date)
    {% else %}
    select * from with_event_date
    where false
    {% endif %}
),

candidates as (
    select * from with_event_date
    union all
    select * from kept_copies
),

copies_ranked as (
    select
        *,
        row_number() over (
            partition by message_id
            order by received_at asc, _record_version asc
        ) as copy_rank
    from candidates
),

final as (
    select
        message_id,
        call_type,
        event_name,
        user_id,
        anonymous_id,
        group_id,
        context_group_id,
        feature_name,
        event_at,
        event_date,
        received_at,
        _partition_date,
        _record_version,
        _loaded_at
    from copies_ranked
    where copy_rank = 1
)

select * from final
