{#
    One row per account per day from the account's first active day to `as_of`: DAU, WAU
    (D-6..D) and MAU (D-27..D) distinct active users and qualifying events (ENG-1).

    Rolling distinct counts without exploding user-days: each user's active days are merged
    into islands (a new island starts after a gap longer than the window), each island
    covers [first day, last day + window - 1], and a +1/-1 sweep over the account's days
    counts the users covering each day.

    Incremental by day: re-computes from the earliest day the upstream run touched (or the
    day after the last one built), reading user activity from 27 days before it.
#}

{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        **day_incremental_config('date_day'),
    )
}}

with

user_days as (
    select * from {{ ref('int_user_activity_daily') }}
),

first_days as (
    select
        account_id,
        min(activity_date) as first_active_date
    from user_days
    group by account_id
),

build_range as (
    select
        {% if is_incremental() %}
        least(
            coalesce(
                {{ earliest_day_of_new_batch('user_days', 'activity_date') }},
                {{ add_days(as_of_date(), 1) }}
            ),
            (select {{ add_days('max(this_run.date_day)', 1) }} from {{ this }} as this_run)
        ) as first_day,
        {% else %}
        (select min(first_days.first_active_date) from first_days) as first_day,
        {% endif %}
        {{ as_of_date() }} as last_day
),

-- user activity that can reach the days being built
recent_user_days as (
    select user_days.*
    from user_days
    cross join build_range
    where
        user_days.activity_date >= {{ add_days('build_range.first_day', -27) }}
        and user_days.activity_date <= build_range.last_day
),

user_day_gaps as (
    select
        account_id,
        user_id,
        activity_date,
        {{ dbt.datediff(
            'lag(activity_date) over (partition by account_id, user_id order by activity_date)',
            'activity_date',
            'day'
        ) }} as days_since_previous
    from recent_user_days
),

{% for window_name, window_days in [('wau', 7), ('mau', 28)] %}
{{ window_name }}_islands as (
    select
        account_id,
        user_id,
        activity_date,
        sum(case when days_since_previous is null or days_since_previous > {{ window_days }} then 1 else 0 end)
            over (partition by account_id, user_id order by activity_date rows unbounded preceding)
            as island_number
    from user_day_gaps
),

{{ window_name }}_deltas as (
    select
        account_id,
        min(activity_date) as delta_date,
        1 as delta
    from {{ window_name }}_islands
    group by account_id, user_id, island_number
    union all
    select
        account_id,
        {{ add_days('max(activity_date)', window_days) }} as delta_date,
        -1 as delta
    from {{ window_name }}_islands
    group by account_id, user_id, island_number
),

{{ window_name }}_deltas_daily as (
    select
        account_id,
        delta_date,
        sum(delta) as delta
    from {{ window_name }}_deltas
    group by account_id, delta_date
),
{% endfor %}

days as (
    {{ date_series(
        '(select ' ~ add_days('build_range.first_day', -27) ~ ' from build_range)',
        '(select build_range.last_day from build_range)',
        'date_day'
    ) }}
),

account_days as (
    select
        first_days.account_id,
        days.date_day,
        first_days.first_active_date
    from first_days
    inner join days
        on days.date_day >= {{ add_days('first_days.first_active_date', -27) }}
),

daily_counts as (
    select
        account_id,
        activity_date,
        count(*) as dau,
        sum(qualifying_events) as qualifying_events
    from recent_user_days
    group by account_id, activity_date
),

swept as (
    select
        account_days.account_id,
        account_days.date_day,
        account_days.first_active_date,
        coalesce(daily_counts.dau, 0) as dau,
        coalesce(daily_counts.qualifying_events, 0) as qualifying_events,
        sum(coalesce(wau_deltas_daily.delta, 0)) over (
            partition by account_days.account_id order by account_days.date_day
            rows unbounded preceding
        ) as wau,
        sum(coalesce(mau_deltas_daily.delta, 0)) over (
            partition by account_days.account_id order by account_days.date_day
            rows unbounded preceding
        ) as mau
    from account_days
    left join daily_counts
        on
            account_days.account_id = daily_counts.account_id
            and account_days.date_day = daily_counts.activity_date
    left join wau_deltas_daily
        on
            account_days.account_id = wau_deltas_daily.account_id
            and account_days.date_day = wau_deltas_daily.delta_date
    left join mau_deltas_daily
        on
            account_days.account_id = mau_deltas_daily.account_id
            and account_days.date_day = mau_deltas_daily.delta_date
),

final as (
    select
        swept.account_id,
        swept.date_day,
        cast(swept.dau as integer) as dau,
        cast(swept.wau as integer) as wau,
        cast(swept.mau as integer) as mau,
        cast(swept.qualifying_events as bigint) as qualifying_events,
        {{ batch_at() }} as _batch_at
    from swept
    cross join build_range
    where
        swept.date_day >= build_range.first_day
        and swept.date_day >= swept.first_active_date
)

select * from final
