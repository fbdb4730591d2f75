{#
    One row per trial cohort month (TRL-1): trials started that month, trials converted (a
    paid invoice with an amount for the subscription within 30 days after the trial end),
    conversion rate, and whether the cohort is complete (its last day + the longest trial of
    the cohort + 30 days has passed at `as_of`). Counted from fct_trials.
#}

with

trials as (
    select * from {{ ref('fct_trials') }}
),

cohorts as (
    select
        cohort_month,
        count(*) as trials,
        count(case when is_converted then 1 end) as converted,
        max(trial_days) as longest_trial_days
    from trials
    group by cohort_month
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
