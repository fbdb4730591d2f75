{#
    One row per paid subscription term that ended by `as_of` (REN-1): the billing periods
    implied by each counting window's observed `current_period_end` stepped by the
    subscription's interval (month/year: calendar months, week/day: days), kept when the term
    end falls inside the window (paid_from, effective_to]. A subscription that ends exactly at
    a term end (cancel at period end) keeps that last term. Trial periods are not terms.
    Terms are half-open [start, end): a term ending at `as_of` + 1 day 00:00 ends on the next
    day, so it is not due yet (on a month's last day it would otherwise land in next month).
#}

with

windows as (
    select * from {{ ref('int_subscription_versions_windowed') }}
    where is_counting_status
),

items as (
    select * from {{ ref('int_subscription_items_windowed') }}
    where counts_toward_mrr
),

window_intervals as (
    select
        subscription_window_id,
        max(recurring_interval) as term_interval,
        max(recurring_interval_count) as term_interval_count
    from items
    group by subscription_window_id
),

window_steps as (
    select
        windows.subscription_window_id,
        windows.subscription_id,
        windows.customer_id,
        windows.paid_from,
        least(
            coalesce(windows.effective_to, cast({{ add_days(as_of_date(), 1) }} as timestamp)),
            cast({{ add_days(as_of_date(), 1) }} as timestamp)
        ) as paid_until,
        cast({{ add_days(as_of_date(), 1) }} as timestamp) as due_before,
        windows.current_period_end_at as anchor_at,
        window_intervals.term_interval,
        window_intervals.term_interval_count,
        case window_intervals.term_interval
            when 'month' then window_intervals.term_interval_count
            when 'year' then 12 * window_intervals.term_interval_count
        end as step_months,
        case window_intervals.term_interval
            when 'week' then 7 * window_intervals.term_interval_count
            when 'day' then window_intervals.term_interval_count
        end as step_days
    from windows
    inner join window_intervals
        on windows.subscription_window_id = window_intervals.subscription_window_id
    where windows.current_period_end_at is not null
),

-- how many steps from the anchor reach the window's start and end (with a margin)
step_ranges as (
    select
        *,
        case
            when step_months is not null
                then {{ dbt.datediff('anchor_at', 'paid_from', 'month') }} / step_months - 2
            else {{ dbt.datediff('anchor_at', 'paid_from', 'day') }} / step_days - 2
        end as first_step,
        case
            when step_months is not null
                then {{ dbt.datediff('anchor_at', 'paid_until', 'month') }} / step_months + 2
            else {{ dbt.datediff('anchor_at', 'paid_until', 'day') }} / step_days + 2
        end as last_step
    from window_steps
),

steps as (
    {{ integer_series(
        '(select min(floor(first_step)) from step_ranges)',
        '(select max(ceil(last_step)) from step_ranges)'
    ) }}
),

term_ends as (
    select
        step_ranges.subscription_id,
        step_ranges.customer_id,
        step_ranges.subscription_window_id,
        step_ranges.term_interval,
        step_ranges.term_interval_count,
        case
            when step_ranges.step_months is not null
                then {{ dbt.dateadd('month', 'steps.n * step_ranges.step_months', 'step_ranges.anchor_at') }}
            else {{ dbt.dateadd('day', 'steps.n * step_ranges.step_days', 'step_ranges.anchor_at') }}
        end as term_end_at,
        step_ranges.paid_from,
        step_ranges.paid_until,
        step_ranges.due_before
    from step_ranges
    inner join steps
        on steps.n between floor(step_ranges.first_step) and ceil(step_ranges.last_step)
),

terms_in_windows as (
    select
        *,
        row_number() over (
            partition by subscription_id, term_end_at
            order by paid_from
        ) as duplicate_rank
    from term_ends
    -- the window's end is inclusive (a last term ends when the subscription does); the
    -- as_of cap is exclusive (REN-1: a term ending at as_of + 1 day is not due yet)
    where
        term_end_at > paid_from
        and term_end_at <= paid_until
        and term_end_at < due_before
),

final as (
    select
        subscription_id || '@' || cast(term_end_at as string) as renewal_id,
        subscription_id,
        customer_id,
        subscription_window_id,
        term_interval,
        term_interval_count,
        cast(term_end_at as timestamp) as term_end_at
    from terms_in_windows
    where duplicate_rank = 1
)

select * from final
