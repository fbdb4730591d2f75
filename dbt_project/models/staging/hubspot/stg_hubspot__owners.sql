{#
    One row per current HubSpot owner (the CSM a company's hubspot_owner_id points to, ACC-1).
    Owners come from the v3 owners API: fields are top-level, there is no `properties` object
    to merge, so the latest version (updatedAt, then load order) is taken whole. archived is a
    deletion: an owner whose latest version is archived is dropped, and accounts that still
    point to it keep the id without a name.
#}

with

source as (
    select * from {{ source('raw_hubspot', 'owners') }}
),

decoded as (
    select
        record_id as owner_id,
        nullif(trim({{ json_str('record', '$.firstName') }}), '') as first_name,
        nullif(trim({{ json_str('record', '$.lastName') }}), '') as last_name,
        nullif(trim({{ json_str('record', '$.email') }}), '') as email,
        {{ hubspot_date('$.updatedAt') }} as updated_at,
        {{ hubspot_archived() }} as is_archived,
        _record_version
    from source
),

versions_ranked as (
    select
        *,
        {{ hubspot_latest_version_rank('owner_id') }} as version_rank
    from decoded
),

final as (
    select
        owner_id,
        coalesce(
            nullif(trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')), ''),
            email
        ) as owner_name,
        email,
        updated_at
    from versions_ranked
    where version_rank = 1 and not is_archived
)

select * from final
