{#
    Every loaded version of every subscription (no dedupe: MRR history is rebuilt from the
    versions). Both API shapes: before 2025-03-31 `current_period_*` sit on the subscription,
    after it on each item (here: the earliest start / latest end over the items).
#}

with

source as (
    select * from {{ source('raw_stripe', 'subscriptions') }}
),

fields as (
    {{ json_text_fields('source', 'record', {
        'customer': '$.customer',
        'customer_object_id': '$.customer.id',
        'status': '$.status',
        'currency': '$.currency',
        'created': '$.created',
        'start_date': '$.start_date',
        'billing_cycle_anchor': '$.billing_cycle_anchor',
        'trial_start': '$.trial_start',
        'trial_end': '$.trial_end',
        'cancel_at': '$.cancel_at',
        'cancel_at_period_end': '$.cancel_at_period_end',
        'canceled_at': '$.canceled_at',
        'ended_at': '$.ended_at',
        'cancellation_reason': '$.cancellation_details.reason',
        'cancellation_feedback': '$.cancellation_details.feedback',
        'collection_method': '$.collection_method',
        'current_period_start': '$.current_period_start',
        'current_period_end': '$.current_period_end',
    }) }}
),

decoded as (
    select
        record_id as subscription_id,
        _record_version,
        {{ stripe_id_text('customer', 'customer_object_id') }} as customer_id,
        status,
        lower(currency) as currency,
        {{ epoch_seconds_to_timestamp('created') }} as created_at,
        {{ epoch_seconds_to_timestamp('start_date') }} as started_at,
        {{ epoch_seconds_to_timestamp('billing_cycle_anchor') }} as billing_cycle_anchor_at,
        {{ epoch_seconds_to_timestamp('trial_start') }} as trial_start_at,
        {{ epoch_seconds_to_timestamp('trial_end') }} as trial_end_at,
        {{ epoch_seconds_to_timestamp('cancel_at') }} as cancel_at,
        coalesce(cast(cancel_at_period_end as boolean), false) as is_cancel_at_period_end,
        {{ epoch_seconds_to_timestamp('canceled_at') }} as canceled_at,
        {{ epoch_seconds_to_timestamp('ended_at') }} as ended_at,
        cancellation_reason,
        cancellation_feedback,
        collection_method,
        {{ epoch_seconds_to_timestamp('current_period_start') }} as legacy_current_period_start_at,
        {{ epoch_seconds_to_timestamp('current_period_end') }} as legacy_current_period_end_at,
        _event_id,
        _event_type,
        -- when this version was observed: the event's time, else the extraction day
        coalesce(
            {{ epoch_seconds_to_timestamp('_event_created') }},
            cast(_partition_date as timestamp)
        ) as observed_at,
        _partition_date,
        _loaded_at,
        record
    from fields
),

item_periods as (
    select
        subscription_id,
        _record_version,
        min({{ stripe_ts('item', '$.current_period_start') }}) as items_period_start_at,
        max({{ stripe_ts('item', '$.current_period_end') }}) as items_period_end_at
    from (
        select
            subscription_id,
            _record_version,
            {{ json_array_elements(json_get('record', '$.items.data')) }} as item
        from decoded
    ) as items
    group by subscription_id, _record_version
),

final as (
    select
        decoded.subscription_id || '@' || decoded._record_version as subscription_version_id,
        decoded.subscription_id,
        decoded._record_version,
        decoded.customer_id,
        decoded.status,
        decoded.currency,
        decoded.created_at,
        decoded.started_at,
        decoded.billing_cycle_anchor_at,
        decoded.trial_start_at,
        decoded.trial_end_at,
        decoded.cancel_at,
        decoded.is_cancel_at_period_end,
        decoded.canceled_at,
        decoded.ended_at,
        decoded.cancellation_reason,
        decoded.cancellation_feedback,
        decoded.collection_method,
        coalesce(decoded.legacy_current_period_start_at, item_periods.items_period_start_at)
            as current_period_start_at,
        coalesce(decoded.legacy_current_period_end_at, item_periods.items_period_end_at)
            as current_period_end_at,
        decoded.observed_at,
        decoded._event_id,
        decoded._event_type,
        decoded._partition_date,
        decoded._loaded_at
    from decoded
    left join item_periods
        on
            decoded.subscription_id = item_periods.subscription_id
            and decoded._record_version = item_periods._record_version
)

select * from final
