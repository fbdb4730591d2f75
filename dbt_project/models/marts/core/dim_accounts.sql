{#
    One row per account (account_id = HubSpot company id) as of `as_of`, the account 360
    (ACC-1): CRM attributes, billing links, the CSM owner (the company's hubspot_owner_id and
    that owner's name, null when the owner is unknown or deleted), revenue (MRR, ARR, current
    products; MRR-3), health now and its 30-day change (HLT-1), NPS over 180 days (NPS-1), CSAT
    over 90 days (CSAT-1), open tickets, the last CSM meeting, the next renewal (the earliest
    next term end after `as_of` and its ARR, RNW-2's projected terms) and billing (DLQ-1).
    None of these inputs depends on dim_accounts, so the dimension holds them without a cycle.
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

items_valued as (
    select * from {{ ref('int_subscription_items_valued_monthly') }}
    where month_start = {{ month_start(as_of_date()) }} and mrr_usd > 0
),

products as (
    select * from {{ ref('stg_stripe__products') }}
),

health as (
    select * from {{ ref('fct_account_health_daily') }}
    where date_day in ({{ as_of_date() }}, {{ add_days(as_of_date(), -30) }})
),

responses as (
    select * from {{ ref('int_survey_responses_attributed') }}
),

tickets as (
    select * from {{ ref('stg_hubspot__tickets') }}
    where not is_archived
),

ticket_stages as (
    select * from {{ ref('stg_hubspot__ticket_pipeline_stages') }}
),

meetings as (
    select * from {{ ref('stg_hubspot__meetings') }}
    where not is_archived and {{ is_csm_touch('outcome') }}
),

delinquency as (
    select * from {{ ref('fct_delinquency_daily') }}
    where date_day = {{ as_of_date() }}
),

projected_terms as (
    select * from {{ ref('int_subscription_terms_projected') }}
    where is_next_term
),

revenue_summary as (
    select
        account_id,
        min(case when mrr > 0 then month end) as first_paid_month,
        max(case when month = {{ month_start(as_of_date()) }} then mrr end) as current_mrr
    from mrr
    group by account_id
),

current_products as (
    select
        account_products.account_id,
        {{ dbt.listagg('account_products.product_name', "', '", 'order by account_products.product_name') }}
            as product_names
    from (
        select distinct
            items_valued.account_id,
            coalesce(products.product_name, items_valued.product_id) as product_name
        from items_valued
        left join products
            on items_valued.product_id = products.product_id
    ) as account_products
    group by account_products.account_id
),

health_change as (
    select
        account_id,
        max(case when date_day = {{ as_of_date() }} then health_score end) as health_score,
        max(case when date_day = {{ as_of_date() }} then health_band end) as health_band,
        max(case when date_day = {{ as_of_date() }} then top_risk_reason end) as top_risk_reason,
        max(case when date_day = {{ add_days(as_of_date(), -30) }} then health_score end)
            as health_score_30_days_ago
    from health
    group by account_id
),

-- NPS-1 over D-179..D, CSAT-1 over D-89..D (ACC-1)
voice_of_customer as (
    select
        account_id,
        count(
            case when survey_type = 'NPS' and response_date > {{ add_days(as_of_date(), -180) }} then 1 end
        ) as nps_responses,
        count(
            case
                when response_category = 'promoter' and response_date > {{ add_days(as_of_date(), -180) }}
                    then 1
            end
        ) as nps_promoters,
        count(
            case
                when response_category = 'detractor' and response_date > {{ add_days(as_of_date(), -180) }}
                    then 1
            end
        ) as nps_detractors,
        count(
            case when survey_type = 'CSAT' and response_date > {{ add_days(as_of_date(), -90) }} then 1 end
        ) as csat_ratings,
        count(
            case
                when response_category = 'satisfied' and response_date > {{ add_days(as_of_date(), -90) }}
                    then 1
            end
        ) as csat_satisfied
    from responses
    where account_id is not null
    group by account_id
),

-- a ticket is open at as_of when created by then and not closed by then (as HLT-1 counts it)
tickets_resolved as (
    select
        tickets.company_id as account_id,
        cast(tickets.created_at as date) as created_date,
        cast({{ ticket_closed_at('tickets', 'ticket_stages') }} as date) as closed_date
    from tickets
    left join ticket_stages
        on
            tickets.pipeline_id = ticket_stages.pipeline_id
            and tickets.stage_id = ticket_stages.stage_id
    where tickets.company_id is not null and tickets.created_at is not null
),

open_tickets as (
    select
        account_id,
        count(*) as open_tickets
    from tickets_resolved
    where
        created_date <= {{ as_of_date() }}
        and (closed_date is null or closed_date > {{ as_of_date() }})
    group by account_id
),

last_meetings as (
    select
        company_id as account_id,
        max(cast(meeting_at as date)) as last_meeting_date
    from meetings
    where company_id is not null and cast(meeting_at as date) <= {{ as_of_date() }}
    group by company_id
),

next_renewal_dates as (
    select
        account_id,
        min(term_end_date) as next_renewal_date
    from projected_terms
    group by account_id
),

next_renewals as (
    select
        next_renewal_dates.account_id,
        next_renewal_dates.next_renewal_date,
        sum(projected_terms.arr) as next_renewal_arr
    from next_renewal_dates
    inner join projected_terms
        on
            next_renewal_dates.account_id = projected_terms.account_id
            and next_renewal_dates.next_renewal_date = projected_terms.term_end_date
    group by next_renewal_dates.account_id, next_renewal_dates.next_renewal_date
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
        cast(coalesce(revenue_summary.current_mrr, 0) as decimal(18, 2)) as current_mrr,
        cast(12 * coalesce(revenue_summary.current_mrr, 0) as decimal(18, 2)) as current_arr,
        cast(current_products.product_names as string) as current_products,
        cast(health_change.health_score as double) as health_score,
        cast(health_change.health_band as string) as health_band,
        cast(health_change.health_score - health_change.health_score_30_days_ago as double)
            as health_score_change_30d,
        cast(health_change.top_risk_reason as string) as top_risk_reason,
        cast(
            100.0 * (voice_of_customer.nps_promoters - voice_of_customer.nps_detractors)
            / nullif(voice_of_customer.nps_responses, 0) as double
        ) as nps_180d,
        cast(coalesce(voice_of_customer.nps_responses, 0) as bigint) as nps_responses_180d,
        cast(
            100.0 * voice_of_customer.csat_satisfied / nullif(voice_of_customer.csat_ratings, 0) as double
        ) as csat_90d,
        cast(coalesce(voice_of_customer.csat_ratings, 0) as bigint) as csat_ratings_90d,
        cast(coalesce(open_tickets.open_tickets, 0) as bigint) as open_tickets,
        cast(last_meetings.last_meeting_date as date) as last_csm_meeting_date,
        cast(next_renewals.next_renewal_date as date) as next_renewal_date,
        cast(next_renewals.next_renewal_arr as decimal(18, 2)) as next_renewal_arr,
        cast(coalesce(delinquency.amount_overdue, 0) as decimal(18, 2)) as amount_overdue,
        cast(coalesce(delinquency.days_past_due, 0) as bigint) as days_past_due
    from accounts
    left join revenue_summary
        on accounts.account_id = revenue_summary.account_id
    left join owners
        on accounts.owner_id = owners.owner_id
    left join current_products
        on accounts.account_id = current_products.account_id
    left join health_change
        on accounts.account_id = health_change.account_id
    left join voice_of_customer
        on accounts.account_id = voice_of_customer.account_id
    left join open_tickets
        on accounts.account_id = open_tickets.account_id
    left join last_meetings
        on accounts.account_id = last_meetings.account_id
    left join next_renewals
        on accounts.account_id = next_renewals.account_id
    left join delinquency
        on accounts.account_id = delinquency.account_id
)

select * from final
