{#
    One row per window in which a subscription had one state: every loaded version, valid from
    `effective_from` to `effective_to` (exclusive; null = still valid). MRR-3/MRR-4 timing:

    - a version takes effect when observed (its Stripe event's time, else its extraction day),
      never before the subscription's start_date;
    - a version that ended the subscription (canceled, incomplete_expired) takes effect at
      `ended_at`, so service ends when it ended, not when the end was exported (MRR-4);
    - a version scheduled to cancel (`cancel_at`) is valid at most until `cancel_at`;
    - the first version is backdated to `start_date` (a subscription first exported after it
      started); when that first version is already canceled, the backdated window is assumed
      `active` with the items it had when it ended;
    - versions observed after `as_of` are ignored.
#}

with

versions as (
    select * from {{ ref('stg_stripe__subscription_versions') }}
    where observed_at < cast({{ add_days(as_of_date(), 1) }} as timestamp)
),

versions_with_start as (
    select
        *,
        case
            when status in ('canceled', 'incomplete_expired') and ended_at is not null
                then ended_at
            -- an export of the start day is stamped at midnight, before the start itself
            else greatest(observed_at, coalesce(started_at, observed_at))
        end as effective_from,
        row_number() over (
            partition by subscription_id
            order by _record_version
        ) as version_number
    from versions
),

versions_with_next as (
    select
        *,
        lead(effective_from) over (
            partition by subscription_id
            order by _record_version
        ) as next_effective_from
    from versions_with_start
),

observed_windows as (
    select
        subscription_version_id,
        subscription_id,
        _record_version,
        version_number,
        customer_id,
        status,
        currency,
        started_at,
        trial_end_at,
        cancel_at,
        canceled_at,
        ended_at,
        cancellation_reason,
        current_period_start_at,
        current_period_end_at,
        false as is_backfilled,
        effective_from,
        case
            -- a version that ended the subscription lasts until a later version (if any)
            when status in ('canceled', 'incomplete_expired') then next_effective_from
            -- service stops at a scheduled cancel_at or ended_at even without a later version
            else least(next_effective_from, cancel_at, ended_at)
        end as effective_to
    from versions_with_next
),

-- the time before the first version was seen, from the subscription's start
backfilled_windows as (
    select
        subscription_version_id,
        subscription_id,
        _record_version,
        0 as version_number,
        customer_id,
        case when status = 'canceled' then 'active' else status end as status,
        currency,
        started_at,
        trial_end_at,
        cancel_at,
        canceled_at,
        ended_at,
        cancellation_reason,
        current_period_start_at,
        current_period_end_at,
        true as is_backfilled,
        started_at as effective_from,
        case
            when status in ('canceled', 'incomplete_expired') then effective_from
            else least(effective_from, cancel_at, ended_at)
        end as effective_to
    from versions_with_start
    where version_number = 1 and started_at < effective_from
),

all_windows as (
    select * from observed_windows
    union all
    select * from backfilled_windows
),

final as (
    select
        subscription_version_id || case when is_backfilled then '#backfill' else '' end
            as subscription_window_id,
        subscription_version_id,
        subscription_id,
        _record_version,
        version_number,
        customer_id,
        status,
        currency,
        started_at,
        trial_end_at,
        cancel_at,
        canceled_at,
        ended_at,
        cancellation_reason,
        current_period_start_at,
        current_period_end_at,
        is_backfilled,
        effective_from,
        -- a window never ends before it starts (an out-of-order export gives an empty window)
        case
            when effective_to is not null then greatest(effective_to, effective_from)
        end as effective_to,
        -- no MRR before the trial ends (MRR-2)
        greatest(effective_from, coalesce(trial_end_at, effective_from)) as paid_from,
        status in ('active', 'past_due') as is_counting_status
    from all_windows
)

select * from final
