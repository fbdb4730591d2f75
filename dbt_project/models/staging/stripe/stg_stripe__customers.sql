with

source as (
    select * from {{ source('raw_stripe', 'customers') }}
),

decoded as (
    select
        record_id as customer_id,
        nullif(trim({{ json_str('record', '$.metadata.hubspot_company_id') }}), '') as hubspot_company_id,
        lower({{ json_str('record', '$.currency') }}) as currency,
        cast({{ json_str('record', '$.delinquent') }} as boolean) as is_delinquent,
        {{ stripe_ts('record', '$.created') }} as created_at,
        coalesce(cast({{ json_str('record', '$.deleted') }} as boolean), false) as is_deleted,
        _record_version,
        _loaded_at
    from source
),

versions_ranked as (
    select
        *,
        row_number() over (
            partition by customer_id
            order by _record_version desc
        ) as version_rank,
        row_number() over (
            partition by customer_id
            order by is_deleted asc, _record_version desc
        ) as live_version_rank
    from decoded
),

latest_version as (
    select
        customer_id,
        is_deleted,
        _record_version,
        _loaded_at
    from versions_ranked
    where version_rank = 1
),

-- a deletion tombstone carries only the id: attributes come from the last live version
latest_live_version as (
    select
        customer_id,
        hubspot_company_id,
        currency,
        is_delinquent,
        created_at
    from versions_ranked
    where live_version_rank = 1 and not is_deleted
),

final as (
    select
        latest_version.customer_id,
        latest_live_version.hubspot_company_id,
        latest_live_version.currency,
        latest_live_version.is_delinquent,
        latest_live_version.created_at,
        latest_version.is_deleted,
        latest_version._record_version,
        latest_version._loaded_at
    from latest_version
    left join latest_live_version
        on latest_version.customer_id = latest_live_version.customer_id
)

select * from final
