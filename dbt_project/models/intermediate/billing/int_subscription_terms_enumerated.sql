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

{{ term_anchor_ctes() }},

window_steps as (
    select
        *,
        least(
            coalesce(effective_to, cast({{ add_days(as_of_date(), 1) }} as timestamp)),
            cast({{ add_days(as_of_date(), 1) }} as timestamp)
        ) as paid_until,
        cast({{ add_days(as_of_date(), 1) }} as timestamp) as due_before
    from term_anchors
),

-- the term ends around the window (paid_from, paid_until]
{{ term_end_ctes('window_steps', 'paid_from', 'paid_until') }},

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
