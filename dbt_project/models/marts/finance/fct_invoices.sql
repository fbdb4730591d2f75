{#
    One row per invoice that is not deleted, created on or before `as_of` (CASH-1): amounts in
    native units and in USD at the rate of the day it was finalized (MRR-7's rate file, latest
    rate on or before that day), and whether it was recovered after a failed charge.
    A charge names its invoice only in API shapes before 2025-03-31 (`charge.invoice`); a
    failed charge without that link cannot be attributed to an invoice and is left out of
    first_failed_charge_at and is_recovered (it still counts in fct_payments).
#}

with

invoices as (
    select * from {{ ref('stg_stripe__invoices') }}
),

charges as (
    select * from {{ ref('stg_stripe__charges') }}
),

customers as (
    select * from {{ ref('int_stripe_customers_mapped') }}
),

rates as (
    select * from {{ ref('stg_stripe__exchange_rates') }}
),

invoices_as_of as (
    select
        *,
        cast(finalized_at as date) as finalized_date
    from invoices
    where
        not is_deleted
        and cast(created_at as date) <= {{ as_of_date() }}
),

-- the first failed charge of each invoice, among charges that name it
first_failures as (
    select
        invoice_id,
        min(created_at) as first_failed_charge_at
    from charges
    where
        status = 'failed'
        and invoice_id is not null
        and cast(created_at as date) <= {{ as_of_date() }}
    group by invoice_id
),

finalization_rates as (
    {{ usd_rates_on_or_before('invoices_as_of', 'finalized_date') }}
),

invoices_enriched as (
    select
        invoices_as_of.invoice_id,
        customers.account_id,
        invoices_as_of.status,
        invoices_as_of.currency,
        invoices_as_of.total,
        invoices_as_of.amount_paid,
        invoices_as_of.amount_remaining,
        finalization_rates.usd_per_unit,
        invoices_as_of.finalized_at,
        invoices_as_of.paid_at,
        invoices_as_of.due_at,
        first_failures.first_failed_charge_at
    from invoices_as_of
    left join customers
        on invoices_as_of.customer_id = customers.customer_id
    left join finalization_rates
        on
            invoices_as_of.finalized_date = finalization_rates.finalized_date
            and invoices_as_of.currency = finalization_rates.currency
    left join first_failures
        on invoices_as_of.invoice_id = first_failures.invoice_id
),

-- CASH-1: paid within 30 days after the first failed charge (a payment after as_of has not happened yet)
recovery as (
    select
        *,
        case
            when first_failed_charge_at is null then null
            when paid_at is null then false
            else
                paid_at <= {{ dbt.dateadd('day', 30, 'first_failed_charge_at') }}
                and cast(paid_at as date) <= {{ as_of_date() }}
        end as is_recovered
    from invoices_enriched
),

final as (
    select
        cast(invoice_id as string) as invoice_id,
        cast(account_id as string) as account_id,
        cast(status as string) as status,
        cast(currency as string) as currency,
        cast(total as decimal(24, 6)) as total,
        cast(amount_paid as decimal(24, 6)) as amount_paid,
        cast(amount_remaining as decimal(24, 6)) as amount_remaining,
        cast(round(total * usd_per_unit, 2) as decimal(18, 2)) as total_usd,
        cast(round(amount_paid * usd_per_unit, 2) as decimal(18, 2)) as amount_paid_usd,
        cast(round(amount_remaining * usd_per_unit, 2) as decimal(18, 2)) as amount_remaining_usd,
        cast(finalized_at as timestamp) as finalized_at,
        cast(paid_at as timestamp) as paid_at,
        cast(due_at as timestamp) as due_at,
        cast(first_failed_charge_at as timestamp) as first_failed_charge_at,
        cast(is_recovered as boolean) as is_recovered
    from recovery
)

select * from final
