{#
    One row per meeting logged on an account (HubSpot, not archived) on or before the `as_of`
    day: when it took place and its outcome. A meeting counts as a CSM touch (HLT-1) when its
    outcome is completed or not recorded, as the health score's touch component counts it.
#}

with

meetings as (
    select * from {{ ref('stg_hubspot__meetings') }}
    where not is_archived
),

final as (
    select
        cast(meeting_id as string) as meeting_id,
        cast(company_id as string) as account_id,
        cast(meeting_at as timestamp) as meeting_at,
        cast(meeting_at as date) as meeting_date,
        cast(outcome as string) as outcome,
        cast({{ is_csm_touch('outcome') }} as boolean) as is_csm_touch
    from meetings
    where
        company_id is not null
        and meeting_at is not null
        and cast(meeting_at as date) <= {{ as_of_date() }}
)

select * from final
