{#
    One row per discount attached to one item of a subscription version (`items.data[].discounts`:
    bare discount ids or expanded objects; MRR-2: it reduces that item only), decoded by the
    macro stripe_discounts_decoded. Versions whose items carry no discount are skipped before
    the items are unnested.
#}

with

source as (
    select * from {{ source('raw_stripe', 'subscriptions') }}
    where {{ json_path_has_elements('record', '$.items.data[*].discounts[*]') }}
),

items as (
    select
        record_id as subscription_id,
        _record_version,
        {{ json_array_elements(json_get('record', '$.items.data')) }} as item
    from source
),

item_discounts as (
    select
        subscription_id,
        _record_version,
        {{ json_str('item', '$.id') }} as subscription_item_id,
        {{ json_array_elements(json_get('item', '$.discounts')) }} as discount,
        1 as discount_source_rank
    from items
    where {{ json_kind('item', '$.discounts') }} = 'ARRAY'
),

discounts_decoded as (
    {{ stripe_discounts_decoded(
        'item_discounts', ['subscription_id', '_record_version', 'subscription_item_id']
    ) }}
),

final as (
    select
        subscription_id || '@' || _record_version as subscription_version_id,
        subscription_id,
        _record_version,
        subscription_item_id,
        {{ stripe_discount_columns() }}
    from discounts_decoded
)

select * from final
