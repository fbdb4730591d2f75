{#
    One row per tier of the price embedded in an item of a subscription version, when the
    export expanded it (`items.data[].price.tiers`, or the legacy `plan.tiers`) (MRR-2).
    Versions without embedded tiers are skipped before the items are unnested.
#}

with

source as (
    select * from {{ source('raw_stripe', 'subscriptions') }}
    where
        {{ json_path_has_elements('record', '$.items.data[*].price.tiers[*]') }}
        or {{ json_path_has_elements('record', '$.items.data[*].plan.tiers[*]') }}
),

items as (
    select
        record_id as subscription_id,
        _record_version,
        {{ json_array_elements(json_get('record', '$.items.data')) }} as item
    from source
),

item_tiers as (
    select
        subscription_id,
        _record_version,
        {{ json_str('item', '$.id') }} as subscription_item_id,
        lower(coalesce({{ json_str('item', '$.price.currency') }}, {{ json_str('item', '$.plan.currency') }}))
            as currency,
        {{ json_array_elements(
            "coalesce(" ~ json_get('item', '$.price.tiers') ~ ", " ~ json_get('item', '$.plan.tiers') ~ ")"
        ) }} as tier
    from items
),

final as (
    select
        subscription_id || '@' || _record_version as subscription_version_id,
        subscription_item_id,
        {{ stripe_tier_columns('tier', 'currency') }}
    from item_tiers
)

select * from final
