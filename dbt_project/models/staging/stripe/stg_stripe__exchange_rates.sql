with

source as (
    select * from {{ source('raw_stripe', 'exchange_rates') }}
),

renamed as (
    select
        cast(date as date) as rate_date,
        lower(trim(currency)) as currency,
        cast(usd_per_unit as decimal(18, 10)) as usd_per_unit,
        _partition_date,
        _loaded_at,
        _source_file,
        _line_number
    from source
),

-- a rate published again in a later file replaces the earlier one
versions_ranked as (
    select
        *,
        row_number() over (
            partition by rate_date, currency
            order by _partition_date desc, _loaded_at desc, _source_file desc, _line_number desc
        ) as version_rank
    from renamed
),

final as (
    select
        rate_date,
        currency,
        usd_per_unit
    from versions_ranked
    where version_rank = 1
)

select * from final
