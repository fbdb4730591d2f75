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

decoded as (
    select
        record_id as charge_id,
        {{ stripe_id('record', '$.customer') }} as customer_id,
        {{ stripe_id('record', '$.invoice') }} as invoice_id,
        lower({{ json_str('record', '$.currency') }}) as currency,
        {{ json_str('record', '$.amount') }} as amount_minor,
        coalesce({{ json_str('record', '$.amount_refunded') }}, '0') as amount_refunded_minor,
        {{ json_str('record', '$.status') }} as status,
        {{ json_str('record', '$.failure_code') }} as failure_code,
        {{ stripe_ts('record', '$.created') }} as created_at,
        _record_version
    from versions_ranked
    where version_rank = 1
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
