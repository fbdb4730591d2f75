{#
    One row per trial cohort month (TRL-1): trials started that month, trials converted (a
    paid invoice with an amount for the subscription within 30 days after the trial end),
    conversion rate, and whether the cohort is complete (its last day + the longest trial of
    the cohort + 30 days has passed at `as_of`).
#}

with

versions as (
    select * from {{ ref('stg_stripe__subscription_versions') }}
    where observed_at < cast({{ add_days(as_of_date(), 1) }} as timestamp)
),

invoices as (
    select * from {{ ref('stg_stripe__invoices') }}
),

customers as (
    select * from {{ ref('int_stripe_customers_mapped') }}
),

-- the latest known trial of each subscription
trial_versions as (
    select
        subscription_id,
        customer_id,
        trial_start_at,
        trial_end_at,
        row_number() over (partition by subscription_id order by _record_version desc) as version_rank
    from versions
    where trial_start_at is not null and trial_end_at is not null
),

trials as (
    select
        trial_versions.subscription_id,
        customers.account_id,
        trial_versions.trial_start_at,
        trial_versions.trial_end_at,
        {{ month_start('trial_versions.trial_start_at') }} as cohort_month,
        {{ dbt.datediff('trial_versions.trial_start_at', 'trial_versions.trial_end_at', 'day') }}
            as trial_days
    from trial_versions
    inner join customers
        on trial_versions.customer_id = customers.customer_id
    where
        trial_versions.version_rank = 1
        and cast(trial_versions.trial_start_at as date) <= {{ as_of_date() }}
),

conversions as (
    select distinct trials.subscription_id
    from trials
    inner join invoices
        on trials.subscription_id = invoices.subscription_id
    where
        invoices.status = 'paid'
        and invoices.amount_paid > 0
        and invoices.paid_at >= trials.trial_start_at
        and invoices.paid_at <= {{ dbt.dateadd('day', var('trial_conversion_days'), 'trials.trial_end_at') }}
        and cast(invoices.paid_at as date) <= {{ as_of_date() }}
),

cohorts as (
    select
        trials.cohort_month,
        count(*) as trials,
        count(conversions.subscription_id) as converted,
        max(trials.trial_days) as longest_trial_days
    from trials
    left join conversions
        on trials.subscription_id = conversions.subscription_id
    group by trials.cohort_month
),

final as (
    select
        cast(cohort_month as date) as cohort_month,
        cast(trials as integer) as trials,
        cast(converted as integer) as converted,
        cast(1.0 * converted / trials as double) as conversion_rate,
        cast(longest_trial_days as integer) as longest_trial_days,
        cast(
            {{ add_days(
                add_days(add_months('cohort_month', 1), -1),
                'longest_trial_days + ' ~ var('trial_conversion_days')
            ) }} <= {{ as_of_date() }}
            as boolean
        ) as is_complete
    from cohorts
)

select * from final
