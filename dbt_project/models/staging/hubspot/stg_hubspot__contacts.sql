{#
    Contacts are people: only the link to their company is staged (no names, no emails).
#}

with

source as (
    select * from {{ source('raw_hubspot', 'contacts') }}
),

decoded as (
    select
        record_id as contact_id,
        coalesce(
            {{ hubspot_prop('associatedcompanyid') }},
            {{ hubspot_first_company() }}
        ) as company_id,
        {{ hubspot_date('$.updatedAt') }} as updated_at,
        {{ hubspot_archived() }} as is_archived,
        _record_version
    from source
),

versions_ranked as (
    select
        *,
        row_number() over (
            partition by contact_id
            order by updated_at desc nulls last, _record_version desc
        ) as version_rank
    from decoded
),

final as (
    select
        contact_id,
        company_id,
        updated_at,
        is_archived
    from versions_ranked
    where version_rank = 1
)

select * from final
