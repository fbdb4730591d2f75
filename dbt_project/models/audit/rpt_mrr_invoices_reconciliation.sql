{#
    MRR vs the recurring invoice lines in service at the end of each complete month, in USD.

    MRR-3 values an account at the end of the month, so the invoice side is taken at the same
    moment: every subscription line (regular and proration, net of its discounts) of a paid or
    open invoice whose service period covers the month's last second, at its monthly value
    (MRR-1: its amount / the calendar months of its period, so an annual $2,000 line counts
    $166.67). A mid-term seat or tier change shows up in the invoices only as a pair of
    proration lines (credit for the old quantity, charge for the new one, to the period end),
    so they are part of the comparison; an account that started on the 20th counts in full on
    both sides. USD at the rate on or before the month's first day (MRR-7).

    What remains is small: one-time coupons, metered prices (0 MRR, MRR-2), subscriptions
    ended mid-period while their invoice stays open. billed_usd shows lines by the month their
    period starts (annual terms make spikes): a report column, not compared.
#}

with

invoices as (
    select * from {{ ref('stg_stripe__invoices') }}
),

invoice_lines as (
    select * from {{ ref('stg_stripe__invoice_lines') }}
),

rates as (
    select * from {{ ref('stg_stripe__exchange_rates') }}
),

mrr as (
    select * from {{ ref('fct_mrr') }}
),

recurring_lines as (
    select
        invoice_lines.currency,
        invoice_lines.amount,
        invoice_lines.discount_amount,
        invoice_lines.is_proration,
        invoice_lines.period_start_at,
        invoice_lines.period_end_at,
        -- month boundaries between the period's start and end
        {{ dbt.datediff('invoice_lines.period_start_at', 'invoice_lines.period_end_at', 'month') }}
            as month_boundaries
    from invoice_lines
    inner join invoices
        on invoice_lines.invoice_id = invoices.invoice_id
    where
        invoices.status in ('paid', 'open')
        and invoice_lines.subscription_id is not null
        and invoice_lines.period_end_at > invoice_lines.period_start_at
),

-- whole calendar months of the period, counted from its end (a proration line runs from the
-- change to the period end) unless it is whole months from its start (a period anchored on
-- the 31st runs Jan 31 to Feb 28)
whole_months as (
    select
        *,
        case
            when
                {{ dbt.dateadd('month', 'month_boundaries', 'period_start_at') }}
                = period_end_at
                then month_boundaries
            when
                {{ dbt.dateadd('month', '-month_boundaries', 'period_end_at') }}
                >= period_start_at
                then month_boundaries
            else month_boundaries - 1
        end as months_whole
    from recurring_lines
),

-- the part month left after the whole ones, as a fraction of the calendar month it lies in
period_months as (
    select
        *,
        months_whole + case
            when {{ dbt.dateadd('month', 'months_whole', 'period_start_at') }} = period_end_at
                then 0
            else
                cast({{ dbt.datediff(
                    'period_start_at',
                    dbt.dateadd('month', '-months_whole', 'period_end_at'),
                    'second'
                ) }} as double)
                / {{ dbt.datediff(
                    dbt.dateadd('month', '-(months_whole + 1)', 'period_end_at'),
                    dbt.dateadd('month', '-months_whole', 'period_end_at'),
                    'second'
                ) }}
        end as period_months
    from whole_months
),

months as (
    select distinct
        month,
        {{ dbt.dateadd('second', -1, dbt.dateadd('month', 1, 'cast(month as timestamp)')) }}
            as month_end_at
    from mrr
    where month < {{ month_start(as_of_date()) }}
),

in_service as (
    select
        months.month,
        period_months.currency,
        period_months.is_proration,
        period_months.amount / period_months.period_months as gross,
        (period_months.amount - period_months.discount_amount) / period_months.period_months
            as net
    from months
    inner join period_months
        on
            months.month_end_at >= period_months.period_start_at
            and months.month_end_at < period_months.period_end_at
),

billed as (
    select
        {{ month_start('period_start_at') }} as month,
        currency,
        amount as gross
    from period_months
    where not is_proration
),

in_service_rates as (
    {{ month_start_usd_rates('in_service', 'month') }}
),

billed_rates as (
    {{ month_start_usd_rates('billed', 'month') }}
),

in_service_by_month as (
    select
        in_service.month,
        sum(in_service.gross * in_service_rates.usd_per_unit) as in_service_gross_usd,
        sum(in_service.net * in_service_rates.usd_per_unit) as in_service_net_usd,
        sum(case when in_service.is_proration then in_service.net * in_service_rates.usd_per_unit end)
            as prorations_net_usd,
        sum(case when in_service_rates.usd_per_unit is null then 1 else 0 end)
            as lines_without_rate
    from in_service
    left join in_service_rates
        on
            in_service.month = in_service_rates.month
            and in_service.currency = in_service_rates.currency
    group by in_service.month
),

billed_by_month as (
    select
        billed.month,
        sum(billed.gross * billed_rates.usd_per_unit) as billed_usd
    from billed
    left join billed_rates
        on
            billed.month = billed_rates.month
            and billed.currency = billed_rates.currency
    group by billed.month
),

mrr_by_month as (
    select
        month,
        sum(mrr) as mrr
    from mrr
    group by month
),

final as (
    select
        months.month,
        cast(mrr_by_month.mrr as decimal(18, 2)) as mrr,
        cast(coalesce(billed_by_month.billed_usd, 0) as decimal(18, 2)) as billed_usd,
        cast(coalesce(in_service_by_month.in_service_gross_usd, 0) as decimal(18, 2))
            as in_service_gross_usd,
        cast(coalesce(in_service_by_month.prorations_net_usd, 0) as decimal(18, 2))
            as prorations_net_usd,
        cast(coalesce(in_service_by_month.in_service_net_usd, 0) as decimal(18, 2))
            as in_service_net_usd,
        coalesce(in_service_by_month.lines_without_rate, 0) as lines_without_rate,
        -- the ratio of the cent-rounded amounts this row reports
        cast(cast(coalesce(in_service_by_month.in_service_net_usd, 0) as decimal(18, 2)) as double)
        / nullif(cast(mrr_by_month.mrr as double), 0) as in_service_to_mrr
    from months
    inner join mrr_by_month
        on months.month = mrr_by_month.month
    left join in_service_by_month
        on months.month = in_service_by_month.month
    left join billed_by_month
        on months.month = billed_by_month.month
)

select * from final
