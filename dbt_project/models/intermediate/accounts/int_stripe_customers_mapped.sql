{#
    One row per Stripe customer (any customer a subscription or invoice names, even when the
    customer object itself was never exported), with its account: the HubSpot company id in
    `metadata.hubspot_company_id`, else the Stripe customer id itself so that no revenue is
    lost (flagged `is_crm_linked = false`).
#}

with

customers as (
    select * from {{ ref('stg_stripe__customers') }}
),

subscriptions as (
    select distinct customer_id from {{ ref('stg_stripe__subscription_versions') }}
),

invoices as (
    select distinct customer_id from {{ ref('stg_stripe__invoices') }}
),

customer_ids as (
    select customer_id from customers
    union
    select customer_id from subscriptions
    union
    select customer_id from invoices
),

final as (
    select
        customer_ids.customer_id,
        coalesce(customers.hubspot_company_id, customer_ids.customer_id) as account_id,
        customers.hubspot_company_id is not null as is_crm_linked,
        customers.currency,
        customers.created_at,
        coalesce(customers.is_deleted, false) as is_deleted
    from customer_ids
    left join customers
        on customer_ids.customer_id = customers.customer_id
    where customer_ids.customer_id is not null
)

select * from final
