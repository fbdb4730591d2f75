{#
    One row per paid subscription term that ends after `as_of` (RNW-2, ACC-1): every term of a
    subscription counting at `as_of` that ends in (as_of, as_of + 90 days], and, when that
    window holds none, the subscription's next term end beyond it. Terms are the billing
    periods implied by the window's observed `current_period_end` stepped by the interval, as
    in int_subscription_terms_enumerated (REN-1), which holds the terms that ended by `as_of`:
    a term is [start, end), so a term ending at `as_of` + 1 day 00:00 ends on the next day and
    is projected here, never due there. A window with a known end (`cancel_at`, a scheduled
    cancellation) keeps the term ending exactly then and none after. The subscription's MRR is
    its MRR at the end of the `as_of` day (MRR-3), in USD at the rate of the first day of the
    `as_of` month (MRR-7).
#}

with

{{ term_anchor_ctes() }},

customers as (
    select * from {{ ref('int_stripe_customers_mapped') }}
),

items_valued as (
    select * from {{ ref('int_subscription_items_valued_monthly') }}
    where month_start = {{ month_start(as_of_date()) }}
),

window_steps as (
    select
        *,
        -- RNW-2: a term ending on day D is up for renewal when as_of < D <= as_of + 90
        cast({{ add_days(as_of_date(), 1) }} as timestamp) as projected_from,
        cast({{ add_days(as_of_date(), var('renewal_forecast_days') ~ ' + 1') }} as timestamp)
            as forecast_before
    from term_anchors
    where effective_to is null or effective_to >= cast({{ add_days(as_of_date(), 1) }} as timestamp)
),

-- the term ends from the projection's start to the end of the forecast window
{{ term_end_ctes('window_steps', 'projected_from', 'forecast_before') }},

terms_in_windows as (
    select
        *,
        row_number() over (
            partition by subscription_id, term_end_at
            order by paid_from
        ) as duplicate_rank
    from term_ends
    -- a known window end is inclusive (a last term ends when the subscription does)
    where
        term_end_at > paid_from
        and term_end_at >= projected_from
        and (effective_to is null or term_end_at <= effective_to)
),

terms_ranked as (
    select
        *,
        row_number() over (
            partition by subscription_id
            order by term_end_at
        ) as term_number
    from terms_in_windows
    where duplicate_rank = 1
),

subscription_mrr as (
    select
        subscription_id,
        sum(mrr_usd) as mrr
    from items_valued
    group by subscription_id
),

final as (
    select
        terms_ranked.subscription_id || '@' || cast(terms_ranked.term_end_at as string)
            as renewal_id,
        customers.account_id,
        terms_ranked.subscription_id,
        terms_ranked.customer_id,
        terms_ranked.subscription_window_id,
        terms_ranked.term_interval,
        terms_ranked.term_interval_count,
        cast(terms_ranked.term_end_at as timestamp) as term_end_at,
        cast(terms_ranked.term_end_at as date) as term_end_date,
        terms_ranked.term_number = 1 as is_next_term,
        terms_ranked.term_end_at < terms_ranked.forecast_before as is_in_forecast_window,
        terms_ranked.effective_to is not null as is_cancel_scheduled,
        cast(round(coalesce(subscription_mrr.mrr, 0), 2) as decimal(18, 2)) as mrr,
        cast(12 * round(coalesce(subscription_mrr.mrr, 0), 2) as decimal(18, 2)) as arr
    from terms_ranked
    inner join customers
        on terms_ranked.customer_id = customers.customer_id
    left join subscription_mrr
        on terms_ranked.subscription_id = subscription_mrr.subscription_id
    where
        terms_ranked.term_end_at < terms_ranked.forecast_before
        or terms_ranked.term_number = 1
)

select * from final
