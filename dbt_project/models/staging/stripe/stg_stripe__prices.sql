with

source as (
    select * from {{ source('raw_stripe', 'prices') }}
),

decoded as (
    select
        record_id as price_id,
        {{ stripe_id('record', '$.product') }} as product_id,
        lower({{ json_str('record', '$.currency') }}) as currency,
        {{ stripe_amount(
            "coalesce(" ~ json_str('record', '$.unit_amount_decimal') ~ ", "
            ~ json_str('record', '$.unit_amount') ~ ")",
            json_str('record', '$.currency')
        ) }} as unit_amount,
        {{ json_str('record', '$.type') }} as price_type,
        {{ json_str('record', '$.billing_scheme') }} as billing_scheme,
        {{ json_str('record', '$.tiers_mode') }} as tiers_mode,
        {{ json_str('record', '$.recurring.interval') }} as recurring_interval,
        cast({{ json_str('record', '$.recurring.interval_count') }} as integer) as recurring_interval_count,
        {{ json_str('record', '$.recurring.usage_type') }} as recurring_usage_type,
        cast({{ json_str('record', '$.active') }} as boolean) as is_active,
        {{ stripe_ts('record', '$.created') }} as created_at,
        coalesce(cast({{ json_str('record', '$.deleted') }} as boolean), false) as is_deleted,
        _record_version
    from source
),

versions_ranked as (
    select
        *,
        row_number() over (partition by price_id order by _record_version desc) as version_rank
    from decoded
),

final as (
    select
        price_id,
        product_id,
        currency,
        unit_amount,
        price_type,
        billing_scheme,
        tiers_mode,
        recurring_interval,
        recurring_interval_count,
        recurring_usage_type,
        is_active,
        created_at,
        is_deleted,
        _record_version
    from versions_ranked
    where version_rank = 1
)

select * from final
