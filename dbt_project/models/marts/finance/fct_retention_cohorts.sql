{#
    One row per start cohort (month of first MRR) per month since start, up to `as_of`: logo
    retention (accounts still paying / accounts in the cohort) and revenue retention (the
    cohort's MRR / its MRR in the start month), from fct_mrr (MRR-3, MRR-5, CHN-1).
#}

with

mrr as (
    select * from {{ ref('fct_mrr') }}
),

account_cohorts as (
    {{ account_start_cohorts('mrr') }}
),

cohort_start as (
    select
        account_cohorts.cohort_month,
        count(*) as cohort_accounts,
        sum(mrr.mrr) as cohort_start_mrr
    from account_cohorts
    inner join mrr
        on
            account_cohorts.account_id = mrr.account_id
            and account_cohorts.cohort_month = mrr.month
    group by account_cohorts.cohort_month
),

cohort_months as (
    select
        account_cohorts.cohort_month,
        mrr.month,
        count(case when mrr.mrr > 0 then 1 end) as retained_accounts,
        sum(mrr.mrr) as mrr
    from account_cohorts
    inner join mrr
        on account_cohorts.account_id = mrr.account_id
    group by account_cohorts.cohort_month, mrr.month
),

final as (
    select
        cast(cohort_months.cohort_month as date) as cohort_month,
        cast({{ dbt.datediff('cohort_months.cohort_month', 'cohort_months.month', 'month') }} as integer)
            as months_since_start,
        cast(cohort_months.month as date) as month,
        cast(cohort_start.cohort_accounts as integer) as cohort_accounts,
        cast(cohort_months.retained_accounts as integer) as retained_accounts,
        cast(1.0 * cohort_months.retained_accounts / cohort_start.cohort_accounts as double)
            as logo_retention_rate,
        cast(cohort_start.cohort_start_mrr as decimal(18, 2)) as cohort_start_mrr,
        cast(cohort_months.mrr as decimal(18, 2)) as mrr,
        cast(case
            when cohort_start.cohort_start_mrr > 0 then cohort_months.mrr / cohort_start.cohort_start_mrr
        end as double) as revenue_retention_rate
    from cohort_months
    inner join cohort_start
        on cohort_months.cohort_month = cohort_start.cohort_month
)

select * from final
