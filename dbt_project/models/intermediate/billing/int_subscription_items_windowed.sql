{#
    One row per subscription item per subscription window (int_subscription_versions_windowed),
    with the item's monthly value in the price's currency (MRR-1) before discounts: its
    amount per billing period / months in the interval (month: interval_count; year:
    12 x interval_count; week: interval_count x 12/52; day: interval_count x 12/365). The
    amount per period is unit_amount x quantity, or for a tiered price its tiers at the
    quantity (MRR-2, int_subscription_items_tier_priced).
    `counts_toward_mrr` applies MRR-2: licensed recurring prices with an amount > 0, in a
    subscription that is active or past_due. Metered, free and one-time prices count 0.
#}

with

windows as (
    select * from {{ ref('int_subscription_versions_windowed') }}
),

items as (
    select * from {{ ref('stg_stripe__subscription_item_versions') }}
),

tier_priced as (
    select * from {{ ref('int_subscription_items_tier_priced') }}
),

customers as (
    select * from {{ ref('int_stripe_customers_mapped') }}
),

items_in_windows as (
    select
        windows.subscription_window_id,
        windows.subscription_id,
        windows.customer_id,
        windows.status,
        windows.is_counting_status,
        windows.effective_from as window_from,
        -- an item cannot be in effect before it was created (matters for backfilled windows)
        greatest(windows.paid_from, coalesce(items.item_created_at, windows.paid_from)) as paid_from,
        windows.effective_to,
        items.subscription_item_id,
        items.price_id,
        items.product_id,
        coalesce(items.currency, windows.currency) as currency,
        items.unit_amount,
        items.price_type,
        items.billing_scheme,
        items.recurring_interval,
        coalesce(items.recurring_interval_count, 1) as recurring_interval_count,
        items.recurring_usage_type,
        coalesce(items.quantity, 1) as quantity,
        case
            when items.billing_scheme = 'tiered' then tier_priced.tiered_amount
            else items.unit_amount * coalesce(items.quantity, 1)
        end as period_amount
    from windows
    inner join items
        on windows.subscription_version_id = items.subscription_version_id
    left join tier_priced
        on
            items.subscription_version_id = tier_priced.subscription_version_id
            and items.subscription_item_id = tier_priced.subscription_item_id
),

normalised as (
    select
        *,
        case recurring_interval
            when 'month' then 1.0 * recurring_interval_count
            when 'year' then 12.0 * recurring_interval_count
            when 'week' then recurring_interval_count * 12.0 / 52.0
            when 'day' then recurring_interval_count * 12.0 / 365.0
        end as months_in_interval
    from items_in_windows
),

final as (
    select
        normalised.subscription_window_id || '/' || normalised.subscription_item_id
            as subscription_item_window_id,
        normalised.subscription_window_id,
        normalised.subscription_id,
        normalised.customer_id,
        customers.account_id,
        normalised.subscription_item_id,
        normalised.price_id,
        normalised.product_id,
        normalised.currency,
        normalised.status,
        normalised.window_from,
        normalised.paid_from,
        normalised.effective_to,
        normalised.quantity,
        normalised.unit_amount,
        normalised.recurring_interval,
        normalised.recurring_interval_count,
        normalised.recurring_usage_type,
        normalised.months_in_interval,
        normalised.price_type = 'recurring'
        and normalised.recurring_usage_type = 'licensed' as is_licensed_recurring,
        cast(coalesce(
            normalised.period_amount / normalised.months_in_interval,
            0
        ) as decimal(28, 10)) as gross_mrr_native,
        normalised.is_counting_status
        and normalised.price_type = 'recurring'
        and normalised.recurring_usage_type = 'licensed'
        and coalesce(normalised.period_amount, 0) > 0
        and normalised.quantity > 0
        and normalised.months_in_interval > 0 as counts_toward_mrr
    from normalised
    left join customers
        on normalised.customer_id = customers.customer_id
)

select * from final
