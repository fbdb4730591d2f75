{#
    One row per month (HLT-2): how well the health score on the month's first day ranks the
    accounts that churned within the next 90 days (an MRR movement `churn` in that month or
    the two after it; labelled in fct_account_health_outcomes) below those that did not.
    AUC = probability that a random churner has a lower score than a random non-churner (ties
    count half), from average ranks (Mann-Whitney U). Null without churners or without
    non-churners; months whose 90 days have not passed at `as_of` are marked incomplete.
#}

with

outcomes as (
    select * from {{ ref('fct_account_health_outcomes') }}
),

labelled as (
    select
        month,
        account_id,
        health_score,
        case when churned_within_90_days then 1 else 0 end as churned
    from outcomes
),

ranked as (
    select
        *,
        rank() over (partition by month order by health_score)
        + (count(*) over (partition by month, health_score) - 1) / 2.0 as average_rank
    from labelled
),

month_stats as (
    select
        month,
        count(*) as accounts_scored,
        sum(churned) as churners,
        count(*) - sum(churned) as non_churners,
        sum(case when churned = 0 then average_rank else 0 end) as non_churner_rank_sum
    from ranked
    group by month
),

final as (
    select
        cast(month as date) as month,
        cast(accounts_scored as integer) as accounts_scored,
        cast(churners as integer) as churners_within_90_days,
        cast(case
            when churners > 0 and non_churners > 0
                then (non_churner_rank_sum - non_churners * (non_churners + 1) / 2.0)
                    / (1.0 * churners * non_churners)
        end as double) as auc,
        cast({{ dbt.dateadd('day', 90, 'month') }} <= {{ as_of_date() }} as boolean) as is_complete
    from month_stats
)

select * from final
