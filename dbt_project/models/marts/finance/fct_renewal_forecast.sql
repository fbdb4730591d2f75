{#
    One row per subscription term up for renewal as of `as_of` (RNW-2): every paid term ending
    in (as_of, as_of + 90 days], its ARR (MRR x 12 at `as_of`), the account's health now and its
    30-day change, the account's open renewal deal closing within 30 days of the term end (the
    nearest close date wins), and the forecast ARR: ARR x the deal stage's probability, else x
    the trailing-12-month dollar renewal rate (REN-1) of terms whose account was in the same
    health band on the term's last day.
#}

with

terms as (
    select * from {{ ref('int_subscription_terms_projected') }}
    where is_in_forecast_window
),

health as (
    select * from {{ ref('fct_account_health_daily') }}
),

renewals as (
    select * from {{ ref('fct_renewals') }}
    where renewal_status != 'pending'
),

deals as (
    select * from {{ ref('int_deals_classified') }}
    where is_open and deal_category = 'renewal'
),

health_now as (
    select
        account_id,
        health_score,
        health_band
    from health
    where date_day = {{ as_of_date() }}
),

health_30_days_ago as (
    select
        account_id,
        health_score,
        health_band
    from health
    where date_day = {{ add_days(as_of_date(), -30) }}
),

-- REN-1 outcomes of the trailing 12 months, by the band the account had on the term's last day
renewals_banded as (
    select
        health.health_band,
        renewals.mrr_due,
        renewals.renewed_mrr
    from renewals
    inner join health
        on
            renewals.account_id = health.account_id
            and health.date_day = {{ add_days('cast(renewals.term_end_at as date)', -1) }}
    where
        renewals.term_end_at >= cast({{ add_months(add_days(as_of_date(), 1), -12) }} as timestamp)
        and renewals.term_end_at < cast({{ add_days(as_of_date(), 1) }} as timestamp)
),

band_renewal_rates as (
    select
        health_band,
        count(*) as terms_in_rate,
        sum(renewed_mrr) / nullif(sum(mrr_due), 0) as dollar_renewal_rate
    from renewals_banded
    group by health_band
),

deal_matches as (
    select
        terms.renewal_id,
        deals.deal_id,
        deals.stage_label,
        deals.probability,
        deals.amount_usd,
        deals.close_date,
        row_number() over (
            partition by terms.renewal_id
            order by
                abs({{ dbt.datediff('terms.term_end_date', 'deals.close_date', 'day') }}),
                deals.close_date,
                deals.deal_id
        ) as match_rank
    from terms
    inner join deals
        on
            terms.account_id = deals.account_id
            and deals.close_date between {{ add_days('terms.term_end_date', '-' ~ var('renewal_deal_match_days')) }}
            and {{ add_days('terms.term_end_date', var('renewal_deal_match_days')) }}
),

terms_enriched as (
    select
        terms.*,
        health_now.health_score,
        health_now.health_band,
        health_30_days_ago.health_score as health_score_30_days_ago,
        health_30_days_ago.health_band as health_band_30_days_ago,
        deal_matches.deal_id as renewal_deal_id,
        deal_matches.stage_label as renewal_deal_stage,
        deal_matches.probability as renewal_deal_probability,
        deal_matches.amount_usd as renewal_deal_amount,
        deal_matches.close_date as renewal_deal_close_date,
        band_renewal_rates.dollar_renewal_rate as band_renewal_rate,
        band_renewal_rates.terms_in_rate as band_renewal_rate_terms
    from terms
    left join health_now
        on terms.account_id = health_now.account_id
    left join health_30_days_ago
        on terms.account_id = health_30_days_ago.account_id
    left join deal_matches
        on
            terms.renewal_id = deal_matches.renewal_id
            and deal_matches.match_rank = 1
    left join band_renewal_rates
        on health_now.health_band = band_renewal_rates.health_band
),

forecasts as (
    select
        *,
        case
            when renewal_deal_probability is not null then 'deal_stage_probability'
            when band_renewal_rate is not null then 'health_band_renewal_rate'
            else 'none'
        end as forecast_method,
        coalesce(renewal_deal_probability, band_renewal_rate) as forecast_rate
    from terms_enriched
),

final as (
    select
        cast(renewal_id as string) as renewal_id,
        cast({{ as_of_date() }} as date) as as_of_date,
        cast(account_id as string) as account_id,
        cast(subscription_id as string) as subscription_id,
        cast(term_interval as string) as term_interval,
        cast(term_interval_count as bigint) as term_interval_count,
        cast(term_end_at as timestamp) as term_end_at,
        cast(term_end_date as date) as term_end_date,
        cast({{ dbt.datediff(as_of_date(), 'term_end_date', 'day') }} as bigint) as days_until_term_end,
        cast(is_next_term as boolean) as is_next_term,
        cast(is_cancel_scheduled as boolean) as is_cancel_scheduled,
        cast(mrr as decimal(18, 2)) as mrr_due,
        cast(arr as decimal(18, 2)) as arr_due,
        cast(health_score as double) as health_score,
        cast(health_band as string) as health_band,
        cast(health_score_30_days_ago as double) as health_score_30_days_ago,
        cast(health_band_30_days_ago as string) as health_band_30_days_ago,
        cast(health_score - health_score_30_days_ago as double) as health_score_change_30d,
        cast(renewal_deal_id as string) as renewal_deal_id,
        cast(renewal_deal_stage as string) as renewal_deal_stage,
        cast(renewal_deal_probability as double) as renewal_deal_probability,
        cast(renewal_deal_amount as decimal(18, 2)) as renewal_deal_amount,
        cast(renewal_deal_close_date as date) as renewal_deal_close_date,
        cast(band_renewal_rate as double) as band_renewal_rate,
        cast(band_renewal_rate_terms as bigint) as band_renewal_rate_terms,
        cast(forecast_method as string) as forecast_method,
        cast(forecast_rate as double) as forecast_rate,
        cast(round(arr * forecast_rate, 2) as decimal(18, 2)) as forecast_arr
    from forecasts
)

select * from final
