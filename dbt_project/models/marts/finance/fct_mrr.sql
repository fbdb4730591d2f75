{#
    One row per account per month (MRR-5), from the account's first paid month to the current
    month (`as_of`), $0 months after churn included; never a month after `as_of` (MRR-3).
#}

with

items_valued as (
    select * from {{ ref('int_subscription_items_valued_monthly') }}
),

exits as (
    select * from {{ ref('int_subscription_exits_classified') }}
),

currency_months as (
    select
        account_id,
        month_start,
        currency,
        sum(mrr_native) as mrr_native,
        max(usd_per_unit) as usd_per_unit,
        sum(mrr_usd) as mrr_usd
    from items_valued
    group by account_id, month_start, currency
),

account_first_paid_month as (
    select
        account_id,
        min(month_start) as first_paid_month
    from (
        select
            account_id,
            month_start
        from currency_months
        group by account_id, month_start
        having round(sum(mrr_usd), 2) > 0
    ) as paid_months
    group by account_id
),

months as (
    {{ month_series('(select min(first_paid_month) from account_first_paid_month)', as_of_date()) }}
),

account_months as (
    select
        account_first_paid_month.account_id,
        months.month_start,
        months.month_start = account_first_paid_month.first_paid_month as is_first_paid_month
    from account_first_paid_month
    inner join months
        on account_first_paid_month.first_paid_month <= months.month_start
),

-- each currency's MRR this month next to the same currency's MRR last month
currency_pairs as (
    select
        coalesce(this_month.account_id, last_month.account_id) as account_id,
        coalesce(this_month.month_start, {{ add_months('last_month.month_start', 1) }}) as month_start,
        coalesce(this_month.currency, last_month.currency) as currency,
        coalesce(this_month.mrr_native, 0) as mrr_native,
        coalesce(last_month.mrr_native, 0) as previous_mrr_native,
        this_month.usd_per_unit,
        last_month.usd_per_unit as previous_usd_per_unit,
        coalesce(this_month.mrr_usd, 0) as mrr_usd,
        coalesce(last_month.mrr_usd, 0) as previous_mrr_usd
    from currency_months as this_month
    full outer join currency_months as last_month
        on
            this_month.account_id = last_month.account_id
            and this_month.currency = last_month.currency
            and this_month.month_start = {{ add_months('last_month.month_start', 1) }}
),

-- MRR-7: the native MRR kept from last month, revalued at this month's rate, is fx impact;
-- new native MRR is valued at this month's rate, lost native MRR at last month's rate
currency_fx as (
    select
        *,
        case
            when mrr_native > 0 and previous_mrr_native > 0
                then least(mrr_native, previous_mrr_native) * (usd_per_unit - previous_usd_per_unit)
            else 0
        end as fx_impact_usd
    from currency_pairs
),

account_month_totals as (
    select
        account_id,
        month_start,
        sum(mrr_usd) as mrr_usd,
        sum(previous_mrr_usd) as previous_mrr_usd,
        sum(fx_impact_usd) as fx_impact_usd
    from currency_fx
    group by account_id, month_start
),

product_months as (
    select distinct
        account_id,
        month_start,
        product_id
    from items_valued
    where mrr_usd > 0
),

new_products as (
    select distinct
        this_month.account_id,
        this_month.month_start
    from product_months as this_month
    left join product_months as last_month
        on
            this_month.account_id = last_month.account_id
            and this_month.product_id = last_month.product_id
            and this_month.month_start = {{ add_months('last_month.month_start', 1) }}
    where last_month.product_id is null
),

involuntary_exits as (
    select distinct
        account_id,
        exit_month
    from exits
    where is_involuntary
),

amounts as (
    select
        account_months.account_id,
        account_months.month_start,
        account_months.is_first_paid_month,
        cast(round(coalesce(account_month_totals.mrr_usd, 0), 2) as decimal(18, 2)) as mrr,
        cast(round(coalesce(account_month_totals.previous_mrr_usd, 0), 2) as decimal(18, 2))
            as previous_mrr,
        -- the change not caused by exchange rates, rounded once; fx impact is the remainder
        cast(round(
            coalesce(account_month_totals.mrr_usd, 0)
            - coalesce(account_month_totals.previous_mrr_usd, 0)
            - coalesce(account_month_totals.fx_impact_usd, 0),
            2
        ) as decimal(18, 2)) as movement_mrr
    from account_months
    left join account_month_totals
        on
            account_months.account_id = account_month_totals.account_id
            and account_months.month_start = account_month_totals.month_start
),

-- MRR-6: the order of the tests is the rule (new, churn, reactivation, expansion, contraction)
classified as (
    select
        amounts.account_id,
        amounts.month_start,
        amounts.mrr,
        amounts.previous_mrr,
        amounts.mrr - amounts.previous_mrr as mrr_change,
        amounts.movement_mrr,
        amounts.mrr - amounts.previous_mrr - amounts.movement_mrr as fx_impact,
        case
            when amounts.is_first_paid_month then 'new'
            when amounts.previous_mrr > 0 and amounts.mrr = 0 then 'churn'
            when amounts.previous_mrr = 0 and amounts.mrr > 0 then 'reactivation'
            when amounts.movement_mrr > 0 then 'expansion'
            when amounts.movement_mrr < 0 then 'contraction'
            else 'unchanged'
        end as movement,
        involuntary_exits.account_id is not null as has_involuntary_exit,
        new_products.account_id is not null as has_new_product
    from amounts
    left join involuntary_exits
        on
            amounts.account_id = involuntary_exits.account_id
            and amounts.month_start = involuntary_exits.exit_month
    left join new_products
        on
            amounts.account_id = new_products.account_id
            and amounts.month_start = new_products.month_start
),

final as (
    select
        cast(account_id as string) as account_id,
        cast(month_start as date) as month,
        cast(mrr as decimal(18, 2)) as mrr,
        cast(previous_mrr as decimal(18, 2)) as previous_mrr,
        cast(mrr_change as decimal(18, 2)) as mrr_change,
        cast(movement as string) as movement,
        cast(movement_mrr as decimal(18, 2)) as movement_mrr,
        cast(fx_impact as decimal(18, 2)) as fx_impact,
        cast(case
            when movement = 'churn' and has_involuntary_exit then 'involuntary'
            when movement = 'churn' then 'voluntary'
        end as string) as churn_type,
        cast(case
            when movement = 'expansion' and has_new_product then 'cross_sell'
            when movement = 'expansion' then 'upsell'
        end as string) as expansion_type
    from classified
)

select * from final
