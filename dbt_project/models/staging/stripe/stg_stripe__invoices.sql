{#
    One row per invoice: its latest version; `deleted: true` and status `deleted` are both
    deletions (is_deleted). Both API shapes: the subscription is
    `parent.subscription_details.subscription` (since 2025-03-31) or `subscription`; tax is
    `total_taxes[].amount` or `tax`. Amounts in decimal currency units.
#}

with

source as (
    select * from {{ source('raw_stripe', 'invoices') }}
),

versions_ranked as (
    select
        *,
        row_number() over (partition by record_id order by _record_version desc) as version_rank
    from source
),

latest_version as (
    select * from versions_ranked
    where version_rank = 1
),

taxes as (
    select
        record_id,
        sum(cast({{ json_str('tax_line', '$.amount') }} as bigint)) as total_taxes_minor
    from (
        select
            record_id,
            {{ json_array_elements(json_get('record', '$.total_taxes')) }} as tax_line
        from latest_version
    ) as tax_lines
    group by record_id
),

decoded as (
    select
        latest_version.record_id as invoice_id,
        {{ stripe_id('record', '$.customer') }} as customer_id,
        coalesce(
            {{ stripe_id('record', '$.parent.subscription_details.subscription') }},
            {{ stripe_id('record', '$.subscription') }}
        ) as subscription_id,
        {{ json_str('record', '$.status') }} as status,
        lower({{ json_str('record', '$.currency') }}) as currency,
        {{ json_str('record', '$.amount_due') }} as amount_due_minor,
        {{ json_str('record', '$.amount_paid') }} as amount_paid_minor,
        {{ json_str('record', '$.amount_remaining') }} as amount_remaining_minor,
        {{ json_str('record', '$.total') }} as total_minor,
        {{ json_str('record', '$.subtotal') }} as subtotal_minor,
        coalesce(cast({{ json_str('record', '$.tax') }} as bigint), taxes.total_taxes_minor, 0) as tax_minor,
        {{ stripe_ts('record', '$.created') }} as created_at,
        {{ stripe_ts('record', '$.due_date') }} as due_at,
        {{ stripe_ts('record', '$.period_start') }} as period_start_at,
        {{ stripe_ts('record', '$.period_end') }} as period_end_at,
        {{ json_str('record', '$.billing_reason') }} as billing_reason,
        {{ json_str('record', '$.collection_method') }} as collection_method,
        coalesce(cast({{ json_str('record', '$.paid_out_of_band') }} as boolean), false)
            as is_paid_out_of_band,
        {{ stripe_ts('record', '$.status_transitions.finalized_at') }} as finalized_at,
        {{ stripe_ts('record', '$.status_transitions.paid_at') }} as paid_at,
        {{ stripe_ts('record', '$.status_transitions.voided_at') }} as voided_at,
        {{ stripe_ts('record', '$.status_transitions.marked_uncollectible_at') }}
            as marked_uncollectible_at,
        -- a tombstone (`deleted: true`) or the object of an `invoice.deleted` event (status `deleted`)
        coalesce(cast({{ json_str('record', '$.deleted') }} as boolean), false)
        or coalesce({{ json_str('record', '$.status') }} = 'deleted', false) as is_deleted,
        latest_version._record_version
    from latest_version
    left join taxes
        on latest_version.record_id = taxes.record_id
),

final as (
    select
        invoice_id,
        customer_id,
        subscription_id,
        status,
        currency,
        {{ stripe_amount('amount_due_minor', 'currency') }} as amount_due,
        {{ stripe_amount('amount_paid_minor', 'currency') }} as amount_paid,
        {{ stripe_amount('amount_remaining_minor', 'currency') }} as amount_remaining,
        {{ stripe_amount('total_minor', 'currency') }} as total,
        {{ stripe_amount('subtotal_minor', 'currency') }} as subtotal,
        {{ stripe_amount('tax_minor', 'currency') }} as tax,
        created_at,
        due_at,
        period_start_at,
        period_end_at,
        billing_reason,
        collection_method,
        is_paid_out_of_band,
        finalized_at,
        paid_at,
        voided_at,
        marked_uncollectible_at,
        is_deleted,
        _record_version
    from decoded
)

select * from final
