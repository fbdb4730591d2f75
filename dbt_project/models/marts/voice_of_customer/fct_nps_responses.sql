{#
    One row per NPS response (NPS-1) submitted by `as_of`: score, category and the account's
    segment. No contact or free text: only the account.
#}

with

responses as (
    select * from {{ ref('int_survey_responses_attributed') }}
    where survey_type = 'NPS'
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

final as (
    select
        cast(responses.response_id as string) as response_id,
        cast(responses.account_id as string) as account_id,
        cast(accounts.segment as string) as segment,
        cast(responses.submitted_at as timestamp) as submitted_at,
        cast(responses.response_date as date) as response_date,
        cast(responses.response_month as date) as response_month,
        cast(responses.score as integer) as score,
        cast(responses.response_category as string) as nps_category
    from responses
    left join accounts
        on responses.account_id = accounts.account_id
)

select * from final
