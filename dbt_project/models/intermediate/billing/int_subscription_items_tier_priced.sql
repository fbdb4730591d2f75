{#
    One row per tiered item (`billing_scheme: tiered`) of each subscription version: its amount
    per billing period at the item's quantity (MRR-2). Tiers come from the price embedded in the
    item when the export expanded them, else from the price object (stg_stripe__price_tiers).
    A tier covers the quantities above the previous tier's `up_to` up to and including its own
    (`up_to` null = infinity).
    - volume: the one tier the quantity falls in: its unit amount x quantity + its flat amount;
    - graduated: every tier the quantity reaches: the units inside it x its unit amount + its
      flat amount, summed.
#}

with

items as (
    select * from {{ ref('stg_stripe__subscription_item_versions') }}
    where billing_scheme = 'tiered'
),

embedded_tiers as (
    select * from {{ ref('stg_stripe__subscription_item_tier_versions') }}
),

price_tiers as (
    select * from {{ ref('stg_stripe__price_tiers') }}
),

items_with_embedded_tiers as (
    select distinct
        subscription_version_id,
        subscription_item_id
    from embedded_tiers
),

tiers_resolved as (
    select
        items.subscription_version_id,
        items.subscription_item_id,
        items.tiers_mode,
        coalesce(items.quantity, 1) as quantity,
        embedded_tiers.up_to,
        embedded_tiers.tier_unit_amount,
        embedded_tiers.tier_flat_amount
    from items
    inner join embedded_tiers
        on
            items.subscription_version_id = embedded_tiers.subscription_version_id
            and items.subscription_item_id = embedded_tiers.subscription_item_id
    union all
    select
        items.subscription_version_id,
        items.subscription_item_id,
        items.tiers_mode,
        coalesce(items.quantity, 1) as quantity,
        price_tiers.up_to,
        price_tiers.tier_unit_amount,
        price_tiers.tier_flat_amount
    from items
    inner join price_tiers
        on items.price_id = price_tiers.price_id
    left join items_with_embedded_tiers
        on
            items.subscription_version_id = items_with_embedded_tiers.subscription_version_id
            and items.subscription_item_id = items_with_embedded_tiers.subscription_item_id
    where items_with_embedded_tiers.subscription_item_id is null
),

tiers_bounded as (
    select
        *,
        coalesce(
            lag(up_to) over (
                partition by subscription_version_id, subscription_item_id
                order by up_to asc nulls last
            ),
            0
        ) as up_from
    from tiers_resolved
),

tiers_charged as (
    select
        *,
        case
            when quantity <= up_from then 0
            when tiers_mode = 'volume' and quantity <= coalesce(up_to, quantity)
                then tier_unit_amount * quantity + tier_flat_amount
            when tiers_mode = 'graduated'
                then (least(quantity, coalesce(up_to, quantity)) - up_from) * tier_unit_amount + tier_flat_amount
            else 0
        end as tier_amount
    from tiers_bounded
),

final as (
    select
        subscription_version_id,
        subscription_item_id,
        cast(sum(tier_amount) as decimal(24, 6)) as tiered_amount
    from tiers_charged
    group by subscription_version_id, subscription_item_id
)

select * from final
