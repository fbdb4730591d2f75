{#
    One row per line of each invoice's latest version (none for a deleted invoice). Both API shapes: since 2025-03-31
    `parent.subscription_item_details.{proration, subscription, subscription_item}` and
    `pricing.price_details.{price, product}`; before, `proration`, `subscription`,
    `subscription_item` and `price`. Amounts in decimal currency units.
#}

with

source as (
    select * from {{ source('raw_stripe', 'invoices') }}
),

versions_ranked as (
    select
        *,
        row_number() over (partition by record_id order by _record_version desc) as version_rank
    from source
),

lines as (
    select
        record_id as invoice_id,
        {{ json_array_elements(json_get('record', '$.lines.data')) }} as line
    from versions_ranked
    where
        version_rank = 1
        -- a deleted invoice (status `deleted`, from `invoice.deleted`) has no lines
        and coalesce({{ json_str('record', '$.status') }}, '') <> 'deleted'
),

-- the discounts applied to each line (Stripe: `discount_amounts[].amount`, minor units)
line_discounts as (
    select
        invoice_id,
        invoice_line_id,
        sum(cast({{ json_str('discount', '$.amount') }} as bigint)) as discount_minor
    from (
        select
            invoice_id,
            {{ json_str('line', '$.id') }} as invoice_line_id,
            {{ json_array_elements(json_get('line', '$.discount_amounts')) }} as discount
        from lines
    ) as discounts
    group by invoice_id, invoice_line_id
),

fields as (
    {{ json_text_fields('lines', 'line', {
        'line_id': '$.id',
        'currency': '$.currency',
        'amount': '$.amount',
        'quantity': '$.quantity',
        'period_start': '$.period.start',
        'period_end': '$.period.end',
        'subscription_item_proration': '$.parent.subscription_item_details.proration',
        'invoice_item_proration': '$.parent.invoice_item_details.proration',
        'legacy_proration': '$.proration',
        'subscription_item_subscription': '$.parent.subscription_item_details.subscription',
        'invoice_item_subscription': '$.parent.invoice_item_details.subscription',
        'legacy_subscription': '$.subscription',
        'legacy_subscription_object_id': '$.subscription.id',
        'subscription_item': '$.parent.subscription_item_details.subscription_item',
        'legacy_subscription_item': '$.subscription_item',
        'legacy_subscription_item_object_id': '$.subscription_item.id',
        'pricing_price': '$.pricing.price_details.price',
        'legacy_price_id': '$.price.id',
        'pricing_product': '$.pricing.price_details.product',
        'legacy_product': '$.price.product',
        'legacy_product_object_id': '$.price.product.id',
        'parent_type': '$.parent.type',
        'legacy_type': '$.type',
    }) }}
),

decoded as (
    select
        invoice_id,
        line_id as invoice_line_id,
        lower(currency) as currency,
        amount as amount_minor,
        cast(quantity as bigint) as quantity,
        {{ epoch_seconds_to_timestamp('period_start') }} as period_start_at,
        {{ epoch_seconds_to_timestamp('period_end') }} as period_end_at,
        coalesce(
            cast(subscription_item_proration as boolean),
            cast(invoice_item_proration as boolean),
            cast(legacy_proration as boolean),
            false
        ) as is_proration,
        coalesce(
            subscription_item_subscription,
            invoice_item_subscription,
            {{ stripe_id_text('legacy_subscription', 'legacy_subscription_object_id') }}
        ) as subscription_id,
        coalesce(
            subscription_item,
            {{ stripe_id_text('legacy_subscription_item', 'legacy_subscription_item_object_id') }}
        ) as subscription_item_id,
        coalesce(pricing_price, legacy_price_id) as price_id,
        coalesce(
            pricing_product,
            {{ stripe_id_text('legacy_product', 'legacy_product_object_id') }}
        ) as product_id,
        coalesce(parent_type, legacy_type) as line_type
    from fields
),

final as (
    select
        decoded.invoice_id,
        decoded.invoice_line_id,
        decoded.currency,
        {{ stripe_amount('decoded.amount_minor', 'decoded.currency') }} as amount,
        {{ stripe_amount('coalesce(line_discounts.discount_minor, 0)', 'decoded.currency') }}
            as discount_amount,
        decoded.quantity,
        decoded.period_start_at,
        decoded.period_end_at,
        decoded.is_proration,
        decoded.subscription_id,
        decoded.subscription_item_id,
        decoded.price_id,
        decoded.product_id,
        decoded.line_type
    from decoded
    left join line_discounts
        on
            decoded.invoice_id = line_discounts.invoice_id
            and decoded.invoice_line_id = line_discounts.invoice_line_id
)

select * from final
