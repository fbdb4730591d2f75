{#
    Per month and currency: paid invoice totals vs succeeded charges, refunds beside them.
    Stripe never lowers an invoice's amount_paid when its charge is refunded (a refund is a
    cash movement of its own), so the identity is paid invoices = succeeded charges (gross);
    net cash = charges - refunds is reported, not compared. Invoices paid out of band (no
    charge) are left out. Amounts in minor units, as the tolerance is:
    max(var payments_tolerance_minor_units, var payments_tolerance_ratio x paid).
#}

with

invoices as (
    select * from {{ ref('stg_stripe__invoices') }}
),

charges as (
    select * from {{ ref('stg_stripe__charges') }}
),

refunds as (
    select * from {{ ref('stg_stripe__refunds') }}
),

paid_invoices as (
    select
        {{ month_start('coalesce(paid_at, created_at)') }} as month,
        currency,
        amount_paid * {{ stripe_minor_units_per_unit('currency') }} as amount_minor
    from invoices
    where status = 'paid' and not is_paid_out_of_band and not is_deleted
),

succeeded_charges as (
    select
        {{ month_start('created_at') }} as month,
        currency,
        amount * {{ stripe_minor_units_per_unit('currency') }} as amount_minor
    from charges
    where status = 'succeeded'
),

succeeded_refunds as (
    select
        {{ month_start('created_at') }} as month,
        currency,
        amount * {{ stripe_minor_units_per_unit('currency') }} as amount_minor
    from refunds
    where status = 'succeeded'
),

paid as (
    select
        month,
        currency,
        sum(amount_minor) as paid_invoices
    from paid_invoices
    group by month, currency
),

charged as (
    select
        month,
        currency,
        sum(amount_minor) as succeeded_charges
    from succeeded_charges
    group by month, currency
),

refunded as (
    select
        month,
        currency,
        sum(amount_minor) as refunds
    from succeeded_refunds
    group by month, currency
),

months_and_currencies as (
    select
        month,
        currency
    from paid
    union
    select
        month,
        currency
    from charged
    union
    select
        month,
        currency
    from refunded
),

joined as (
    select
        months_and_currencies.month,
        months_and_currencies.currency,
        coalesce(paid.paid_invoices, 0) as paid_invoices,
        coalesce(charged.succeeded_charges, 0) as succeeded_charges,
        coalesce(refunded.refunds, 0) as refunds
    from months_and_currencies
    left join paid
        on
            months_and_currencies.month = paid.month
            and months_and_currencies.currency = paid.currency
    left join charged
        on
            months_and_currencies.month = charged.month
            and months_and_currencies.currency = charged.currency
    left join refunded
        on
            months_and_currencies.month = refunded.month
            and months_and_currencies.currency = refunded.currency
    where months_and_currencies.month <= {{ as_of_date() }}
),

with_tolerance as (
    select
        *,
        greatest(
            {{ var('payments_tolerance_minor_units') }},
            {{ var('payments_tolerance_ratio') }} * paid_invoices
        ) as tolerance
    from joined
),

final as (
    select
        month,
        currency,
        cast(paid_invoices as decimal(24, 2)) as paid_invoices,
        cast(succeeded_charges as decimal(24, 2)) as succeeded_charges,
        cast(refunds as decimal(24, 2)) as refunds,
        cast(succeeded_charges - refunds as decimal(24, 2)) as net_cash,
        cast(paid_invoices - succeeded_charges as decimal(24, 2)) as difference,
        cast(tolerance as decimal(24, 2)) as tolerance,
        cast(
            greatest(abs(paid_invoices - succeeded_charges) - tolerance, 0) as decimal(24, 2)
        ) as beyond_tolerance
    from with_tolerance
)

select * from final
