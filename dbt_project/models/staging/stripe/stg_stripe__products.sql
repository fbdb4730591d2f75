with

source as (
    select * from {{ source('raw_stripe', 'products') }}
),

decoded as (
    select
        record_id as product_id,
        {{ json_str('record', '$.name') }} as product_name,
        cast({{ json_str('record', '$.active') }} as boolean) as is_active,
        lower({{ json_str('record', '$.unit_label') }}) as unit_label,
        {{ json_get('record', '$.metadata') }} as metadata,
        {{ stripe_ts('record', '$.created') }} as created_at,
        coalesce(cast({{ json_str('record', '$.deleted') }} as boolean), false) as is_deleted,
        _record_version
    from source
),

versions_ranked as (
    select
        *,
        row_number() over (partition by product_id order by _record_version desc) as version_rank,
        row_number() over (
            partition by product_id
            order by is_deleted asc, _record_version desc
        ) as live_version_rank
    from decoded
),

latest_version as (
    select
        product_id,
        is_deleted,
        _record_version
    from versions_ranked
    where version_rank = 1
),

latest_live_version as (
    select
        product_id,
        product_name,
        is_active,
        unit_label,
        metadata,
        created_at
    from versions_ranked
    where live_version_rank = 1 and not is_deleted
),

final as (
    select
        latest_version.product_id,
        latest_live_version.product_name,
        latest_live_version.is_active,
        latest_live_version.unit_label,
        latest_live_version.metadata,
        latest_live_version.created_at,
        latest_version.is_deleted,
        latest_version._record_version
    from latest_version
    left join latest_live_version
        on latest_version.product_id = latest_live_version.product_id
)

select * from final
