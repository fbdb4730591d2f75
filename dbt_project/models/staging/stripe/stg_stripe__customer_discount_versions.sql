{#
    One row per discount attached to a Stripe customer version (MRR-2 customer-level
    discounts): the `discounts` list (bare ids or expanded objects) and the single `discount`
    object, decoded by the macro stripe_discounts_decoded.
#}

with

source as (
    select * from {{ source('raw_stripe', 'customers') }}
),

array_discounts as (
    select
        record_id as customer_id,
        _record_version,
        {{ json_array_elements(json_get('record', '$.discounts')) }} as discount
    from source
    where {{ json_kind('record', '$.discounts') }} = 'ARRAY'
),

single_discounts as (
    select
        record_id as customer_id,
        _record_version,
        {{ json_get('record', '$.discount') }} as discount
    from source
    where {{ json_kind('record', '$.discount') }} = 'OBJECT'
),

all_discounts as (
    select
        customer_id,
        _record_version,
        discount,
        1 as discount_source_rank
    from array_discounts
    union all
    select
        customer_id,
        _record_version,
        discount,
        2 as discount_source_rank
    from single_discounts
),

discounts_decoded as (
    {{ stripe_discounts_decoded('all_discounts', ['customer_id', '_record_version']) }}
),

final as (
    select
        customer_id || '@' || _record_version as customer_version_id,
        customer_id,
        _record_version,
        discount_id,
        coupon_id,
        coupon_duration,
        coupon_duration_in_months,
        coupon_percent_off,
        coupon_currency,
        coupon_amount_off,
        discount_start_at,
        discount_end_at
    from discounts_decoded
)

select * from final
