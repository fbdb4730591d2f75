{#
    One row per month per segment (`all` = every rating) from the first rating month to the
    `as_of` month: CSAT = 100 x ratings of 4 or 5 / all ratings of the month (CSAT-1). Null
    without ratings.
#}

with

ratings as (
    select * from {{ ref('int_survey_responses_attributed') }}
    where survey_type = 'CSAT'
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

ratings_with_segment as (
    select
        ratings.response_month,
        coalesce(accounts.segment, 'unknown') as segment,
        ratings.response_category
    from ratings
    left join accounts
        on ratings.account_id = accounts.account_id
),

months as (
    {{ month_series('(select min(response_month) from ratings)', as_of_date(), 'month') }}
),

segments as (
    select 'all' as segment
    union
    select distinct segment from ratings_with_segment
),

ratings_by_segment as (
    select
        response_month,
        'all' as segment,
        response_category
    from ratings_with_segment
    union all
    select
        response_month,
        segment,
        response_category
    from ratings_with_segment
),

counts as (
    select
        response_month,
        segment,
        count(*) as ratings,
        count(case when response_category = 'satisfied' then 1 end) as satisfied
    from ratings_by_segment
    group by response_month, segment
),

final as (
    select
        cast(months.month as date) as month,
        cast(segments.segment as string) as segment,
        cast(coalesce(counts.ratings, 0) as integer) as ratings,
        cast(coalesce(counts.satisfied, 0) as integer) as satisfied,
        cast(case
            when counts.ratings > 0 then 100.0 * counts.satisfied / counts.ratings
        end as double) as csat
    from months
    cross join segments
    left join counts
        on
            months.month = counts.response_month
            and segments.segment = counts.segment
)

select * from final
