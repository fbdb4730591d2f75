{#
    The subscription windows whose terms can be stepped (REN-1, RNW-2), as import CTEs ending in
    `term_anchors`: one row per counting window (`is_counting_status`) with an observed
    `current_period_end` (`anchor_at`), its subscription, customer, paid span (`paid_from`,
    `effective_to`) and its term: the interval of its items counting toward MRR. The input of
    term_end_ctes for the terms that ended (int_subscription_terms_enumerated) and the terms to
    come (int_subscription_terms_projected).
#}
{% macro term_anchor_ctes() -%}
counting_windows as (
    select * from {{ ref('int_subscription_versions_windowed') }}
    where is_counting_status
),

counting_items as (
    select * from {{ ref('int_subscription_items_windowed') }}
    where counts_toward_mrr
),

window_intervals as (
    select
        subscription_window_id,
        max(recurring_interval) as term_interval,
        max(recurring_interval_count) as term_interval_count
    from counting_items
    group by subscription_window_id
),

term_anchors as (
    select
        counting_windows.subscription_window_id,
        counting_windows.subscription_id,
        counting_windows.customer_id,
        counting_windows.paid_from,
        counting_windows.effective_to,
        counting_windows.current_period_end_at as anchor_at,
        window_intervals.term_interval,
        window_intervals.term_interval_count
    from counting_windows
    inner join window_intervals
        on counting_windows.subscription_window_id = window_intervals.subscription_window_id
    where counting_windows.current_period_end_at is not null
)
{%- endmacro %}

{#
    The term ends of subscription windows (REN-1, RNW-2), as four CTEs ending in `term_ends`:
    each row of `windows` (with `anchor_at` = an observed `current_period_end`, `term_interval`
    and `term_interval_count`) stepped from its anchor by whole billing periods (month/year:
    calendar months, week/day: days), one row per term end from two steps before `range_from`
    to two steps after `range_until` (timestamp columns of `windows`). The caller keeps the term
    ends its rule needs; the margin makes sure the first and last ones are among them.
#}
{% macro term_end_ctes(windows, range_from, range_until) -%}
term_step_sizes as (
    select
        *,
        case term_interval
            when 'month' then term_interval_count
            when 'year' then 12 * term_interval_count
        end as step_months,
        case term_interval
            when 'week' then 7 * term_interval_count
            when 'day' then term_interval_count
        end as step_days
    from {{ windows }}
),

term_step_ranges as (
    select
        *,
        case
            when step_months is not null
                then {{ dbt.datediff('anchor_at', range_from, 'month') }} / step_months - 2
            else {{ dbt.datediff('anchor_at', range_from, 'day') }} / step_days - 2
        end as first_step,
        case
            when step_months is not null
                then {{ dbt.datediff('anchor_at', range_until, 'month') }} / step_months + 2
            else {{ dbt.datediff('anchor_at', range_until, 'day') }} / step_days + 2
        end as last_step
    from term_step_sizes
),

term_steps as (
    {{ integer_series(
        '(select min(floor(first_step)) from term_step_ranges)',
        '(select max(ceil(last_step)) from term_step_ranges)'
    ) }}
),

term_ends as (
    select
        term_step_ranges.*,
        case
            when term_step_ranges.step_months is not null
                then {{ dbt.dateadd('month', 'term_steps.n * term_step_ranges.step_months', 'term_step_ranges.anchor_at') }}
            else {{ dbt.dateadd('day', 'term_steps.n * term_step_ranges.step_days', 'term_step_ranges.anchor_at') }}
        end as term_end_at
    from term_step_ranges
    inner join term_steps
        on term_steps.n between floor(term_step_ranges.first_step) and ceil(term_step_ranges.last_step)
)
{%- endmacro %}

{#- REN-1: a term's renewal is judged at the end of its grace period (var renewal_grace_days). #}
{% macro renewal_grace_ends_at(term_end_at) -%}
    {{ dbt.dateadd('day', var('renewal_grace_days'), term_end_at) }}
{%- endmacro %}
