{#
    One row per NPS or CSAT survey response (latest version, not archived, submitted by
    `as_of`), attributed to the account of the contact who answered (the contact's company;
    else the company the submission is associated with). Scores outside the survey's scale
    (NPS 0-10, CSAT 1-5) are dropped (NPS-1, CSAT-1).
#}

with

submissions as (
    select * from {{ ref('stg_hubspot__feedback_submissions') }}
),

contacts as (
    select * from {{ ref('stg_hubspot__contacts') }}
),

final as (
    select
        submissions.submission_id as response_id,
        submissions.survey_type,
        coalesce(contacts.company_id, submissions.associated_company_id) as account_id,
        submissions.submitted_at,
        cast(submissions.submitted_at as date) as response_date,
        {{ month_start('submissions.submitted_at') }} as response_month,
        submissions.score,
        case
            when submissions.survey_type = 'NPS' and submissions.score >= 9 then 'promoter'
            when submissions.survey_type = 'NPS' and submissions.score >= 7 then 'passive'
            when submissions.survey_type = 'NPS' then 'detractor'
            when submissions.survey_type = 'CSAT' and submissions.score >= 4 then 'satisfied'
            when submissions.survey_type = 'CSAT' then 'not_satisfied'
        end as response_category
    from submissions
    left join contacts
        on submissions.contact_id = contacts.contact_id
    where
        not submissions.is_archived
        and submissions.submitted_at is not null
        and cast(submissions.submitted_at as date) <= {{ as_of_date() }}
        and (
            (submissions.survey_type = 'NPS' and submissions.score between 0 and 10)
            or (submissions.survey_type = 'CSAT' and submissions.score between 1 and 5)
        )
)

select * from final
