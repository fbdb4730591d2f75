with

source as (
    select * from {{ source('raw_hubspot', 'tickets') }}
),

decoded as (
    select
        record_id as ticket_id,
        {{ hubspot_first_company() }} as company_id,
        {{ hubspot_prop('hs_pipeline') }} as pipeline_id,
        {{ hubspot_prop('hs_pipeline_stage') }} as stage_id,
        lower({{ hubspot_prop('hs_ticket_priority') }}) as priority,
        coalesce({{ hubspot_date_prop('createdate') }}, {{ hubspot_date('$.createdAt') }}) as created_at,
        {{ hubspot_date_prop('closed_date') }} as closed_at,
        {{ hubspot_date('$.updatedAt') }} as updated_at,
        {{ hubspot_archived() }} as is_archived,
        _record_version
    from source
),

versions_ranked as (
    select
        *,
        row_number() over (
            partition by ticket_id
            order by updated_at desc nulls last, _record_version desc
        ) as version_rank
    from decoded
),

final as (
    select
        ticket_id,
        company_id,
        pipeline_id,
        stage_id,
        priority,
        created_at,
        closed_at,
        updated_at,
        is_archived
    from versions_ranked
    where version_rank = 1
)

select * from final
