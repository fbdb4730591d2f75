with

source as (
    select * from {{ source('raw_hubspot', 'meetings') }}
),

decoded as (
    select
        record_id as meeting_id,
        {{ hubspot_first_company() }} as company_id,
        coalesce({{ hubspot_date_prop('hs_timestamp') }}, {{ hubspot_date('$.createdAt') }}) as meeting_at,
        lower({{ hubspot_prop('hs_meeting_outcome') }}) as outcome,
        {{ hubspot_date('$.updatedAt') }} as updated_at,
        {{ hubspot_archived() }} as is_archived,
        _record_version
    from source
),

versions_ranked as (
    select
        *,
        row_number() over (
            partition by meeting_id
            order by updated_at desc nulls last, _record_version desc
        ) as version_rank
    from decoded
),

final as (
    select
        meeting_id,
        company_id,
        meeting_at,
        outcome,
        updated_at,
        is_archived
    from versions_ranked
    where version_rank = 1
)

select * from final
