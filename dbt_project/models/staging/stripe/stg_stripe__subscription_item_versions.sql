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

fields as (
    {{ json_text_fields('items', 'item', {
        'item_id': '$.id',
        'price_id': '$.price.id',
        'plan_id': '$.plan.id',
        'price_product': '$.price.product',
        'price_product_object_id': '$.price.product.id',
        'plan_product': '$.plan.product',
        'plan_product_object_id': '$.plan.product.id',
        'price_currency': '$.price.currency',
        'plan_currency': '$.plan.currency',
        'price_unit_amount_decimal': '$.price.unit_amount_decimal',
        'price_unit_amount': '$.price.unit_amount',
        'plan_amount_decimal': '$.plan.amount_decimal',
        'plan_amount': '$.plan.amount',
        'price_type': '$.price.type',
        'price_billing_scheme': '$.price.billing_scheme',
        'plan_billing_scheme': '$.plan.billing_scheme',
        'price_tiers_mode': '$.price.tiers_mode',
        'plan_tiers_mode': '$.plan.tiers_mode',
        'price_interval': '$.price.recurring.interval',
        'plan_interval': '$.plan.interval',
        'price_interval_count': '$.price.recurring.interval_count',
        'plan_interval_count': '$.plan.interval_count',
        'price_usage_type': '$.price.recurring.usage_type',
        'plan_usage_type': '$.plan.usage_type',
        'quantity': '$.quantity',
        'created': '$.created',
        'current_period_start': '$.current_period_start',
        'current_period_end': '$.current_period_end',
    }) }}
),

decoded as (
    select
        subscription_id,
        _record_version,
        item_id as subscription_item_id,
        coalesce(price_id, plan_id) as price_id,
        coalesce(
            {{ stripe_id_text('price_product', 'price_product_object_id') }},
            {{ stripe_id_text('plan_product', 'plan_product_object_id') }}
        ) as product_id,
        lower(coalesce(price_currency, plan_currency)) as currency,
        coalesce(price_unit_amount_decimal, price_unit_amount, plan_amount_decimal, plan_amount)
            as unit_amount_minor,
        coalesce(price_type, 'recurring') as price_type,
        coalesce(price_billing_scheme, plan_billing_scheme) as billing_scheme,
        coalesce(price_tiers_mode, plan_tiers_mode) as tiers_mode,
        coalesce(price_interval, plan_interval) as recurring_interval,
        cast(coalesce(price_interval_count, plan_interval_count) as integer) as recurring_interval_count,
        coalesce(price_usage_type, plan_usage_type, 'licensed') as recurring_usage_type,
        cast(quantity as bigint) as quantity,
        {{ epoch_seconds_to_timestamp('created') }} as item_created_at,
        coalesce({{ epoch_seconds_to_timestamp('current_period_start') }}, legacy_current_period_start_at)
            as current_period_start_at,
        coalesce({{ epoch_seconds_to_timestamp('current_period_end') }}, legacy_current_period_end_at)
            as current_period_end_at
    from fields
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
