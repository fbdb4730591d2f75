{#
    One row per tier of each tiered Stripe price (MRR-2), from the latest version of the price
    that lists its tiers (Stripe includes `tiers` only when expanded; a price's tiers never
    change after it is created).
#}

with

source as (
    select * from {{ source('raw_stripe', 'prices') }}
    where {{ json_path_has_elements('record', '$.tiers[*]') }}
),

versions_ranked as (
    select
        record_id as price_id,
        lower({{ json_str('record', '$.currency') }}) as currency,
        {{ json_get('record', '$.tiers') }} as tiers,
        row_number() over (partition by record_id order by _record_version desc) as version_rank
    from source
),

tiers as (
    select
        price_id,
        currency,
        {{ json_array_elements('tiers') }} as tier
    from versions_ranked
    where version_rank = 1
),

final as (
    select
        price_id,
        {{ stripe_tier_columns('tier', 'currency') }}
    from tiers
)

select * from final
