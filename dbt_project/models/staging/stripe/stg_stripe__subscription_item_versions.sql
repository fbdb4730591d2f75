{#
    One row per item of every loaded subscription version. The price comes embedded in the
    item (`price`, or `plan` on very old exports). Amounts in decimal currency units; a tiered
    price has no unit_amount, its tiers are in stg_stripe__subscription_item_tier_versions or
    stg_stripe__price_tiers.
#}

with

source as (
    select * from {{ source('raw_stripe', 'subscriptions') }}
),

items as (
    select
        record_id as subscription_id,
        _record_version,
        {{ stripe_ts('record', '$.current_period_start') }} as legacy_current_period_start_at,
        {{ stripe_ts('record', '$.current_period_end') }} as legacy_current_period_end_at,
        {{ json_array_elements(json_get('record', '$.items.data')) }} as item
    from source
),

decoded as (
    select
        subscription_id,
        _record_version,
        {{ json_str('item', '$.id') }} as subscription_item_id,
        coalesce({{ json_str('item', '$.price.id') }}, {{ json_str('item', '$.plan.id') }})
            as price_id,
        coalesce({{ stripe_id('item', '$.price.product') }}, {{ stripe_id('item', '$.plan.product') }})
            as product_id,
        lower(coalesce({{ json_str('item', '$.price.currency') }}, {{ json_str('item', '$.plan.currency') }}))
            as currency,
        coalesce(
            {{ json_str('item', '$.price.unit_amount_decimal') }},
            {{ json_str('item', '$.price.unit_amount') }},
            {{ json_str('item', '$.plan.amount_decimal') }},
            {{ json_str('item', '$.plan.amount') }}
        ) as unit_amount_minor,
        coalesce({{ json_str('item', '$.price.type') }}, 'recurring') as price_type,
        coalesce({{ json_str('item', '$.price.billing_scheme') }}, {{ json_str('item', '$.plan.billing_scheme') }})
            as billing_scheme,
        coalesce({{ json_str('item', '$.price.tiers_mode') }}, {{ json_str('item', '$.plan.tiers_mode') }})
            as tiers_mode,
        coalesce({{ json_str('item', '$.price.recurring.interval') }}, {{ json_str('item', '$.plan.interval') }})
            as recurring_interval,
        cast(coalesce(
            {{ json_str('item', '$.price.recurring.interval_count') }},
            {{ json_str('item', '$.plan.interval_count') }}
        ) as integer) as recurring_interval_count,
        coalesce(
            {{ json_str('item', '$.price.recurring.usage_type') }},
            {{ json_str('item', '$.plan.usage_type') }},
            'licensed'
        ) as recurring_usage_type,
        cast({{ json_str('item', '$.quantity') }} as bigint) as quantity,
        {{ stripe_ts('item', '$.created') }} as item_created_at,
        coalesce({{ stripe_ts('item', '$.current_period_start') }}, legacy_current_period_start_at)
            as current_period_start_at,
        coalesce({{ stripe_ts('item', '$.current_period_end') }}, legacy_current_period_end_at)
            as current_period_end_at
    from items
),

final as (
    select
        subscription_id || '@' || _record_version as subscription_version_id,
        subscription_id,
        _record_version,
        subscription_item_id,
        price_id,
        product_id,
        currency,
        {{ stripe_amount('unit_amount_minor', 'currency') }} as unit_amount,
        price_type,
        billing_scheme,
        tiers_mode,
        recurring_interval,
        recurring_interval_count,
        recurring_usage_type,
        quantity,
        item_created_at,
        current_period_start_at,
        current_period_end_at
    from decoded
)

select * from final
