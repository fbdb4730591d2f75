{#
    One row per charge and per refund created on or before `as_of` (CASH-1): payment_type
    charge or refund, status, amounts in native units and in USD at the rate of the day it was
    created (MRR-7's rate file, latest rate on or before that day). Amounts are positive; a
    refund reduces collected cash in fct_cash_monthly. Refunds never change MRR (MRR-8).
#}

with

charges as (
    select * from {{ ref('stg_stripe__charges') }}
),

refunds as (
    select * from {{ ref('stg_stripe__refunds') }}
),

customers as (
    select * from {{ ref('int_stripe_customers_mapped') }}
),

rates as (
    select * from {{ ref('stg_stripe__exchange_rates') }}
),

charge_payments as (
    select
        charge_id as payment_id,
        'charge' as payment_type,
        charge_id,
        invoice_id,
        customer_id,
        status,
        currency,
        amount,
        created_at,
        failure_code
    from charges
),

-- a refund's customer and invoice are its charge's when the refund does not name them
refund_payments as (
    select
        refunds.refund_id as payment_id,
        'refund' as payment_type,
        refunds.charge_id,
        charges.invoice_id,
        coalesce(refunds.customer_id, charges.customer_id) as customer_id,
        refunds.status,
        refunds.currency,
        refunds.amount,
        refunds.created_at,
        cast(null as string) as failure_code
    from refunds
    left join charges
        on refunds.charge_id = charges.charge_id
),

payments as (
    select
        *,
        cast(created_at as date) as created_date
    from (
        select * from charge_payments
        union all
        select * from refund_payments
    ) as all_payments
    where cast(created_at as date) <= {{ as_of_date() }}
),

day_rates as (
    {{ usd_rates_on_or_before('payments', 'created_date') }}
),

final as (
    select
        cast(payments.payment_id as string) as payment_id,
        cast(payments.payment_type as string) as payment_type,
        cast(payments.charge_id as string) as charge_id,
        cast(payments.invoice_id as string) as invoice_id,
        cast(customers.account_id as string) as account_id,
        cast(payments.status as string) as status,
        cast(payments.currency as string) as currency,
        cast(payments.amount as decimal(24, 6)) as amount,
        cast(round(payments.amount * day_rates.usd_per_unit, 2) as decimal(18, 2)) as amount_usd,
        cast(payments.created_at as timestamp) as created_at,
        cast(payments.failure_code as string) as failure_code
    from payments
    left join customers
        on payments.customer_id = customers.customer_id
    left join day_rates
        on
            payments.created_date = day_rates.created_date
            and payments.currency = day_rates.currency
)

select * from final
