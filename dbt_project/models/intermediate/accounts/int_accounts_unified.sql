{#
    One row per account: every HubSpot company, plus every account id that billing names
    (a Stripe customer's `metadata.hubspot_company_id` even when that company was not
    exported, or the Stripe customer id of a customer without a CRM link).
#}

with

companies as (
    select * from {{ ref('stg_hubspot__companies') }}
),

stripe_customers as (
    select * from {{ ref('int_stripe_customers_mapped') }}
),

stripe_accounts as (
    select
        account_id,
        bool_or(is_crm_linked) as is_crm_linked,
        {{ sorted_listagg('customer_id', "', '") }} as stripe_customer_ids,
        count(*) as stripe_customer_count
    from stripe_customers
    group by account_id
),

account_ids as (
    select company_id as account_id from companies
    union
    select account_id from stripe_accounts
),

final as (
    select
        account_ids.account_id,
        companies.company_id is not null as is_in_crm,
        companies.company_name as account_name,
        companies.domain,
        companies.segment,
        companies.industry,
        companies.employee_count,
        companies.lifecycle_stage,
        companies.owner_id,
        companies.created_at as crm_created_at,
        coalesce(companies.is_archived, false) as is_archived,
        stripe_accounts.stripe_customer_ids,
        coalesce(stripe_accounts.stripe_customer_count, 0) as stripe_customer_count
    from account_ids
    left join companies
        on account_ids.account_id = companies.company_id
    left join stripe_accounts
        on account_ids.account_id = stripe_accounts.account_id
)

select * from final
