with

source as (
    select * from {{ source('raw_hubspot', 'companies') }}
),

-- later versions merge into earlier ones property by property; latest updatedAt wins
merged_versions as (
    {{ hubspot_merged_versions('source', [
        'name',
        'domain',
        'industry',
        'numberofemployees',
        'lifecyclestage',
        'hubspot_owner_id',
        'segment',
    ]) }}
),

decoded as (
    select
        record_id as company_id,
        {{ hubspot_prop('name') }} as company_name,
        lower({{ hubspot_prop('domain') }}) as domain,
        {{ hubspot_prop('industry') }} as industry,
        try_cast({{ hubspot_prop('numberofemployees') }} as bigint) as employee_count,
        {{ hubspot_prop('lifecyclestage') }} as lifecycle_stage,
        {{ hubspot_prop('hubspot_owner_id') }} as owner_id,
        {{ hubspot_prop('segment') }} as segment,
        {{ hubspot_date('$.createdAt') }} as created_at,
        {{ hubspot_date('$.updatedAt') }} as updated_at,
        {{ hubspot_archived() }} as is_archived
    from merged_versions
),

final as (
    select
        company_id,
        company_name,
        domain,
        industry,
        employee_count,
        lifecycle_stage,
        owner_id,
        segment,
        created_at,
        updated_at,
        is_archived
    from decoded
)

select * from final
