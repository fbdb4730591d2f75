{#
    One row per subscription item per month in which it counts toward MRR, valued at the end
    of the month (at the end of the `as_of` day for the current month, MRR-3), after recurring
    discounts (MRR-2), converted to USD at the rate of the first day of the month (MRR-7; when
    the rate file has no rate for that day, the latest earlier rate).
#}

with

items as (
    select * from {{ ref('int_subscription_items_windowed') }}
    where counts_toward_mrr
),

discounts as (
    select * from {{ ref('int_subscription_discounts_windowed') }}
),

rates as (
    select * from {{ ref('stg_stripe__exchange_rates') }}
),

months as (
    {{ month_series('(select min(cast(items.paid_from as date)) from items)', as_of_date()) }}
),

-- the end of each month: the state just before the next month starts (or after `as_of`)
valuation_points as (
    select
        cast(month_start as string) as point_id,
        month_start,
        cast(least(
            {{ add_months('month_start', 1) }},
            {{ add_days(as_of_date(), 1) }}
        ) as timestamp) as valued_before
    from months
),

items_valued as (
    {{ value_subscription_items('items', 'discounts', 'valuation_points') }}
),

items_net as (
    select
        valuation_points.month_start,
        items_valued.*
    from items_valued
    inner join valuation_points
        on items_valued.point_id = valuation_points.point_id
),

rates_for_month as (
    {{ month_start_usd_rates('items_net', 'month_start') }}
),

final as (
    select
        items_net.subscription_item_id || '/' || cast(items_net.month_start as string)
            as subscription_item_month_id,
        items_net.month_start,
        items_net.account_id,
        items_net.customer_id,
        items_net.subscription_id,
        items_net.subscription_item_id,
        items_net.product_id,
        items_net.price_id,
        items_net.currency,
        items_net.quantity,
        items_net.recurring_interval,
        items_net.gross_mrr_native,
        items_net.mrr_native,
        case
            when items_net.currency = 'usd' then cast(1 as decimal(18, 10))
            else rates_for_month.usd_per_unit
        end as usd_per_unit,
        cast(items_net.mrr_native * case
            when items_net.currency = 'usd' then 1
            else rates_for_month.usd_per_unit
        end as decimal(28, 10)) as mrr_usd
    from items_net
    left join rates_for_month
        on
            items_net.month_start = rates_for_month.month_start
            and items_net.currency = rates_for_month.currency
)

select * from final
