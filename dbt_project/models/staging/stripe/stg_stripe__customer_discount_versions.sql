{#
    One row per discount attached to a Stripe customer version (MRR-2 customer-level
    discounts): the `discounts` list (bare ids or expanded objects) and the single `discount`
    object, listed by the macro stripe_listed_discounts and decoded by stripe_discounts_decoded.
#}

with

source as (
    select * from {{ source('raw_stripe', 'customers') }}
),

listed_discounts as (
    {{ stripe_listed_discounts('source', 'customer_id') }}
),

discounts_decoded as (
    {{ stripe_discounts_decoded('listed_discounts', ['customer_id', '_record_version']) }}
),

final as (
    select
        customer_id || '@' || _record_version as customer_version_id,
        customer_id,
        _record_version,
        {{ stripe_discount_columns() }}
    from discounts_decoded
)

select * from final
