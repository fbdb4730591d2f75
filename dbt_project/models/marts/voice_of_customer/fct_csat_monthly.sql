{#
    One row per month per segment (`all` = every rating) from the first rating month to the
    `as_of` month: CSAT = 100 x ratings of 4 or 5 / all ratings of the month (CSAT-1), counted
    from fct_csat_responses. Null without ratings.
#}

with

ratings as (
    select * from {{ ref('fct_csat_responses') }}
),

ratings_with_segment as (
    select
        response_month,
        coalesce(segment, 'unknown') as segment,
        is_satisfied
    from ratings
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
        is_satisfied
    from ratings_with_segment
    union all
    select
        response_month,
        segment,
        is_satisfied
    from ratings_with_segment
),

counts as (
    select
        response_month,
        segment,
        count(*) as ratings,
        count(case when is_satisfied then 1 end) as satisfied
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
