{#
    One row per paying account per month (HLT-2, HLT-3): the account's health on the month's
    first day (score, band, the six component scores, top risk reason) and whether it churned
    within the next 90 days (an MRR movement `churn` in that month or the two after it). The
    labelled frame both backtests read: HLT-2's AUC here in SQL, HLT-3's logistic regression in
    Python (orchestration/health_model.py), so the outcome is defined once.
#}

with

health as (
    select * from {{ ref('fct_account_health_daily') }}
),

mrr as (
    select * from {{ ref('fct_mrr') }}
),

scored_at_month_start as (
    select *
    from health
    where
        date_day = {{ month_start('date_day') }}
        and health_score is not null
),

churn_months as (
    select
        account_id,
        month
    from mrr
    where movement = 'churn'
),

labelled as (
    select
        scored_at_month_start.account_id,
        scored_at_month_start.date_day as month,
        max(case when churn_months.month is not null then 1 else 0 end) as churned
    from scored_at_month_start
    left join churn_months
        on
            scored_at_month_start.account_id = churn_months.account_id
            and scored_at_month_start.date_day <= churn_months.month
            and churn_months.month <= {{ add_months('scored_at_month_start.date_day', 2) }}
    group by scored_at_month_start.account_id, scored_at_month_start.date_day
),

final as (
    select
        cast(scored_at_month_start.account_id as string) as account_id,
        cast(scored_at_month_start.date_day as date) as month,
        cast(scored_at_month_start.health_score as decimal(5, 2)) as health_score,
        cast(scored_at_month_start.health_band as string) as health_band,
        cast(scored_at_month_start.engagement_trend_score as decimal(5, 2)) as engagement_trend_score,
        cast(scored_at_month_start.seat_utilisation_score as decimal(5, 2)) as seat_utilisation_score,
        cast(scored_at_month_start.nps_score as decimal(5, 2)) as nps_score,
        cast(scored_at_month_start.support_score as decimal(5, 2)) as support_score,
        cast(scored_at_month_start.billing_score as decimal(5, 2)) as billing_score,
        cast(scored_at_month_start.csm_touch_score as decimal(5, 2)) as csm_touch_score,
        cast(scored_at_month_start.top_risk_reason as string) as top_risk_reason,
        cast(labelled.churned = 1 as boolean) as churned_within_90_days,
        cast({{ dbt.dateadd('day', 90, 'scored_at_month_start.date_day') }} <= {{ as_of_date() }} as boolean)
            as is_complete
    from scored_at_month_start
    inner join labelled
        on
            scored_at_month_start.account_id = labelled.account_id
            and scored_at_month_start.date_day = labelled.month
)

select * from final
