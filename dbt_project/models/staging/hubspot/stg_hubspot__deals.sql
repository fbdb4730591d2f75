with

source as (
    select * from {{ source('raw_hubspot', 'deals') }}
),

-- later versions merge into earlier ones property by property; latest updatedAt wins
merged_versions as (
    {{ hubspot_merged_versions(
        'source',
        ['dealtype', 'pipeline', 'dealstage', 'amount', 'deal_currency_code', 'closedate', 'createdate']
    ) }}
),

decoded as (
    select
        record_id as deal_id,
        {{ hubspot_first_company() }} as company_id,
        {{ hubspot_prop('dealtype') }} as deal_type,
        {{ hubspot_prop('pipeline') }} as pipeline_id,
        {{ hubspot_prop('dealstage') }} as stage_id,
        try_cast({{ hubspot_prop('amount') }} as decimal(18, 2)) as amount,
        lower({{ hubspot_prop('deal_currency_code') }}) as currency,
        {{ hubspot_date_prop('closedate') }} as close_at,
        coalesce({{ hubspot_date_prop('createdate') }}, {{ hubspot_date('$.createdAt') }}) as created_at,
        {{ hubspot_date('$.updatedAt') }} as updated_at,
        {{ hubspot_archived() }} as is_archived
    from merged_versions
),

final as (
    select
        deal_id,
        company_id,
        deal_type,
        pipeline_id,
        stage_id,
        amount,
        currency,
        close_at,
        created_at,
        updated_at,
        is_archived
    from decoded
)

select * from final
