{#
    One row per discount a Stripe customer has carried (MRR-2 customer-level discounts), with
    its coupon resolved and the time it applies: from its `start` (a discount first exported
    later still applies from its start; without `start`, from the first version carrying it)
    until the earliest of its `end`, the end of a `repeating` coupon's months, and the first
    later customer version that no longer carries it (removed). Customer versions observed
    after `as_of` are ignored.
#}

with

versions as (
    select * from {{ ref('stg_stripe__customer_versions') }}
    where observed_at < cast({{ add_days(as_of_date(), 1) }} as timestamp)
),

discounts as (
    select * from {{ ref('stg_stripe__customer_discount_versions') }}
),

coupons as (
    select * from {{ ref('stg_stripe__coupons') }}
),

versions_with_next as (
    select
        *,
        lead(observed_at) over (
            partition by customer_id
            order by _record_version
        ) as next_observed_at
    from versions
),

sightings as (
    select
        discounts.*,
        coalesce(discounts.discount_id, discounts.coupon_id) as discount_key,
        versions_with_next.observed_at,
        versions_with_next.next_observed_at
    from discounts
    inner join versions_with_next
        on discounts.customer_version_id = versions_with_next.customer_version_id
),

-- the latest version carrying the discount has its final terms; the next version removed it
sightings_ranked as (
    select
        *,
        min(observed_at) over (partition by customer_id, discount_key) as first_seen_at,
        row_number() over (
            partition by customer_id, discount_key
            order by _record_version desc
        ) as sighting_rank
    from sightings
),

latest_sightings as (
    select * from sightings_ranked
    where sighting_rank = 1 and discount_key is not null
),

discounts_resolved as (
    select
        latest_sightings.customer_id,
        {{ discount_coupon_columns('latest_sightings', 'coupons') }},
        latest_sightings.first_seen_at,
        latest_sightings.next_observed_at as removed_at
    from latest_sightings
    left join coupons
        on latest_sightings.coupon_id = coupons.coupon_id
),

discounts_with_start as (
    select
        *,
        coalesce(discount_start_at, first_seen_at) as applies_from
    from discounts_resolved
),

final as (
    select
        customer_id,
        discount_id,
        coupon_id,
        coupon_duration,
        coupon_duration_in_months,
        coupon_percent_off,
        coupon_amount_off,
        coupon_currency,
        applies_from,
        least({{ discount_end('applies_from') }}, removed_at) as applies_to,
        coalesce(coupon_duration in ('forever', 'repeating'), false) as is_recurring
    from discounts_with_start
)

select * from final
