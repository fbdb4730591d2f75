{#
    One row per trial (TRL-1): each subscription's latest known trial that started on or before
    `as_of`, its account, cohort month (the month it started), length, and whether it converted
    (a paid invoice with an amount for the subscription from the trial start to 30 days after
    the trial end, paid by `as_of`).
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

final as (
    select
        cast(trials.subscription_id as string) as subscription_id,
        cast(trials.account_id as string) as account_id,
        cast(trials.trial_start_at as timestamp) as trial_start_at,
        cast(trials.trial_end_at as timestamp) as trial_end_at,
        cast(trials.cohort_month as date) as cohort_month,
        cast(trials.trial_days as integer) as trial_days,
        cast(conversions.subscription_id is not null as boolean) as is_converted
    from trials
    left join conversions
        on trials.subscription_id = conversions.subscription_id
)

select * from final
