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

{#
    Scored row by row, in whole numbers, so the result is exact and the same on every engine:
    each component's reported score in cents (its 2-decimal value x 100) and each weight in
    millionths (weights are read to 6 decimals). The health score is then the quotient of two
    integers rounded half up to the cent: no float sum whose order could move a half cent.
#}
{% set components = ['engagement_trend', 'seat_utilisation', 'nps', 'support', 'billing', 'csm_touch'] %}
-- A component without data has no weight (null): the others' share grows (redistribution).
in_cents as (
    select
        account_id,
        date_day,
        {% for component in components %}
        cast(round({{ component }}_score, 2) as decimal(5, 2)) as {{ component }}_score,
        cast(cast(round({{ component }}_score, 2) as decimal(5, 2)) * 100 as bigint) as {{ component }}_cents,
        case
            when {{ component }}_score is not null
                then cast(round(weight_{{ component }} * 1000000) as bigint)
        end as {{ component }}_weight,
        {% endfor %}
        band_green_min,
        band_yellow_min
    from component_scores
),

weighted as (
    select
        *,
        -- HLT-1's top risk: the largest weight x (100 - score), in the same whole units
        {% for component in components %}
        {{ component }}_weight * (10000 - {{ component }}_cents) as {{ component }}_shortfall,
        {% endfor %}
        (
            {% for component in components %}
            coalesce({{ component }}_weight * {{ component }}_cents, 0)
            {%- if not loop.last %} +{% endif %}
            {% endfor %}
        ) as weighted_cents,
        (
            {% for component in components %}
            coalesce({{ component }}_weight, 0){% if not loop.last %} +{% endif %}
            {% endfor %}
        ) as weight_with_data
    from in_cents
),

scored as (
    select
        *,
        greatest(
            {% for component in components %}
            {{ component }}_shortfall{% if not loop.last %},{% endif %}
            {% endfor %}
        ) as largest_shortfall,
        -- both sums are whole numbers below 2^53: the quotient's double is exact at a half cent
        case
            when weight_with_data > 0
                then cast(cast(round(weighted_cents / weight_with_data) as bigint) * 0.01 as decimal(5, 2))
        end as health_score
    from weighted
),

final as (
    select
        cast(account_id as string) as account_id,
        cast(date_day as date) as date_day,
        health_score,
        cast(case
            when health_score is null then null
            when health_score >= band_green_min then 'green'
            when health_score >= band_yellow_min then 'yellow'
            else 'red'
        end as string) as health_band,
        {% for component in components %}
        {{ component }}_score,
        {% endfor %}
        -- a tie goes to the first component by name
        cast(case
            when largest_shortfall > 0 then
                case
                    {% for component in components | sort %}
                    when {{ component }}_shortfall = largest_shortfall then '{{ component }}'
                    {% endfor %}
                end
        end as string) as top_risk_reason
    from scored
)

select * from final
