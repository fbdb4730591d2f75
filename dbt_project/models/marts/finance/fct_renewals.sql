{#
    One row per renewal opportunity (REN-1): a paid subscription term that ended by `as_of`.
#}

with

terms as (
    select * from {{ ref('int_subscription_terms_enumerated') }}
),

customers as (
    select * from {{ ref('int_stripe_customers_mapped') }}
),

valued_items as (
    select * from {{ ref('int_subscription_items_valued_at_renewals') }}
),

rates as (
    select * from {{ ref('stg_stripe__exchange_rates') }}
),

terms_with_account as (
    select
        terms.*,
        customers.account_id,
        {{ renewal_grace_ends_at('terms.term_end_at') }} as grace_ends_at,
        {{ month_start('terms.term_end_at') }} as term_end_month
    from terms
    inner join customers
        on terms.customer_id = customers.customer_id
),

-- due: the term's own subscription just before its end
due_items as (
    select
        terms_with_account.renewal_id,
        valued_items.product_id,
        valued_items.currency,
        valued_items.mrr_native
    from terms_with_account
    inner join valued_items
        on
            terms_with_account.renewal_id = valued_items.renewal_id
            and valued_items.valued_for = 'due'
            and terms_with_account.subscription_id = valued_items.subscription_id
),

due_products as (
    select distinct
        renewal_id,
        product_id
    from due_items
),

-- renewed: the account's items of the same products at the end of the grace period
renewed_items as (
    select
        due_products.renewal_id,
        valued_items.currency,
        valued_items.mrr_native
    from due_products
    inner join valued_items
        on
            due_products.renewal_id = valued_items.renewal_id
            and valued_items.valued_for = 'renewal'
            and due_products.product_id = valued_items.product_id
),

needed_rates as (
    select distinct
        terms_with_account.term_end_month,
        due_items.currency
    from due_items
    inner join terms_with_account
        on due_items.renewal_id = terms_with_account.renewal_id
    union
    select distinct
        terms_with_account.term_end_month,
        renewed_items.currency
    from renewed_items
    inner join terms_with_account
        on renewed_items.renewal_id = terms_with_account.renewal_id
),

month_rates as (
    {{ month_start_usd_rates('needed_rates', 'term_end_month') }}
),

due_usd as (
    select
        due_items.renewal_id,
        sum(due_items.mrr_native * month_rates.usd_per_unit) as mrr_due
    from due_items
    inner join terms_with_account
        on due_items.renewal_id = terms_with_account.renewal_id
    left join month_rates
        on
            terms_with_account.term_end_month = month_rates.term_end_month
            and due_items.currency = month_rates.currency
    group by due_items.renewal_id
),

renewed_usd as (
    select
        renewed_items.renewal_id,
        sum(renewed_items.mrr_native * month_rates.usd_per_unit) as renewed_mrr
    from renewed_items
    inner join terms_with_account
        on renewed_items.renewal_id = terms_with_account.renewal_id
    left join month_rates
        on
            terms_with_account.term_end_month = month_rates.term_end_month
            and renewed_items.currency = month_rates.currency
    group by renewed_items.renewal_id
),

outcomes as (
    select
        terms_with_account.renewal_id,
        terms_with_account.account_id,
        terms_with_account.subscription_id,
        terms_with_account.term_interval,
        terms_with_account.term_interval_count,
        terms_with_account.term_end_at,
        terms_with_account.term_end_month,
        terms_with_account.grace_ends_at,
        terms_with_account.grace_ends_at > cast({{ add_days(as_of_date(), 1) }} as timestamp)
            as is_pending,
        round(coalesce(due_usd.mrr_due, 0), 2) as mrr_due,
        round(coalesce(renewed_usd.renewed_mrr, 0), 2) as renewed_mrr_uncapped
    from terms_with_account
    left join due_usd
        on terms_with_account.renewal_id = due_usd.renewal_id
    left join renewed_usd
        on terms_with_account.renewal_id = renewed_usd.renewal_id
),

final as (
    select
        cast(renewal_id as string) as renewal_id,
        cast(account_id as string) as account_id,
        cast(subscription_id as string) as subscription_id,
        cast(term_interval as string) as term_interval,
        cast(term_interval_count as integer) as term_interval_count,
        cast(term_end_at as timestamp) as term_end_at,
        cast(term_end_month as date) as term_end_month,
        cast(grace_ends_at as timestamp) as grace_ends_at,
        cast(case
            when is_pending then 'pending'
            when renewed_mrr_uncapped > 0 then 'renewed'
            else 'not_renewed'
        end as string) as renewal_status,
        cast(case when not is_pending then renewed_mrr_uncapped > 0 end as boolean) as is_renewed,
        cast(mrr_due as decimal(18, 2)) as mrr_due,
        cast(case
            when not is_pending then least(renewed_mrr_uncapped, mrr_due)
        end as decimal(18, 2)) as renewed_mrr
    from outcomes
)

select * from final
