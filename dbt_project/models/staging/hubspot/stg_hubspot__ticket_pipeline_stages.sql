{#
    One row per stage of each ticket pipeline (latest version of the pipeline): resolves the
    internal stage ids that tickets carry.
#}

with

source as (
    select * from {{ source('raw_hubspot', 'ticket_pipelines') }}
),

decoded as (
    select
        record_id as pipeline_id,
        {{ json_str('record', '$.label') }} as pipeline_label,
        {{ json_get('record', '$.stages') }} as stages,
        {{ hubspot_date('$.updatedAt') }} as updated_at,
        {{ hubspot_archived() }} as is_archived,
        _record_version
    from source
),

versions_ranked as (
    select
        *,
        row_number() over (
            partition by pipeline_id
            order by updated_at desc nulls last, _record_version desc
        ) as version_rank
    from decoded
),

stages as (
    select
        pipeline_id,
        pipeline_label,
        is_archived as is_pipeline_archived,
        {{ json_array_elements('stages') }} as stage
    from versions_ranked
    where version_rank = 1
),

final as (
    select
        pipeline_id,
        {{ json_str('stage', '$.id') }} as stage_id,
        pipeline_label,
        {{ json_str('stage', '$.label') }} as stage_label,
        cast({{ json_str('stage', '$.displayOrder') }} as integer) as display_order,
        try_cast({{ json_str('stage', '$.metadata.probability') }} as double) as probability,
        coalesce(try_cast({{ json_str('stage', '$.metadata.isClosed') }} as boolean), false) as is_closed,
        {{ json_str('stage', '$.metadata.ticketState') }} as ticket_state,
        is_pipeline_archived
    from stages
)

select * from final
