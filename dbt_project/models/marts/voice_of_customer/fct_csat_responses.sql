{#
    One row per CSAT rating (CSAT-1) submitted by `as_of`: score 1-5, whether it is satisfied
    (4 or 5) and the account's segment. No contact or free text: only the account.
#}

with

ratings as (
    select * from {{ ref('int_survey_responses_attributed') }}
    where survey_type = 'CSAT'
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

final as (
    select
        cast(ratings.response_id as string) as response_id,
        cast(ratings.account_id as string) as account_id,
        cast(accounts.segment as string) as segment,
        cast(ratings.submitted_at as timestamp) as submitted_at,
        cast(ratings.response_date as date) as response_date,
        cast(ratings.response_month as date) as response_month,
        cast(ratings.score as integer) as score,
        cast(ratings.response_category = 'satisfied' as boolean) as is_satisfied
    from ratings
    left join accounts
        on ratings.account_id = accounts.account_id
)

select * from final
