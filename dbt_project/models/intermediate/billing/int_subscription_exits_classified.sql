{#
    One row per time a subscription stopped counting toward MRR (MRR-6 churn type): its state
    went from active/past_due to anything else, or its last counting window ended (a scheduled
    `cancel_at` passed). Involuntary when it ended in status `unpaid`, or was canceled while
    `past_due`, or Stripe recorded the cancellation reason `payment_failed`; else voluntary.
#}

with

windows as (
    select * from {{ ref('int_subscription_versions_windowed') }}
    -- empty windows (superseded at the instant they started) carry no state
    where effective_to is null or effective_to > effective_from
),

customers as (
    select * from {{ ref('int_stripe_customers_mapped') }}
),

windows_sequenced as (
    select
        *,
        lead(status) over (partition by subscription_id order by effective_from, version_number)
            as next_status,
        lead(cancellation_reason) over (
            partition by subscription_id order by effective_from, version_number
        ) as next_cancellation_reason,
        lead(effective_from) over (
            partition by subscription_id order by effective_from, version_number
        ) as next_effective_from
    from windows
),

exits as (
    select
        subscription_id,
        customer_id,
        coalesce(next_effective_from, effective_to) as exited_at,
        status as status_before_exit,
        next_status as status_after_exit,
        coalesce(next_cancellation_reason, cancellation_reason) as cancellation_reason
    from windows_sequenced
    where
        is_counting_status
        and (
            next_status not in ('active', 'past_due')
            or (next_status is null and effective_to is not null)
        )
),

final as (
    select
        exits.subscription_id || '@' || cast(exits.exited_at as string) as subscription_exit_id,
        exits.subscription_id,
        customers.account_id,
        exits.exited_at,
        {{ month_start('exits.exited_at') }} as exit_month,
        exits.status_before_exit,
        exits.status_after_exit,
        exits.cancellation_reason,
        coalesce(
            exits.status_after_exit = 'unpaid'
            or (exits.status_after_exit = 'canceled' and exits.status_before_exit = 'past_due')
            or exits.cancellation_reason = 'payment_failed',
            false
        ) as is_involuntary
    from exits
    left join customers
        on exits.customer_id = customers.customer_id
    -- half-open like MRR valuation: a subscription ending at as_of + 1 day 00:00 still has
    -- MRR at as_of, so its exit has not happened yet (and never lands in next month)
    where exits.exited_at < cast({{ add_days(as_of_date(), 1) }} as timestamp)
)

select * from final
