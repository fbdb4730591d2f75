{#
    Survey responses (NPS, CSAT, CES). The score is `hs_value` (text); free-text answers
    (`hs_content`) are not staged: they may hold personal data.
#}

with

source as (
    select * from {{ source('raw_hubspot', 'feedback_submissions') }}
),

-- later versions merge into earlier ones property by property; latest updatedAt wins
merged_versions as (
    {{ hubspot_merged_versions('source', [
        'hs_survey_type',
        'hs_value',
        'hs_submission_timestamp',
        'hs_contact_id',
        'hs_response_group',
    ]) }}
),

decoded as (
    select
        record_id as submission_id,
        upper({{ hubspot_prop('hs_survey_type') }}) as survey_type,
        try_cast({{ hubspot_prop('hs_value') }} as double) as score_value,
        coalesce(
            {{ hubspot_date_prop('hs_submission_timestamp') }},
            {{ hubspot_date('$.createdAt') }}
        ) as submitted_at,
        {{ hubspot_prop('hs_contact_id') }} as contact_id,
        {{ hubspot_first_company() }} as associated_company_id,
        {{ hubspot_prop('hs_response_group') }} as response_group,
        {{ hubspot_date('$.updatedAt') }} as updated_at,
        {{ hubspot_archived() }} as is_archived
    from merged_versions
),

final as (
    select
        submission_id,
        survey_type,
        -- an integer score; a fractional or non-numeric value is kept as null
        case
            when score_value = floor(score_value) then cast(score_value as integer)
        end as score,
        submitted_at,
        contact_id,
        associated_company_id,
        response_group,
        updated_at,
        is_archived
    from decoded
)

select * from final
