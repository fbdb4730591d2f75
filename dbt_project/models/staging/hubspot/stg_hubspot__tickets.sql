with

source as (
    select * from {{ source('raw_hubspot', 'tickets') }}
),

-- later versions merge into earlier ones property by property; latest updatedAt wins
merged_versions as (
    {{ hubspot_merged_versions('source', [
        'hs_pipeline',
        'hs_pipeline_stage',
        'hs_ticket_priority',
        'createdate',
        'closed_date',
    ]) }}
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
        {{ hubspot_archived() }} as is_archived
    from merged_versions
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
    from decoded
)

select * from final
