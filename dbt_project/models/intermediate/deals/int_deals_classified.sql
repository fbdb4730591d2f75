{#
    One row per HubSpot deal (RNW-2): its stage resolved through the pipeline stage metadata
    (label, probability, closed or open) and its category. An existingbusiness deal is a
    `renewal` when its pipeline's label contains the word in var `renewal_pipeline_keyword`
    (or its dealtype is `renewal`, an option some portals add), otherwise `expansion` (upsell,
    cross-sell); newbusiness deals are `new_business`. A deal is open when it is not archived
    and its stage is not closed. Its amount is in its `deal_currency_code` (USD when absent, a
    single-currency portal) and converted to USD at the rate of the `as_of` day (the latest rate
    on or before it, MRR-7's file): open deals are valued as of the refresh.
#}

with

deals as (
    select * from {{ ref('stg_hubspot__deals') }}
),

stages as (
    select * from {{ ref('stg_hubspot__deal_pipeline_stages') }}
),

rates as (
    select * from {{ ref('stg_stripe__exchange_rates') }}
),

deals_staged as (
    select
        deals.deal_id,
        deals.company_id as account_id,
        lower(deals.deal_type) as deal_type,
        deals.pipeline_id,
        stages.pipeline_label,
        deals.stage_id,
        stages.stage_label,
        stages.probability,
        coalesce(stages.is_closed, false) as is_stage_closed,
        deals.amount,
        coalesce(deals.currency, 'usd') as currency,
        {{ as_of_date() }} as rate_date,
        deals.close_at,
        deals.created_at,
        deals.is_archived
    from deals
    left join stages
        on
            deals.pipeline_id = stages.pipeline_id
            and deals.stage_id = stages.stage_id
),

as_of_rates as (
    {{ usd_rates_on_or_before('deals_staged', 'rate_date') }}
),

final as (
    select
        deals_staged.deal_id,
        deals_staged.account_id,
        deals_staged.deal_type,
        deals_staged.pipeline_id,
        deals_staged.pipeline_label,
        deals_staged.stage_id,
        deals_staged.stage_label,
        deals_staged.probability,
        deals_staged.amount,
        deals_staged.currency,
        deals_staged.amount * as_of_rates.usd_per_unit as amount_usd,
        deals_staged.close_at,
        cast(deals_staged.close_at as date) as close_date,
        deals_staged.created_at,
        case
            when deals_staged.deal_type = 'renewal' then 'renewal'
            when
                deals_staged.deal_type = 'existingbusiness'
                and lower(coalesce(deals_staged.pipeline_label, ''))
                like '%{{ var("renewal_pipeline_keyword") | lower }}%'
                then 'renewal'
            when deals_staged.deal_type = 'existingbusiness' then 'expansion'
            when deals_staged.deal_type = 'newbusiness' then 'new_business'
            else 'other'
        end as deal_category,
        not deals_staged.is_archived and not deals_staged.is_stage_closed as is_open
    from deals_staged
    left join as_of_rates
        on deals_staged.currency = as_of_rates.currency
)

select * from final
