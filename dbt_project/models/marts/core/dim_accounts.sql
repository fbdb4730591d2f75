{#
    One row per account (account_id = HubSpot company id): CRM attributes, billing links and
    the current revenue state as of `as_of` (MRR-3), and the CSM owner (ACC-1): the company's
    hubspot_owner_id and that owner's name, null when the owner is unknown or deleted.
#}

with

accounts as (
    select * from {{ ref('int_accounts_unified') }}
),

mrr as (
    select * from {{ ref('fct_mrr') }}
),

owners as (
    select * from {{ ref('stg_hubspot__owners') }}
),

revenue_summary as (
    select
        account_id,
        min(case when mrr > 0 then month end) as first_paid_month,
        max(case when month = {{ month_start(as_of_date()) }} then mrr end) as current_mrr
    from mrr
    group by account_id
),

final as (
    select
        cast(accounts.account_id as string) as account_id,
        cast(accounts.account_name as string) as account_name,
        cast(accounts.domain as string) as domain,
        cast(accounts.segment as string) as segment,
        cast(accounts.industry as string) as industry,
        cast(accounts.employee_count as bigint) as employee_count,
        cast(accounts.lifecycle_stage as string) as lifecycle_stage,
        cast(accounts.owner_id as string) as owner_id,
        cast(accounts.owner_id as string) as csm_owner_id,
        cast(owners.owner_name as string) as csm_owner_name,
        cast(accounts.is_in_crm as boolean) as is_in_crm,
        cast(accounts.is_archived as boolean) as is_archived,
        cast(accounts.stripe_customer_ids as string) as stripe_customer_ids,
        cast(accounts.stripe_customer_count as integer) as stripe_customer_count,
        cast(revenue_summary.first_paid_month as date) as first_paid_month,
        cast(coalesce(revenue_summary.current_mrr, 0) > 0 as boolean) as is_paying,
        cast(coalesce(revenue_summary.current_mrr, 0) as decimal(18, 2)) as current_mrr
    from accounts
    left join revenue_summary
        on accounts.account_id = revenue_summary.account_id
    left join owners
        on accounts.owner_id = owners.owner_id
)

select * from final
