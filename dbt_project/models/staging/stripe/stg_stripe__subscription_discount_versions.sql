{#
    One row per discount attached to a subscription version: the `discounts` array (expanded
    discount objects; a bare discount id cannot be valued and is kept with a null coupon) and
    the legacy single `discount`, listed by the macro stripe_listed_discounts and decoded by
    stripe_discounts_decoded.
#}

with

source as (
    select * from {{ source('raw_stripe', 'subscriptions') }}
),

listed_discounts as (
    {{ stripe_listed_discounts('source', 'subscription_id') }}
),

discounts_decoded as (
    {{ stripe_discounts_decoded('listed_discounts', ['subscription_id', '_record_version']) }}
),

final as (
    select
        subscription_id || '@' || _record_version as subscription_version_id,
        subscription_id,
        _record_version,
        {{ stripe_discount_columns() }}
    from discounts_decoded
)

select * from final
