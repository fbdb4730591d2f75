with

source as (
    select * from {{ source('raw_stripe', 'coupons') }}
),

decoded as (
    select
        record_id as coupon_id,
        {{ json_str('record', '$.duration') }} as duration,
        cast({{ json_str('record', '$.duration_in_months') }} as integer) as duration_in_months,
        cast({{ json_str('record', '$.percent_off') }} as decimal(9, 4)) as percent_off,
        lower({{ json_str('record', '$.currency') }}) as currency,
        {{ stripe_amount(json_str('record', '$.amount_off'), json_str('record', '$.currency')) }}
            as amount_off,
        coalesce(cast({{ json_str('record', '$.deleted') }} as boolean), false) as is_deleted,
        _record_version
    from source
),

versions_ranked as (
    select
        *,
        row_number() over (
            partition by coupon_id
            order by is_deleted asc, _record_version desc
        ) as live_version_rank
    from decoded
),

-- a deleted coupon keeps applying to the discounts already made from it (Stripe semantics)
final as (
    select
        coupon_id,
        duration,
        duration_in_months,
        percent_off,
        currency,
        amount_off,
        is_deleted,
        _record_version
    from versions_ranked
    where live_version_rank = 1
)

select * from final
