{#
    HubSpot decoding helpers. Property values are strings or null; dates are ISO-8601 or
    epoch milliseconds (as text or JSON numbers).
#}

{% macro hubspot_prop(name) -%}
    nullif(trim({{ json_str('record', '$.properties.' ~ name) }}), '')
{%- endmacro %}

{% macro hubspot_date(path) -%}
    {{ hubspot_timestamp(json_str('record', path)) }}
{%- endmacro %}

{% macro hubspot_date_prop(name) -%}
    {{ hubspot_timestamp(hubspot_prop(name)) }}
{%- endmacro %}

{% macro hubspot_archived() -%}
    coalesce(cast({{ json_str('record', '$.archived') }} as boolean), false)
{%- endmacro %}

{# The first associated company id (`associations.companies.results[0].id`). #}
{% macro hubspot_first_company() -%}
    {{ json_str('record', '$.associations.companies.results[0].id') }}
{%- endmacro %}


{#
    One row per stage of each pipeline of a HubSpot pipelines object (deal_pipelines or
    ticket_pipelines share one shape): the latest version of each pipeline, its stages
    unnested, so the internal stage ids that deals and tickets carry resolve to labels.
#}
{% macro hubspot_pipeline_stages(pipelines_relation) %}
with

source as (
    select * from {{ pipelines_relation }}
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
{% endmacro %}
