{#
    One row per month (HLT-2): how well the health score on the month's first day ranks the
    accounts that churned within the next 90 days (an MRR movement `churn` in that month or
    the two after it) below those that did not. AUC = probability that a random churner has a
    lower score than a random non-churner (ties count half), from average ranks
    (Mann-Whitney U). Null without churners or without non-churners; months whose 90 days
    have not passed at `as_of` are marked incomplete.
#}

with

health as (
    select * from {{ ref('fct_account_health_daily') }}
),

mrr as (
    select * from {{ ref('fct_mrr') }}
),

scored_at_month_start as (
    select
        health.account_id,
        health.date_day as month,
        health.health_score
    from health
    where
        health.date_day = {{ month_start('health.date_day') }}
        and health.health_score is not null
),

labelled as (
    select
        scored_at_month_start.month,
        scored_at_month_start.account_id,
        scored_at_month_start.health_score,
        max(case when mrr.movement = 'churn' then 1 else 0 end) as churned
    from scored_at_month_start
    left join mrr
        on
            scored_at_month_start.account_id = mrr.account_id
            and scored_at_month_start.month <= mrr.month
            and mrr.month <= {{ add_months('scored_at_month_start.month', 2) }}
    group by scored_at_month_start.month, scored_at_month_start.account_id, scored_at_month_start.health_score
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
