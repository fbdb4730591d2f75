{#
    One row per account per day on which it is delinquent, up to `as_of` (DLQ-1): total
    amount overdue (USD), overdue invoices, and the days past due and aging bucket of the
    oldest overdue invoice.
#}

with

invoices as (
    select * from {{ ref('stg_stripe__invoices') }}
),

customers as (
    select * from {{ ref('int_stripe_customers_mapped') }}
),

rates as (
    select * from {{ ref('stg_stripe__exchange_rates') }}
),

-- when each invoice stopped being open (status_transitions of its latest version)
invoice_lifecycles as (
    select
        invoices.invoice_id,
        customers.account_id,
        invoices.currency,
        -- the amount that was outstanding while overdue
        case when invoices.status = 'paid' then invoices.amount_due else invoices.amount_remaining end
            as amount_outstanding,
        cast(coalesce(invoices.due_at, invoices.finalized_at, invoices.created_at) as date) as due_date,
        cast(coalesce(
            invoices.paid_at,
            invoices.voided_at,
            invoices.marked_uncollectible_at,
            case when invoices.status in ('paid', 'void', 'uncollectible') then invoices.created_at end
        ) as date) as closed_date
    from invoices
    inner join customers
        on invoices.customer_id = customers.customer_id
    where
        invoices.status in ('open', 'paid', 'void', 'uncollectible')
        and not invoices.is_deleted
        and invoices.amount_due > 0
),

days as (
    {{ date_series(
        '(select ' ~ add_days('min(invoice_lifecycles.due_date)', 1) ~ ' from invoice_lifecycles)',
        as_of_date(),
        'date_day'
    ) }}
),

-- overdue on day D: open at the end of D and D after the due day
overdue_invoice_days as (
    select
        invoice_lifecycles.account_id,
        days.date_day,
        invoice_lifecycles.invoice_id,
        invoice_lifecycles.currency,
        invoice_lifecycles.amount_outstanding,
        invoice_lifecycles.due_date,
        {{ month_start('days.date_day') }} as rate_month
    from invoice_lifecycles
    inner join days
        on
            invoice_lifecycles.due_date < days.date_day
            and (invoice_lifecycles.closed_date is null or invoice_lifecycles.closed_date > days.date_day)
),

month_rates as (
    {{ month_start_usd_rates('overdue_invoice_days', 'rate_month') }}
),

account_days as (
    select
        overdue_invoice_days.account_id,
        overdue_invoice_days.date_day,
        count(*) as overdue_invoices,
        sum(
            overdue_invoice_days.amount_outstanding
            * month_rates.usd_per_unit
        ) as amount_overdue,
        min(overdue_invoice_days.due_date) as oldest_due_date
    from overdue_invoice_days
    left join month_rates
        on
            overdue_invoice_days.rate_month = month_rates.rate_month
            and overdue_invoice_days.currency = month_rates.currency
    group by overdue_invoice_days.account_id, overdue_invoice_days.date_day
),

final as (
    select
        cast(account_id as string) as account_id,
        cast(date_day as date) as date_day,
        cast(overdue_invoices as integer) as overdue_invoices,
        cast(round(amount_overdue, 2) as decimal(18, 2)) as amount_overdue,
        cast(oldest_due_date as date) as oldest_due_date,
        cast({{ dbt.datediff('oldest_due_date', 'date_day', 'day') }} as integer) as days_past_due,
        cast(case
            when {{ dbt.datediff('oldest_due_date', 'date_day', 'day') }} <= 30 then '1-30'
            when {{ dbt.datediff('oldest_due_date', 'date_day', 'day') }} <= 60 then '31-60'
            when {{ dbt.datediff('oldest_due_date', 'date_day', 'day') }} <= 90 then '61-90'
            else '90+'
        end as string) as aging_bucket
    from account_days
)

select * from final
