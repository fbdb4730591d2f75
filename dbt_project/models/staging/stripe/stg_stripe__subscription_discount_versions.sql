{#
    One row per discount attached to a subscription version: the `discounts` array (expanded
    discount objects; a bare discount id cannot be valued and is kept with a null coupon) and
    the legacy single `discount`, decoded by the macro stripe_discounts_decoded.
#}

with

source as (
    select * from {{ source('raw_stripe', 'subscriptions') }}
),

array_discounts as (
    select
        record_id as subscription_id,
        _record_version,
        {{ json_array_elements(json_get('record', '$.discounts')) }} as discount
    from source
),

legacy_discounts as (
    select
        record_id as subscription_id,
        _record_version,
        {{ json_get('record', '$.discount') }} as discount
    from source
    where {{ json_kind('record', '$.discount') }} = 'OBJECT'
),

all_discounts as (
    select
        subscription_id,
        _record_version,
        discount,
        1 as discount_source_rank
    from array_discounts
    union all
    select
        subscription_id,
        _record_version,
        discount,
        2 as discount_source_rank
    from legacy_discounts
),

discounts_decoded as (
    {{ stripe_discounts_decoded('all_discounts', ['subscription_id', '_record_version']) }}
),

final as (
    select
        subscription_id || '@' || _record_version as subscription_version_id,
        subscription_id,
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
