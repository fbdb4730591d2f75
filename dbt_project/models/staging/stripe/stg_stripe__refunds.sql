with

source as (
    select * from {{ source('raw_stripe', 'refunds') }}
),

versions_ranked as (
    select
        *,
        row_number() over (partition by record_id order by _record_version desc) as version_rank
    from source
),

decoded as (
    select
        record_id as refund_id,
        {{ stripe_id('record', '$.charge') }} as charge_id,
        {{ stripe_id('record', '$.customer') }} as customer_id,
        lower({{ json_str('record', '$.currency') }}) as currency,
        {{ json_str('record', '$.amount') }} as amount_minor,
        {{ json_str('record', '$.status') }} as status,
        {{ json_str('record', '$.reason') }} as reason,
        {{ stripe_ts('record', '$.created') }} as created_at,
        _record_version
    from versions_ranked
    where version_rank = 1
),

final as (
    select
        refund_id,
        charge_id,
        customer_id,
        currency,
        {{ stripe_amount('amount_minor', 'currency') }} as amount,
        status,
        reason,
        created_at,
        _record_version
    from decoded
)

select * from final
