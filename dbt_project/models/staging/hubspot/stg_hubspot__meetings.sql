with

source as (
    select * from {{ source('raw_hubspot', 'meetings') }}
),

-- later versions merge into earlier ones property by property; latest updatedAt wins
merged_versions as (
    {{ hubspot_merged_versions('source', ['hs_timestamp', 'hs_meeting_outcome']) }}
),

decoded as (
    select
        record_id as meeting_id,
        {{ hubspot_first_company() }} as company_id,
        coalesce({{ hubspot_date_prop('hs_timestamp') }}, {{ hubspot_date('$.createdAt') }}) as meeting_at,
        lower({{ hubspot_prop('hs_meeting_outcome') }}) as outcome,
        {{ hubspot_date('$.updatedAt') }} as updated_at,
        {{ hubspot_archived() }} as is_archived
    from merged_versions
),

final as (
    select
        meeting_id,
        company_id,
        meeting_at,
        outcome,
        updated_at,
        is_archived
    from decoded
)

select * from final
