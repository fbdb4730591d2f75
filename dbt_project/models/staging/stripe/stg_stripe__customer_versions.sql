{#
    One row per loaded version of each Stripe customer (no dedupe: customer-level discounts
    are history, MRR-2). observed_at = the Stripe event's `created`, else the extraction day.
#}

with

source as (
    select * from {{ source('raw_stripe', 'customers') }}
),

final as (
    select
        record_id || '@' || _record_version as customer_version_id,
        record_id as customer_id,
        _record_version,
        coalesce(
            {{ epoch_seconds_to_timestamp('_event_created') }},
            cast(_partition_date as timestamp)
        ) as observed_at,
        coalesce(cast({{ json_str('record', '$.deleted') }} as boolean), false) as is_deleted
    from source
)

select * from final
