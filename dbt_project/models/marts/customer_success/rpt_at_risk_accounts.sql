{#
    The CSM worklist as of `as_of` (HLT-1): one row per paying account whose health band is
    red or yellow on the `as_of` day, with the reason, the MRR at stake, the next renewal
    date and the billing state. Red first, then the most MRR at stake.
#}

with

health as (
    select * from {{ ref('fct_account_health_daily') }}
    where date_day = {{ as_of_date() }}
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

windows as (
    select * from {{ ref('int_subscription_versions_windowed') }}
),

items as (
    select * from {{ ref('int_subscription_items_windowed') }}
    where counts_toward_mrr
),

delinquency as (
    select * from {{ ref('fct_delinquency_daily') }}
    where date_day = {{ as_of_date() }}
),

-- the current period end of each subscription counting at as_of, moved forward past as_of
current_terms as (
    select
        items.account_id,
        windows.current_period_end_at,
        max(items.months_in_interval) as months_in_interval
    from items
    inner join windows
        on items.subscription_window_id = windows.subscription_window_id
    where
        items.paid_from < cast({{ add_days(as_of_date(), 1) }} as timestamp)
        and (items.effective_to is null or items.effective_to >= cast({{ add_days(as_of_date(), 1) }} as timestamp))
        and windows.current_period_end_at is not null
    group by items.account_id, windows.subscription_window_id, windows.current_period_end_at
),

next_renewals as (
    select
        account_id,
        min(
            case
                when cast(current_period_end_at as date) > {{ as_of_date() }} then cast(current_period_end_at as date)
                -- a stale export: step whole intervals forward past as_of
                when months_in_interval >= 1 then {{ add_months(
                    'cast(current_period_end_at as date)',
                    'cast(months_in_interval * ceil(('
                    ~ dbt.datediff('current_period_end_at', as_of_date(), 'month')
                    ~ ' + 1) / months_in_interval) as integer)'
                ) }}
            end
        ) as next_renewal_date
    from current_terms
    group by account_id
),

final as (
    select
        cast(health.account_id as string) as account_id,
        cast(accounts.account_name as string) as account_name,
        cast(accounts.segment as string) as segment,
        cast(accounts.owner_id as string) as owner_id,
        cast(accounts.csm_owner_name as string) as owner_name,
        cast({{ as_of_date() }} as date) as as_of_date,
        cast(health.health_score as decimal(5, 2)) as health_score,
        cast(health.health_band as string) as health_band,
        cast(health.top_risk_reason as string) as top_risk_reason,
        cast(accounts.current_mrr as decimal(18, 2)) as mrr_at_stake,
        cast(next_renewals.next_renewal_date as date) as next_renewal_date,
        cast({{ dbt.datediff(as_of_date(), 'next_renewals.next_renewal_date', 'day') }} as integer)
            as days_to_renewal,
        cast(coalesce(delinquency.days_past_due, 0) as integer) as days_past_due,
        cast(coalesce(delinquency.amount_overdue, 0) as decimal(18, 2)) as amount_overdue
    from health
    inner join accounts
        on health.account_id = accounts.account_id
    left join next_renewals
        on health.account_id = next_renewals.account_id
    left join delinquency
        on health.account_id = delinquency.account_id
    where health.health_band in ('red', 'yellow')
)

select * from final
