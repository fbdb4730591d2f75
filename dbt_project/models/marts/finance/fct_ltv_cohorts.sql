{#
    One row per start cohort (month of first MRR) per month since start, up to `as_of`:
    realised LTV = cumulative net revenue of the cohort's accounts / accounts in the cohort
    (LTV-1).
#}

with

mrr as (
    select * from {{ ref('fct_mrr') }}
),

net_revenue as (
    select * from {{ ref('int_account_net_revenue_monthly') }}
),

account_cohorts as (
    {{ account_start_cohorts('mrr') }}
),

cohort_sizes as (
    select
        cohort_month,
        count(*) as cohort_accounts
    from account_cohorts
    group by cohort_month
),

months as (
    {{ month_series('(select min(cohort_month) from cohort_sizes)', as_of_date(), 'month') }}
),

cohort_months as (
    select
        cohort_sizes.cohort_month,
        cohort_sizes.cohort_accounts,
        months.month,
        {{ dbt.datediff('cohort_sizes.cohort_month', 'months.month', 'month') }} as months_since_start
    from cohort_sizes
    inner join months
        on cohort_sizes.cohort_month <= months.month
),

cohort_revenue as (
    select
        account_cohorts.cohort_month,
        net_revenue.month_start,
        sum(net_revenue.net_revenue_usd) as net_revenue_usd
    from net_revenue
    inner join account_cohorts
        on net_revenue.account_id = account_cohorts.account_id
    group by account_cohorts.cohort_month, net_revenue.month_start
),

cumulative as (
    select
        cohort_months.cohort_month,
        cohort_months.months_since_start,
        cohort_months.month,
        cohort_months.cohort_accounts,
        coalesce(sum(cohort_revenue.net_revenue_usd), 0) as cumulative_net_revenue
    from cohort_months
    left join cohort_revenue
        on
            cohort_months.cohort_month = cohort_revenue.cohort_month
            and cohort_months.month >= cohort_revenue.month_start
    group by
        cohort_months.cohort_month,
        cohort_months.months_since_start,
        cohort_months.month,
        cohort_months.cohort_accounts
),

final as (
    select
        cast(cohort_month as date) as cohort_month,
        cast(months_since_start as integer) as months_since_start,
        cast(month as date) as month,
        cast(cohort_accounts as integer) as cohort_accounts,
        cast(cumulative_net_revenue as decimal(18, 2)) as cumulative_net_revenue,
        cast(round(cumulative_net_revenue / cohort_accounts, 2) as decimal(18, 2)) as realised_ltv
    from cumulative
)

select * from final
