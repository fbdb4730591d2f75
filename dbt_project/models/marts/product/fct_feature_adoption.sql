{#
    One row per feature per month (ENG-2), measured on the month's last day (`as_of` for the
    current month): active accounts (MAU > 0 that day), accounts among them that used the
    feature in the last 28 days (D-27..D), and adoption = adopting / active accounts.
#}

with

activity as (
    select * from {{ ref('int_account_activity_daily') }}
),

usage as (
    select * from {{ ref('int_account_feature_usage_daily') }}
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

months as (
    {{ month_series('(select min(activity.date_day) from activity)', as_of_date(), 'month') }}
),

measurement_days as (
    select
        month,
        least({{ add_days(add_months('month', 1), -1) }}, {{ as_of_date() }}) as measured_on
    from months
),

active_accounts as (
    select
        measurement_days.month,
        measurement_days.measured_on,
        activity.account_id
    from measurement_days
    inner join activity
        on measurement_days.measured_on = activity.date_day
    inner join accounts
        on activity.account_id = accounts.account_id
    where activity.mau > 0
),

active_counts as (
    select
        month,
        count(*) as active_accounts
    from active_accounts
    group by month
),

adopters as (
    select
        active_accounts.month,
        usage.feature_name,
        count(distinct usage.account_id) as adopting_accounts
    from active_accounts
    inner join usage
        on
            active_accounts.account_id = usage.account_id
            and active_accounts.measured_on >= usage.usage_date
            and usage.usage_date >= {{ add_days('active_accounts.measured_on', -27) }}
    group by active_accounts.month, usage.feature_name
),

features as (
    select distinct feature_name from usage
),

final as (
    select
        cast(features.feature_name as string) as feature_name,
        cast(measurement_days.month as date) as month,
        cast(measurement_days.measured_on as date) as measured_on,
        cast(coalesce(active_counts.active_accounts, 0) as integer) as active_accounts,
        cast(coalesce(adopters.adopting_accounts, 0) as integer) as adopting_accounts,
        cast(case
            when active_counts.active_accounts > 0
                then 1.0 * coalesce(adopters.adopting_accounts, 0) / active_counts.active_accounts
        end as double) as adoption_rate
    from features
    cross join measurement_days
    left join active_counts
        on measurement_days.month = active_counts.month
    left join adopters
        on
            measurement_days.month = adopters.month
            and features.feature_name = adopters.feature_name
)

select * from final
