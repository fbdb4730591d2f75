{#
    One row per discount attached to a subscription version: the `discounts` array (expanded
    discount objects; a bare discount id cannot be valued and is kept with a null coupon) and
    the legacy single `discount`. The coupon is embedded (`coupon`, or `source.coupon` on
    newer API versions) or referenced by id; intermediate models fill it from stg_stripe__coupons.
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

decoded as (
    select
        subscription_id,
        _record_version,
        discount_source_rank,
        case
            when {{ json_kind('discount', '$') }} = 'OBJECT' then {{ json_str('discount', '$.id') }}
            else {{ json_str('discount', '$') }}
        end as discount_id,
        -- the coupon: legacy `coupon`, newer `source.coupon`; an object or an id
        case
            when {{ json_kind('discount', '$.coupon') }} = 'OBJECT' then {{ json_get('discount', '$.coupon') }}
            when {{ json_kind('discount', '$.source.coupon') }} = 'OBJECT'
                then {{ json_get('discount', '$.source.coupon') }}
        end as coupon,
        coalesce(
            {{ stripe_id('discount', '$.coupon') }},
            {{ stripe_id('discount', '$.source.coupon') }}
        ) as coupon_id,
        {{ stripe_ts('discount', '$.start') }} as discount_start_at,
        {{ stripe_ts('discount', '$.end') }} as discount_end_at
    from all_discounts
),

coupon_decoded as (
    select
        subscription_id,
        _record_version,
        discount_source_rank,
        discount_id,
        coupon_id,
        {{ json_str('coupon', '$.duration') }} as coupon_duration,
        cast({{ json_str('coupon', '$.duration_in_months') }} as integer) as coupon_duration_in_months,
        cast({{ json_str('coupon', '$.percent_off') }} as decimal(9, 4)) as coupon_percent_off,
        lower({{ json_str('coupon', '$.currency') }}) as coupon_currency,
        {{ stripe_amount(json_str('coupon', '$.amount_off'), json_str('coupon', '$.currency')) }}
            as coupon_amount_off,
        discount_start_at,
        discount_end_at
    from decoded
),

-- the legacy `discount` usually repeats an element of `discounts` (often a bare id there):
-- keep one copy, the most complete
deduplicated as (
    select
        *,
        row_number() over (
            partition by subscription_id, _record_version, coalesce(discount_id, coupon_id)
            order by
                (coupon_duration is not null) desc,
                (coupon_id is not null) desc,
                discount_source_rank asc
        ) as duplicate_rank
    from coupon_decoded
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
    from deduplicated
    where duplicate_rank = 1
)

select * from final
