{#
    One row per deal pipeline, stage and close month of the open expansion deals as of
    `as_of` (RNW-2): existingbusiness deals that are not renewals (upsell, cross-sell), not
    archived, in a stage that is not closed. Count, amount (USD at the `as_of` day's rate) and
    amount x the stage's probability (pipeline stage metadata).
#}

with

deals as (
    select * from {{ ref('int_deals_classified') }}
    where is_open and deal_category = 'expansion'
),

pipeline as (
    select
        pipeline_id,
        pipeline_label,
        stage_id,
        stage_label,
        probability,
        {{ month_start('close_date') }} as close_month,
        count(*) as open_deals,
        count(amount_usd) as deals_with_amount,
        sum(amount_usd) as amount,
        sum(amount_usd * probability) as weighted_amount
    from deals
    group by
        pipeline_id,
        pipeline_label,
        stage_id,
        stage_label,
        probability,
        {{ month_start('close_date') }}
),

final as (
    select
        cast({{ as_of_date() }} as date) as as_of_date,
        cast(pipeline_id as string) as pipeline_id,
        cast(pipeline_label as string) as pipeline_label,
        cast(stage_id as string) as stage_id,
        cast(stage_label as string) as stage_label,
        cast(probability as double) as stage_probability,
        cast(close_month as date) as close_month,
        cast(open_deals as bigint) as open_deals,
        cast(deals_with_amount as bigint) as deals_with_amount,
        cast(coalesce(amount, 0) as decimal(18, 2)) as amount,
        cast(round(coalesce(weighted_amount, 0), 2) as decimal(18, 2)) as weighted_amount
    from pipeline
)

select * from final
