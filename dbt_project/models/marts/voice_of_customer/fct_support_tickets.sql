{#
    One row per support ticket of an account (HubSpot, not archived, created on or before
    `as_of`): priority, pipeline and stage, the day it was created and closed, and whether it
    is open at the end of the `as_of` day. Closed as the HLT-1 support component counts it:
    the ticket's closed date, else its last update when its stage is closed (ticket state
    CLOSED or the stage's isClosed metadata); a close after `as_of` is not known yet.
#}

with

tickets as (
    select * from {{ ref('stg_hubspot__tickets') }}
    where not is_archived
),

ticket_stages as (
    select * from {{ ref('stg_hubspot__ticket_pipeline_stages') }}
),

tickets_resolved as (
    select
        tickets.ticket_id,
        tickets.company_id as account_id,
        tickets.priority,
        ticket_stages.pipeline_label,
        ticket_stages.stage_label,
        tickets.created_at,
        cast(tickets.created_at as date) as created_date,
        cast({{ ticket_closed_at('tickets', 'ticket_stages') }} as date) as closed_date
    from tickets
    left join ticket_stages
        on
            tickets.pipeline_id = ticket_stages.pipeline_id
            and tickets.stage_id = ticket_stages.stage_id
    where
        tickets.company_id is not null
        and tickets.created_at is not null
        and cast(tickets.created_at as date) <= {{ as_of_date() }}
),

final as (
    select
        cast(ticket_id as string) as ticket_id,
        cast(account_id as string) as account_id,
        cast(priority as string) as priority,
        cast(pipeline_label as string) as pipeline_label,
        cast(stage_label as string) as stage_label,
        cast(created_at as timestamp) as created_at,
        cast(created_date as date) as created_date,
        cast(case when closed_date <= {{ as_of_date() }} then closed_date end as date) as closed_date,
        cast(closed_date is null or closed_date > {{ as_of_date() }} as boolean) as is_open
    from tickets_resolved
)

select * from final
