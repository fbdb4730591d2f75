{#
    One row per discount per subscription window, wherever Stripe attaches it (MRR-2), with its
    coupon resolved (embedded in the discount, else from stg_stripe__coupons) and the time it
    applies:
    - `subscription`: on the subscription version, from its `start` (else the window's start)
      until its `end` (a `repeating` coupon without `end`: `duration_in_months` months);
    - `item`: on one item of the version (`subscription_item_id`), same timing, that item only;
    - `customer`: on the subscription's customer (int_customer_discounts_windowed), for every
      window its time overlaps; the valuation skips it while the subscription has a
      discount of its own (macro value_subscription_items).
    Only `forever` and `repeating` discounts reduce MRR (`is_recurring`); `once` discounts never do.
#}

with

windows as (
    select * from {{ ref('int_subscription_versions_windowed') }}
),

subscription_discounts as (
    select * from {{ ref('stg_stripe__subscription_discount_versions') }}
),

item_discounts as (
    select * from {{ ref('stg_stripe__subscription_item_discount_versions') }}
),

customer_discounts as (
    select * from {{ ref('int_customer_discounts_windowed') }}
),

coupons as (
    select * from {{ ref('stg_stripe__coupons') }}
),

own_discounts as (
    select
        subscription_version_id,
        'subscription' as discount_scope,
        cast(null as string) as subscription_item_id,
        discount_id,
        coupon_id,
        coupon_duration,
        coupon_duration_in_months,
        coupon_percent_off,
        coupon_amount_off,
        coupon_currency,
        discount_start_at,
        discount_end_at
    from subscription_discounts
    union all
    select
        subscription_version_id,
        'item' as discount_scope,
        subscription_item_id,
        discount_id,
        coupon_id,
        coupon_duration,
        coupon_duration_in_months,
        coupon_percent_off,
        coupon_amount_off,
        coupon_currency,
        discount_start_at,
        discount_end_at
    from item_discounts
),

own_discounts_resolved as (
    select
        own_discounts.subscription_version_id,
        own_discounts.discount_scope,
        own_discounts.subscription_item_id,
        {{ discount_coupon_columns('own_discounts', 'coupons') }}
    from own_discounts
    left join coupons
        on own_discounts.coupon_id = coupons.coupon_id
),

own_discounts_windowed as (
    select
        windows.subscription_window_id,
        windows.subscription_id,
        windows.currency as subscription_currency,
        own_discounts_resolved.*,
        coalesce(own_discounts_resolved.discount_start_at, windows.effective_from) as applies_from
    from own_discounts_resolved
    inner join windows
        on own_discounts_resolved.subscription_version_id = windows.subscription_version_id
),

-- a customer discount reaches every window of the customer's subscriptions it overlaps
customer_discounts_windowed as (
    select
        windows.subscription_window_id,
        windows.subscription_id,
        windows.currency as subscription_currency,
        'customer' as discount_scope,
        cast(null as string) as subscription_item_id,
        customer_discounts.discount_id,
        customer_discounts.coupon_id,
        customer_discounts.coupon_duration,
        customer_discounts.coupon_duration_in_months,
        customer_discounts.coupon_percent_off,
        customer_discounts.coupon_amount_off,
        customer_discounts.coupon_currency,
        customer_discounts.applies_from,
        customer_discounts.applies_to,
        customer_discounts.is_recurring
    from customer_discounts
    inner join windows
        on
            customer_discounts.customer_id = windows.customer_id
            and (windows.effective_to is null or customer_discounts.applies_from < windows.effective_to)
            and (customer_discounts.applies_to is null or customer_discounts.applies_to > windows.effective_from)
),

own_discounts_final as (
    select
        subscription_window_id,
        subscription_id,
        subscription_currency,
        discount_scope,
        subscription_item_id,
        discount_id,
        coupon_id,
        coupon_duration,
        coupon_duration_in_months,
        coupon_percent_off,
        coupon_amount_off,
        coupon_currency,
        applies_from,
        {{ discount_end('applies_from') }} as applies_to,
        coalesce(coupon_duration in ('forever', 'repeating'), false) as is_recurring
    from own_discounts_windowed
),

final as (
    select * from own_discounts_final
    union all
    select * from customer_discounts_windowed
)

select * from final
