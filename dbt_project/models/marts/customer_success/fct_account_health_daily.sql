{#
    One row per paying account per day up to `as_of` (HLT-1): each component score 0-100
    (null without data), the health score = weighted mean of the components with data (their
    weights redistributed), its band, and the component that pulls the score down most.
    Every weight and threshold comes from the seed `health_score_config`.
#}

with

inputs as (
    select * from {{ ref('int_account_health_inputs_daily') }}
),

config_rows as (
    select * from {{ ref('health_score_config') }}
),

config as (
    select
        {% for parameter in [
            'weight_engagement_trend', 'weight_seat_utilisation', 'weight_nps', 'weight_support',
            'weight_billing', 'weight_csm_touch', 'engagement_ratio_zero', 'engagement_ratio_full',
            'seat_utilisation_zero', 'seat_utilisation_full', 'open_ticket_penalty',
            'billing_zero_at_days_past_due', 'touch_full_days', 'touch_zero_days',
            'band_green_min', 'band_yellow_min'
        ] %}
        max(case when parameter = '{{ parameter }}' then value end) as {{ parameter }}{% if not loop.last %},{% endif %}
            {% endfor %}
    from config_rows
),

-- a score is a linear ramp between a "zero" and a "full" threshold, clamped to 0..100
component_scores as (
    select
        inputs.account_id,
        inputs.date_day,
        case
            when inputs.mau is null then null
            when inputs.mau_28_days_before = 0 then case when inputs.mau > 0 then 100.0 else 0.0 end
            else least(100.0, greatest(
                    0.0,
                    100.0 * (1.0 * inputs.mau / inputs.mau_28_days_before - config.engagement_ratio_zero)
                    / (config.engagement_ratio_full - config.engagement_ratio_zero)
                ))
        end as engagement_trend_score,
        case
            when inputs.mau is null or coalesce(inputs.licensed_seats, 0) = 0 then null
            else least(100.0, greatest(
                    0.0,
                    100.0 * (1.0 * inputs.mau / inputs.licensed_seats - config.seat_utilisation_zero)
                    / (config.seat_utilisation_full - config.seat_utilisation_zero)
                ))
        end as seat_utilisation_score,
        case
            when inputs.nps_responses > 0
                then (100.0 * (inputs.nps_promoters - inputs.nps_detractors) / inputs.nps_responses + 100.0) / 2.0
        end as nps_score,
        case
            when inputs.csat_ratings = 0 and inputs.tickets_to_date = 0 then null
            else least(100.0, greatest(
                    0.0,
                    case
                        when inputs.csat_ratings > 0 then 100.0 * inputs.csat_satisfied / inputs.csat_ratings
                        else 100.0
                    end
                    - config.open_ticket_penalty * inputs.open_tickets
                ))
        end as support_score,
        least(100.0, greatest(
            0.0,
            100.0 - 100.0 * inputs.days_past_due / config.billing_zero_at_days_past_due
        )) as billing_score,
        case
            when inputs.days_since_touch is null then null
            else least(100.0, greatest(
                    0.0,
                    100.0 * (config.touch_zero_days - inputs.days_since_touch)
                    / (config.touch_zero_days - config.touch_full_days)
                ))
        end as csm_touch_score,
        config.weight_engagement_trend,
        config.weight_seat_utilisation,
        config.weight_nps,
        config.weight_support,
        config.weight_billing,
        config.weight_csm_touch,
        config.band_green_min,
        config.band_yellow_min
    from inputs
    cross join config
),

-- one row per component with data: its (reported, 2-decimal) score and weight
components as (
    {% set components = ['engagement_trend', 'seat_utilisation', 'nps', 'support', 'billing', 'csm_touch'] %}
    {% for component in components %}
    select
        account_id,
        date_day,
        '{{ component }}' as component,
        round({{ component }}_score, 2) as score,
        weight_{{ component }} as weight
    from component_scores
    where {{ component }}_score is not null
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

weighted as (
    select
        account_id,
        date_day,
        sum(weight * score) / sum(weight) as health_score
    from components
    group by account_id, date_day
),

-- HLT-1: the component that pulls the score down most (largest weight x (100 - score))
top_risks as (
    select
        account_id,
        date_day,
        component as top_risk_reason,
        row_number() over (
            partition by account_id, date_day
            order by round(weight * (100 - score), 6) desc, component
        ) as risk_rank,
        round(weight * (100 - score), 6) as shortfall
    from components
),

final as (
    select
        cast(component_scores.account_id as string) as account_id,
        cast(component_scores.date_day as date) as date_day,
        cast(round(weighted.health_score, 2) as decimal(5, 2)) as health_score,
        cast(case
            when weighted.health_score is null then null
            when round(weighted.health_score, 2) >= component_scores.band_green_min then 'green'
            when round(weighted.health_score, 2) >= component_scores.band_yellow_min then 'yellow'
            else 'red'
        end as string) as health_band,
        cast(round(component_scores.engagement_trend_score, 2) as decimal(5, 2)) as engagement_trend_score,
        cast(round(component_scores.seat_utilisation_score, 2) as decimal(5, 2)) as seat_utilisation_score,
        cast(round(component_scores.nps_score, 2) as decimal(5, 2)) as nps_score,
        cast(round(component_scores.support_score, 2) as decimal(5, 2)) as support_score,
        cast(round(component_scores.billing_score, 2) as decimal(5, 2)) as billing_score,
        cast(round(component_scores.csm_touch_score, 2) as decimal(5, 2)) as csm_touch_score,
        cast(case when top_risks.shortfall > 0 then top_risks.top_risk_reason end as string)
            as top_risk_reason
    from component_scores
    left join weighted
        on
            component_scores.account_id = weighted.account_id
            and component_scores.date_day = weighted.date_day
    left join top_risks
        on
            component_scores.account_id = top_risks.account_id
            and component_scores.date_day = top_risks.date_day
            and top_risks.risk_rank = 1
)

select * from final
