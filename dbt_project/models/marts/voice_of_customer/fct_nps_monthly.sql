{#
    One row per month per segment (`all` = every response) from the first response month to
    the `as_of` month: NPS = 100 x (promoters - detractors) / responses of the month, computed
    from the responses themselves, never averaged over accounts (NPS-1). Null without responses.
#}

with

responses as (
    select * from {{ ref('fct_nps_responses') }}
),

months as (
    {{ month_series('(select min(response_month) from responses)', as_of_date(), 'month') }}
),

segments as (
    select 'all' as segment
    union
    select distinct coalesce(segment, 'unknown') as segment from responses
),

responses_by_segment as (
    select
        response_month,
        'all' as segment,
        nps_category
    from responses
    union all
    select
        response_month,
        coalesce(segment, 'unknown') as segment,
        nps_category
    from responses
),

counts as (
    select
        response_month,
        segment,
        count(*) as responses,
        count(case when nps_category = 'promoter' then 1 end) as promoters,
        count(case when nps_category = 'passive' then 1 end) as passives,
        count(case when nps_category = 'detractor' then 1 end) as detractors
    from responses_by_segment
    group by response_month, segment
),

final as (
    select
        cast(months.month as date) as month,
        cast(segments.segment as string) as segment,
        cast(coalesce(counts.responses, 0) as integer) as responses,
        cast(coalesce(counts.promoters, 0) as integer) as promoters,
        cast(coalesce(counts.passives, 0) as integer) as passives,
        cast(coalesce(counts.detractors, 0) as integer) as detractors,
        cast(case
            when counts.responses > 0
                then 100.0 * (counts.promoters - counts.detractors) / counts.responses
        end as double) as nps
    from months
    cross join segments
    left join counts
        on
            months.month = counts.response_month
            and segments.segment = counts.segment
)

select * from final
