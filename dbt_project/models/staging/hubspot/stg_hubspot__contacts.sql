{#
    Contacts are people: only the link to their company is staged (no names, no emails).
#}

with

source as (
    select * from {{ source('raw_hubspot', 'contacts') }}
),

-- later versions merge into earlier ones property by property; latest updatedAt wins
merged_versions as (
    {{ hubspot_merged_versions('source', ['associatedcompanyid']) }}
),

decoded as (
    select
        record_id as contact_id,
        coalesce(
            {{ hubspot_prop('associatedcompanyid') }},
            {{ hubspot_first_company() }}
        ) as company_id,
        {{ hubspot_date('$.updatedAt') }} as updated_at,
        {{ hubspot_archived() }} as is_archived
    from merged_versions
),

final as (
    select
        contact_id,
        company_id,
        updated_at,
        is_archived
    from decoded
)

select * from final
