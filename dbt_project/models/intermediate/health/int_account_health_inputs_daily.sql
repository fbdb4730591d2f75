{#
    One row per paying account per day (an item counting toward MRR at the end of the day)
    up to `as_of`: the raw inputs of each health component (HLT-1); a null input means the
    component has no data that day. Windows come from the seed `health_score_config`.
#}

with

billing_days as (
    select * from {{ ref('int_account_billing_daily') }}
),

activity as (
    select * from {{ ref('int_account_activity_daily') }}
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
),

config as (
    select
        max(case when parameter = 'nps_window_days' then value end) as nps_window_days,
        max(case when parameter = 'csat_window_days' then value end) as csat_window_days
    from {{ ref('health_score_config') }}
),

first_active_days as (
    select
        account_id,
        min(date_day) as first_active_date
    from activity
    group by account_id
),

engagement as (
    select
        billing_days.account_id,
        billing_days.date_day,
        case
            when first_active_days.first_active_date <= billing_days.date_day
                then coalesce(activity_now.mau, 0)
        end as mau,
        case
            when first_active_days.first_active_date <= billing_days.date_day
                then coalesce(activity_before.mau, 0)
        end as mau_28_days_before
    from billing_days
    left join first_active_days
        on billing_days.account_id = first_active_days.account_id
    left join activity as activity_now
        on
            billing_days.account_id = activity_now.account_id
            and billing_days.date_day = activity_now.date_day
    left join activity as activity_before
        on
            billing_days.account_id = activity_before.account_id
            and {{ add_days('billing_days.date_day', -28) }} = activity_before.date_day
),

-- NPS-1: the account's responses of the last N days (D-N+1..D); CSAT likewise
survey_windows as (
    select
        billing_days.account_id,
        billing_days.date_day,
        count(case when responses.survey_type = 'NPS' then 1 end) as nps_responses,
        count(case when responses.response_category = 'promoter' then 1 end) as nps_promoters,
        count(case when responses.response_category = 'detractor' then 1 end) as nps_detractors,
        count(case when responses.survey_type = 'CSAT' then 1 end) as csat_ratings,
        count(case when responses.response_category = 'satisfied' then 1 end) as csat_satisfied
    from billing_days
    cross join config
    inner join responses
        on
            billing_days.account_id = responses.account_id
            and billing_days.date_day >= responses.response_date
            and responses.response_date > {{ add_days(
                'billing_days.date_day',
                "-cast(case when responses.survey_type = 'NPS' then config.nps_window_days"
                ~ " else config.csat_window_days end as integer)"
            ) }}
    group by billing_days.account_id, billing_days.date_day
),

tickets_resolved as (
    select
        tickets.ticket_id,
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

ticket_load as (
    select
        billing_days.account_id,
        billing_days.date_day,
        count(*) as tickets_to_date,
        count(
            case
                when tickets_resolved.closed_date is null or tickets_resolved.closed_date > billing_days.date_day
                    then 1
            end
        ) as open_tickets
    from billing_days
    inner join tickets_resolved
        on
            billing_days.account_id = tickets_resolved.account_id
            and billing_days.date_day >= tickets_resolved.created_date
    group by billing_days.account_id, billing_days.date_day
),

touches as (
    select
        billing_days.account_id,
        billing_days.date_day,
        max(cast(meetings.meeting_at as date)) as last_touch_date
    from billing_days
    inner join meetings
        on
            billing_days.account_id = meetings.company_id
            and cast(meetings.meeting_at as date) <= billing_days.date_day
    group by billing_days.account_id, billing_days.date_day
),

final as (
    select
        billing_days.account_id,
        billing_days.date_day,
        engagement.mau,
        engagement.mau_28_days_before,
        billing_days.licensed_seats,
        coalesce(survey_windows.nps_responses, 0) as nps_responses,
        coalesce(survey_windows.nps_promoters, 0) as nps_promoters,
        coalesce(survey_windows.nps_detractors, 0) as nps_detractors,
        coalesce(survey_windows.csat_ratings, 0) as csat_ratings,
        coalesce(survey_windows.csat_satisfied, 0) as csat_satisfied,
        coalesce(ticket_load.tickets_to_date, 0) as tickets_to_date,
        coalesce(ticket_load.open_tickets, 0) as open_tickets,
        {{ dbt.datediff('touches.last_touch_date', 'billing_days.date_day', 'day') }} as days_since_touch,
        coalesce(delinquency.days_past_due, 0) as days_past_due
    from billing_days
    left join engagement
        on
            billing_days.account_id = engagement.account_id
            and billing_days.date_day = engagement.date_day
    left join survey_windows
        on
            billing_days.account_id = survey_windows.account_id
            and billing_days.date_day = survey_windows.date_day
    left join ticket_load
        on
            billing_days.account_id = ticket_load.account_id
            and billing_days.date_day = ticket_load.date_day
    left join touches
        on
            billing_days.account_id = touches.account_id
            and billing_days.date_day = touches.date_day
    left join delinquency
        on
            billing_days.account_id = delinquency.account_id
            and billing_days.date_day = delinquency.date_day
)

select * from final
