{#
    One row per subscription item counting toward MRR at either point of a renewal opportunity
    of its account (REN-1): just before the term ends (`due`) and at the end of the grace
    period (`renewal`), valued after recurring discounts in its price currency (MRR-1, MRR-2).
    fct_renewals decides from these rows what was due and what renewed. A model of its own so
    that the valuation is planned once: written twice inside fct_renewals, Spark spent ~30 s
    planning that one model.
#}

with

terms as (
    select * from {{ ref('int_subscription_terms_enumerated') }}
),

customers as (
    select * from {{ ref('int_stripe_customers_mapped') }}
),

items as (
    select * from {{ ref('int_subscription_items_windowed') }}
    where counts_toward_mrr
),

discounts as (
    select * from {{ ref('int_subscription_discounts_windowed') }}
),

terms_with_account as (
    select
        terms.renewal_id,
        terms.term_end_at,
        customers.account_id
    from terms
    inner join customers
        on terms.customer_id = customers.customer_id
),

valuation_points as (
    select
        renewal_id || ':due' as point_id,
        renewal_id,
        'due' as valued_for,
        account_id,
        cast(term_end_at as timestamp) as valued_before
    from terms_with_account
    union all
    select
        renewal_id || ':renewal' as point_id,
        renewal_id,
        'renewal' as valued_for,
        account_id,
        cast({{ renewal_grace_ends_at('term_end_at') }} as timestamp) as valued_before
    from terms_with_account
),

items_valued as (
    {{ value_subscription_items('items', 'discounts', 'valuation_points', by_account=true) }}
),

final as (
    select
        cast(items_valued.point_id || '/' || items_valued.subscription_item_window_id as string)
            as renewal_item_id,
        cast(valuation_points.renewal_id as string) as renewal_id,
        cast(valuation_points.valued_for as string) as valued_for,
        cast(items_valued.subscription_id as string) as subscription_id,
        cast(items_valued.product_id as string) as product_id,
        cast(items_valued.currency as string) as currency,
        items_valued.mrr_native
    from items_valued
    inner join valuation_points
        on items_valued.point_id = valuation_points.point_id
)

select * from final
