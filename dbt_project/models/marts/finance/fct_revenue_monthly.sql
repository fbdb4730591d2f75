{#
    One row per month from the first paid month to the `as_of` month: MRR, ARR, movements,
    churn and retention rates (CHN-1), ARPA and LTV (LTV-1), renewal rates (REN-1).
#}

with

mrr as (
    select * from {{ ref('fct_mrr') }}
),

renewals as (
    select * from {{ ref('fct_renewals') }}
),

monthly_totals as (
    select
        month,
        sum(mrr) as mrr,
        sum(previous_mrr) as mrr_start,
        count(case when mrr > 0 then 1 end) as paying_accounts,
        count(case when previous_mrr > 0 then 1 end) as customers_start,
        count(case when movement = 'churn' then 1 end) as customers_churned,
        count(case when movement = 'churn' and churn_type = 'involuntary' then 1 end)
            as customers_churned_involuntary,
        count(case when movement = 'new' then 1 end) as customers_new,
        count(case when movement = 'reactivation' then 1 end) as customers_reactivated,
        sum(case when movement = 'new' then movement_mrr else 0 end) as new_mrr,
        sum(case when movement = 'expansion' then movement_mrr else 0 end) as expansion_mrr,
        sum(case when expansion_type = 'upsell' then movement_mrr else 0 end) as upsell_mrr,
        sum(case when expansion_type = 'cross_sell' then movement_mrr else 0 end) as cross_sell_mrr,
        -sum(case when movement = 'contraction' then movement_mrr else 0 end) as contraction_mrr,
        -sum(case when movement = 'churn' then movement_mrr else 0 end) as churned_mrr,
        -sum(case when churn_type = 'involuntary' then movement_mrr else 0 end)
            as involuntary_churned_mrr,
        sum(case when movement = 'reactivation' then movement_mrr else 0 end) as reactivation_mrr,
        sum(fx_impact) as fx_impact
    from mrr
    group by month
),

-- CHN-1: every rate is null when its denominator is 0
rates as (
    select
        *,
        case when paying_accounts > 0 then mrr / paying_accounts end as arpa,
        case when customers_start > 0 then 1.0 * customers_churned / customers_start end
            as logo_churn_rate,
        case when mrr_start > 0 then (churned_mrr + contraction_mrr) / mrr_start end
            as gross_mrr_churn_rate,
        case
            when mrr_start > 0
                then (churned_mrr + contraction_mrr - expansion_mrr - reactivation_mrr) / mrr_start
        end as net_mrr_churn_rate,
        case
            when churned_mrr + contraction_mrr > 0
                then (new_mrr + expansion_mrr + reactivation_mrr) / (churned_mrr + contraction_mrr)
        end as quick_ratio,
        month < {{ month_start(as_of_date()) }}
        or {{ add_days(add_months('month', 1), -1) }} = {{ as_of_date() }} as is_complete_month
    from monthly_totals
),

-- LTV-1: mean logo churn rate of the 6 complete months ending with M (M-1 if M is current)
ltv_windows as (
    select
        month,
        case
            when is_complete_month then month
            else {{ add_months('month', -1) }}
        end as window_end_month
    from rates
),

trailing_churn as (
    select
        ltv_windows.month,
        avg(window_month.logo_churn_rate) as trailing_logo_churn_rate
    from ltv_windows
    inner join rates as window_month
        on
            window_month.is_complete_month
            and ltv_windows.window_end_month >= window_month.month
            and window_month.month > {{ add_months('ltv_windows.window_end_month', -6) }}
    group by ltv_windows.month
),

renewal_rates as (
    select
        term_end_month as month,
        count(case when not is_pending_flag then 1 end) as renewals_due,
        count(case when is_renewed then 1 end) as renewals_renewed,
        sum(case when not is_pending_flag then mrr_due else 0 end) as renewal_mrr_due,
        sum(case when not is_pending_flag then renewed_mrr else 0 end) as renewal_mrr_renewed,
        count(case when not is_pending_flag and term_interval = 'year' then 1 end) as annual_renewals_due,
        count(case when is_renewed and term_interval = 'year' then 1 end) as annual_renewals_renewed,
        count(case when not is_pending_flag and term_interval = 'month' then 1 end)
            as monthly_renewals_due,
        count(case when is_renewed and term_interval = 'month' then 1 end)
            as monthly_renewals_renewed
    from (
        select
            *,
            renewal_status = 'pending' as is_pending_flag
        from renewals
    ) as renewal_outcomes
    group by term_end_month
),

final as (
    select
        cast(rates.month as date) as month,
        cast(rates.is_complete_month as boolean) as is_complete_month,
        cast(rates.mrr as decimal(18, 2)) as mrr,
        cast(rates.mrr * 12 as decimal(18, 2)) as arr,
        cast(rates.mrr_start as decimal(18, 2)) as mrr_start,
        cast(rates.paying_accounts as integer) as paying_accounts,
        cast(rates.arpa as double) as arpa,
        cast(rates.new_mrr as decimal(18, 2)) as new_mrr,
        cast(rates.expansion_mrr as decimal(18, 2)) as expansion_mrr,
        cast(rates.upsell_mrr as decimal(18, 2)) as upsell_mrr,
        cast(rates.cross_sell_mrr as decimal(18, 2)) as cross_sell_mrr,
        cast(rates.contraction_mrr as decimal(18, 2)) as contraction_mrr,
        cast(rates.churned_mrr as decimal(18, 2)) as churned_mrr,
        cast(rates.involuntary_churned_mrr as decimal(18, 2)) as involuntary_churned_mrr,
        cast(rates.reactivation_mrr as decimal(18, 2)) as reactivation_mrr,
        cast(rates.fx_impact as decimal(18, 2)) as fx_impact,
        cast(rates.customers_start as integer) as customers_start,
        cast(rates.customers_new as integer) as customers_new,
        cast(rates.customers_reactivated as integer) as customers_reactivated,
        cast(rates.customers_churned as integer) as customers_churned,
        cast(rates.customers_churned_involuntary as integer) as customers_churned_involuntary,
        cast(rates.logo_churn_rate as double) as logo_churn_rate,
        cast(rates.gross_mrr_churn_rate as double) as gross_mrr_churn_rate,
        cast(rates.net_mrr_churn_rate as double) as net_mrr_churn_rate,
        cast(1 - rates.gross_mrr_churn_rate as double) as grr,
        cast(1 - rates.net_mrr_churn_rate as double) as nrr,
        cast(rates.quick_ratio as double) as quick_ratio,
        cast(trailing_churn.trailing_logo_churn_rate as double) as trailing_logo_churn_rate,
        cast(case
            when trailing_churn.trailing_logo_churn_rate > 0
                then rates.arpa * {{ var('gross_margin') }} / trailing_churn.trailing_logo_churn_rate
        end as double) as ltv,
        cast(coalesce(renewal_rates.renewals_due, 0) as integer) as renewals_due,
        cast(coalesce(renewal_rates.renewals_renewed, 0) as integer) as renewals_renewed,
        cast(case
            when renewal_rates.renewals_due > 0
                then 1.0 * renewal_rates.renewals_renewed / renewal_rates.renewals_due
        end as double) as logo_renewal_rate,
        cast(case
            when renewal_rates.renewal_mrr_due > 0
                then renewal_rates.renewal_mrr_renewed / renewal_rates.renewal_mrr_due
        end as double) as dollar_renewal_rate,
        cast(case
            when renewal_rates.annual_renewals_due > 0
                then 1.0 * renewal_rates.annual_renewals_renewed / renewal_rates.annual_renewals_due
        end as double) as annual_logo_renewal_rate,
        cast(case
            when renewal_rates.monthly_renewals_due > 0
                then 1.0 * renewal_rates.monthly_renewals_renewed / renewal_rates.monthly_renewals_due
        end as double) as monthly_logo_renewal_rate
    from rates
    left join trailing_churn
        on rates.month = trailing_churn.month
    left join renewal_rates
        on rates.month = renewal_rates.month
)

select * from final
