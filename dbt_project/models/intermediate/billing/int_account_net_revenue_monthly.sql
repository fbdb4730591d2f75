{#
    One row per account per month with cash received: paid invoices (amount paid, tax
    excluded) in the month they were paid, minus succeeded refunds in the month they were
    made, in USD at the rate of the first day of that month (LTV-1 realised LTV). Refunds are
    cash only and never change MRR (MRR-8).
#}

with

invoices as (
    select * from {{ ref('stg_stripe__invoices') }}
),

refunds as (
    select * from {{ ref('stg_stripe__refunds') }}
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

payments as (
    select
        customer_id,
        {{ month_start('paid_at') }} as month_start,
        currency,
        -- tax is collected for the state, not revenue (MRR-2 keeps tax out as well)
        greatest(amount_paid - coalesce(tax, 0), 0) as amount,
        0 as refunded_amount
    from invoices
    where
        paid_at is not null
        and amount_paid > 0
        and not is_deleted
        and cast(paid_at as date) <= {{ as_of_date() }}
),

refunds_with_customer as (
    select
        coalesce(refunds.customer_id, charges.customer_id) as customer_id,
        {{ month_start('refunds.created_at') }} as month_start,
        refunds.currency,
        0 as amount,
        refunds.amount as refunded_amount
    from refunds
    left join charges
        on refunds.charge_id = charges.charge_id
    where
        refunds.status = 'succeeded'
        and cast(refunds.created_at as date) <= {{ as_of_date() }}
),

cash as (
    select * from payments
    union all
    select * from refunds_with_customer
),

month_rates as (
    {{ month_start_usd_rates('cash', 'month_start') }}
),

cash_usd as (
    select
        customers.account_id,
        cash.month_start,
        cash.amount * month_rates.usd_per_unit as paid_usd,
        cash.refunded_amount * month_rates.usd_per_unit as refunded_usd
    from cash
    inner join customers
        on cash.customer_id = customers.customer_id
    left join month_rates
        on
            cash.month_start = month_rates.month_start
            and cash.currency = month_rates.currency
),

final as (
    select
        account_id,
        month_start,
        cast(sum(paid_usd) as decimal(18, 2)) as paid_usd,
        cast(sum(refunded_usd) as decimal(18, 2)) as refunded_usd,
        cast(sum(paid_usd) - sum(refunded_usd) as decimal(18, 2)) as net_revenue_usd
    from cash_usd
    group by account_id, month_start
)

select * from final
