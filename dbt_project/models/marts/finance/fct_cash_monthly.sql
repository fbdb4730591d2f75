{#
    One row per month from the first billed month to the `as_of` month (CASH-1): billed
    (finalized invoice totals by finalized month), collected (succeeded charges - succeeded
    refunds by their created month), refunds, failed payments, and recovery of invoices with a
    failed charge by the month of their first failure. USD amounts are the sums of the rows of
    fct_invoices and fct_payments (each at the rate of its own day). Refunds never change MRR
    (MRR-8).
#}

with

invoices as (
    select * from {{ ref('fct_invoices') }}
),

payments as (
    select * from {{ ref('fct_payments') }}
),

months as (
    {{ month_series(
        '(select min(invoices.finalized_at) from invoices)',
        as_of_date(),
        'month'
    ) }}
),

billed as (
    select
        {{ month_start('finalized_at') }} as month,
        sum(total_usd) as billed_usd
    from invoices
    where
        finalized_at is not null
        and cast(finalized_at as date) <= {{ as_of_date() }}
    group by {{ month_start('finalized_at') }}
),

payments_by_month as (
    select
        {{ month_start('created_at') }} as month,
        sum(case when payment_type = 'charge' and status = 'succeeded' then amount_usd else 0 end)
            as charged_usd,
        sum(case when payment_type = 'refund' and status = 'succeeded' then amount_usd else 0 end)
            as refunded_usd,
        sum(case when payment_type = 'charge' and status = 'failed' then 1 else 0 end)
            as failed_payments,
        sum(case when payment_type = 'charge' and status = 'failed' then amount_usd else 0 end)
            as failed_payments_usd
    from payments
    group by {{ month_start('created_at') }}
),

-- by the month of the invoice's first failed charge
recovery_by_month as (
    select
        {{ month_start('first_failed_charge_at') }} as month,
        count(*) as invoices_with_failed_charge,
        sum(case when is_recovered then 1 else 0 end) as invoices_recovered
    from invoices
    where first_failed_charge_at is not null
    group by {{ month_start('first_failed_charge_at') }}
),

monthly as (
    select
        months.month,
        coalesce(billed.billed_usd, 0) as billed_usd,
        coalesce(payments_by_month.charged_usd, 0) - coalesce(payments_by_month.refunded_usd, 0)
            as collected_usd,
        coalesce(payments_by_month.refunded_usd, 0) as refunded_usd,
        coalesce(payments_by_month.failed_payments, 0) as failed_payments,
        coalesce(payments_by_month.failed_payments_usd, 0) as failed_payments_usd,
        coalesce(recovery_by_month.invoices_with_failed_charge, 0) as invoices_with_failed_charge,
        coalesce(recovery_by_month.invoices_recovered, 0) as invoices_recovered
    from months
    left join billed
        on months.month = billed.month
    left join payments_by_month
        on months.month = payments_by_month.month
    left join recovery_by_month
        on months.month = recovery_by_month.month
),

final as (
    select
        cast(month as date) as month,
        cast(billed_usd as decimal(18, 2)) as billed_usd,
        cast(collected_usd as decimal(18, 2)) as collected_usd,
        cast(refunded_usd as decimal(18, 2)) as refunded_usd,
        cast(failed_payments as integer) as failed_payments,
        cast(failed_payments_usd as decimal(18, 2)) as failed_payments_usd,
        cast(invoices_with_failed_charge as integer) as invoices_with_failed_charge,
        cast(invoices_recovered as integer) as invoices_recovered,
        cast(
            case
                when invoices_with_failed_charge > 0
                    then cast(invoices_recovered as double) / invoices_with_failed_charge
            end as double
        ) as recovery_rate
    from monthly
)

select * from final
