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

fields as (
    {{ json_text_fields('latest_version', 'record', {
        'customer': '$.customer',
        'customer_object_id': '$.customer.id',
        'parent_subscription': '$.parent.subscription_details.subscription',
        'parent_subscription_object_id': '$.parent.subscription_details.subscription.id',
        'legacy_subscription': '$.subscription',
        'legacy_subscription_object_id': '$.subscription.id',
        'status': '$.status',
        'currency': '$.currency',
        'amount_due': '$.amount_due',
        'amount_paid': '$.amount_paid',
        'amount_remaining': '$.amount_remaining',
        'total': '$.total',
        'subtotal': '$.subtotal',
        'legacy_tax': '$.tax',
        'created': '$.created',
        'due_date': '$.due_date',
        'period_start': '$.period_start',
        'period_end': '$.period_end',
        'billing_reason': '$.billing_reason',
        'collection_method': '$.collection_method',
        'paid_out_of_band': '$.paid_out_of_band',
        'finalized_at': '$.status_transitions.finalized_at',
        'paid_at': '$.status_transitions.paid_at',
        'voided_at': '$.status_transitions.voided_at',
        'marked_uncollectible_at': '$.status_transitions.marked_uncollectible_at',
        'deleted': '$.deleted',
    }) }}
),

decoded as (
    select
        fields.record_id as invoice_id,
        {{ stripe_id_text('fields.customer', 'fields.customer_object_id') }} as customer_id,
        coalesce(
            {{ stripe_id_text('fields.parent_subscription', 'fields.parent_subscription_object_id') }},
            {{ stripe_id_text('fields.legacy_subscription', 'fields.legacy_subscription_object_id') }}
        ) as subscription_id,
        fields.status,
        lower(fields.currency) as currency,
        fields.amount_due as amount_due_minor,
        fields.amount_paid as amount_paid_minor,
        fields.amount_remaining as amount_remaining_minor,
        fields.total as total_minor,
        fields.subtotal as subtotal_minor,
        coalesce(cast(fields.legacy_tax as bigint), taxes.total_taxes_minor, 0) as tax_minor,
        {{ epoch_seconds_to_timestamp('fields.created') }} as created_at,
        {{ epoch_seconds_to_timestamp('fields.due_date') }} as due_at,
        {{ epoch_seconds_to_timestamp('fields.period_start') }} as period_start_at,
        {{ epoch_seconds_to_timestamp('fields.period_end') }} as period_end_at,
        fields.billing_reason,
        fields.collection_method,
        coalesce(cast(fields.paid_out_of_band as boolean), false) as is_paid_out_of_band,
        {{ epoch_seconds_to_timestamp('fields.finalized_at') }} as finalized_at,
        {{ epoch_seconds_to_timestamp('fields.paid_at') }} as paid_at,
        {{ epoch_seconds_to_timestamp('fields.voided_at') }} as voided_at,
        {{ epoch_seconds_to_timestamp('fields.marked_uncollectible_at') }} as marked_uncollectible_at,
        -- a tombstone (`deleted: true`) or the object of an `invoice.deleted` event (status `deleted`)
        coalesce(cast(fields.deleted as boolean), false)
        or coalesce(fields.status = 'deleted', false) as is_deleted,
        fields._record_version
    from fields
    left join taxes
        on fields.record_id = taxes.record_id
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
