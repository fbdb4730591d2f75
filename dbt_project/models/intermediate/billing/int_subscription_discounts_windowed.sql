{#
    One row per discount per subscription window, with its coupon resolved (embedded in the
    discount, else from stg_stripe__coupons) and the time it applies (MRR-2): from the
    discount's `start` (else the window's start) until its `end`; a `repeating` coupon without
    an `end` applies for `duration_in_months` months. Only `forever` and `repeating` discounts
    reduce MRR; `once` discounts never do.
#}

with

windows as (
    select * from {{ ref('int_subscription_versions_windowed') }}
),

discounts as (
    select * from {{ ref('stg_stripe__subscription_discount_versions') }}
),

coupons as (
    select * from {{ ref('stg_stripe__coupons') }}
),

discounts_resolved as (
    select
        discounts.subscription_version_id,
        discounts.discount_id,
        discounts.coupon_id,
        coalesce(discounts.coupon_duration, coupons.duration) as coupon_duration,
        coalesce(discounts.coupon_duration_in_months, coupons.duration_in_months)
            as coupon_duration_in_months,
        coalesce(discounts.coupon_percent_off, coupons.percent_off) as coupon_percent_off,
        coalesce(discounts.coupon_amount_off, coupons.amount_off) as coupon_amount_off,
        coalesce(discounts.coupon_currency, coupons.currency) as coupon_currency,
        discounts.discount_start_at,
        discounts.discount_end_at
    from discounts
    left join coupons
        on discounts.coupon_id = coupons.coupon_id
),

final as (
    select
        windows.subscription_window_id,
        windows.subscription_id,
        windows.currency as subscription_currency,
        discounts_resolved.discount_id,
        discounts_resolved.coupon_id,
        discounts_resolved.coupon_duration,
        discounts_resolved.coupon_duration_in_months,
        discounts_resolved.coupon_percent_off,
        discounts_resolved.coupon_amount_off,
        discounts_resolved.coupon_currency,
        coalesce(discounts_resolved.discount_start_at, windows.effective_from) as applies_from,
        coalesce(
            discounts_resolved.discount_end_at,
            case
                when discounts_resolved.coupon_duration = 'repeating'
                    then {{ dbt.dateadd(
                        'month',
                        'discounts_resolved.coupon_duration_in_months',
                        'coalesce(discounts_resolved.discount_start_at, windows.effective_from)'
                    ) }}
            end
        ) as applies_to,
        coalesce(discounts_resolved.coupon_duration in ('forever', 'repeating'), false)
            as is_recurring
    from discounts_resolved
    inner join windows
        on discounts_resolved.subscription_version_id = windows.subscription_version_id
)

select * from final
