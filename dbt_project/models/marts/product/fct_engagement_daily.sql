{#
    One row per account per day from the account's first active day to `as_of` (ENG-1..3):
    DAU, WAU, MAU, qualifying events, stickiness (DAU / MAU) and seat utilisation
    (MAU / licensed seats). A table over the incremental activity model: seats come from
    billing history, which a late Stripe export can change for past days.
#}

with

activity as (
    select * from {{ ref('int_account_activity_daily') }}
),

billing as (
    select * from {{ ref('int_account_billing_daily') }}
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

final as (
    select
        cast(activity.account_id as string) as account_id,
        cast(activity.date_day as date) as date_day,
        cast(activity.dau as integer) as dau,
        cast(activity.wau as integer) as wau,
        cast(activity.mau as integer) as mau,
        cast(activity.qualifying_events as bigint) as events,
        cast(case when activity.mau > 0 then 1.0 * activity.dau / activity.mau end as double)
            as stickiness,
        cast(billing.licensed_seats as bigint) as licensed_seats,
        cast(case
            when billing.licensed_seats > 0 then 1.0 * activity.mau / billing.licensed_seats
        end as double) as seat_utilisation
    from activity
    inner join accounts
        on activity.account_id = accounts.account_id
    left join billing
        on
            activity.account_id = billing.account_id
            and activity.date_day = billing.date_day
)

select * from final
