with

source as (
    select * from {{ source('raw_stripe', 'charges') }}
),

versions_ranked as (
    select
        *,
        row_number() over (partition by record_id order by _record_version desc) as version_rank
    from source
),

-- Stripe never changes a charge's invoice, but versions in the API shape since 2025-03-31 omit
-- `invoice` (a refund re-exports the charge): the link is kept from any version naming it
invoice_links as (
    select
        record_id,
        max({{ stripe_id('record', '$.invoice') }}) as invoice_id
    from source
    group by record_id
),

decoded as (
    select
        versions_ranked.record_id as charge_id,
        {{ stripe_id('record', '$.customer') }} as customer_id,
        invoice_links.invoice_id,
        lower({{ json_str('record', '$.currency') }}) as currency,
        {{ json_str('record', '$.amount') }} as amount_minor,
        coalesce({{ json_str('record', '$.amount_refunded') }}, '0') as amount_refunded_minor,
        {{ json_str('record', '$.status') }} as status,
        {{ json_str('record', '$.failure_code') }} as failure_code,
        {{ stripe_ts('record', '$.created') }} as created_at,
        versions_ranked._record_version
    from versions_ranked
    left join invoice_links
        on versions_ranked.record_id = invoice_links.record_id
    where versions_ranked.version_rank = 1
),

final as (
    select
        charge_id,
        customer_id,
        invoice_id,
        currency,
        {{ stripe_amount('amount_minor', 'currency') }} as amount,
        {{ stripe_amount('amount_refunded_minor', 'currency') }} as amount_refunded,
        status,
        failure_code,
        created_at,
        _record_version
    from decoded
)

select * from final
