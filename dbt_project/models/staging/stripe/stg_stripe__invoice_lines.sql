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

decoded as (
    select
        invoice_id,
        {{ json_str('line', '$.id') }} as invoice_line_id,
        lower({{ json_str('line', '$.currency') }}) as currency,
        {{ json_str('line', '$.amount') }} as amount_minor,
        cast({{ json_str('line', '$.quantity') }} as bigint) as quantity,
        {{ stripe_ts('line', '$.period.start') }} as period_start_at,
        {{ stripe_ts('line', '$.period.end') }} as period_end_at,
        coalesce(
            cast({{ json_str('line', '$.parent.subscription_item_details.proration') }} as boolean),
            cast({{ json_str('line', '$.parent.invoice_item_details.proration') }} as boolean),
            cast({{ json_str('line', '$.proration') }} as boolean),
            false
        ) as is_proration,
        coalesce(
            {{ json_str('line', '$.parent.subscription_item_details.subscription') }},
            {{ json_str('line', '$.parent.invoice_item_details.subscription') }},
            {{ stripe_id('line', '$.subscription') }}
        ) as subscription_id,
        coalesce(
            {{ json_str('line', '$.parent.subscription_item_details.subscription_item') }},
            {{ stripe_id('line', '$.subscription_item') }}
        ) as subscription_item_id,
        coalesce(
            {{ json_str('line', '$.pricing.price_details.price') }},
            {{ json_str('line', '$.price.id') }}
        ) as price_id,
        coalesce(
            {{ json_str('line', '$.pricing.price_details.product') }},
            {{ stripe_id('line', '$.price.product') }}
        ) as product_id,
        coalesce({{ json_str('line', '$.parent.type') }}, {{ json_str('line', '$.type') }}) as line_type
    from lines
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
