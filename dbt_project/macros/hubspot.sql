{#
    HubSpot decoding helpers. Property values are strings or null; dates are ISO-8601 or
    epoch milliseconds (as text or JSON numbers).
#}

{#
    A property of the merged object (see hubspot_merged_versions) as text; empty strings are
    null. Reads the column that hubspot_merged_versions wrote for it.
#}
{% macro hubspot_prop(name) -%}
    nullif(trim({{ hubspot_property_column(name) }}), '')
{%- endmacro %}

{% macro hubspot_property_column(name) -%}
    property_{{ name }}
{%- endmacro %}

{% macro hubspot_date(path) -%}
    {{ hubspot_timestamp(json_str('record', path)) }}
{%- endmacro %}

{% macro hubspot_date_prop(name) -%}
    {{ hubspot_timestamp(hubspot_prop(name)) }}
{%- endmacro %}

{#
    Rank of each version of a HubSpot object, the latest first (LANDING.md): by `updatedAt`
    (`updated_at`: the decoded column, or an expression), then by load order.
#}
{% macro hubspot_latest_version_rank(id_column, updated_at='updated_at') -%}
    row_number() over (
        partition by {{ id_column }}
        order by {{ updated_at }} desc nulls last, _record_version desc
    )
{%- endmacro %}

{% macro hubspot_archived() -%}
    coalesce(cast({{ json_str('record', '$.archived') }} as boolean), false)
{%- endmacro %}

{# The first associated company id (`associations.companies.results[0].id`). #}
{% macro hubspot_first_company() -%}
    {{ json_str('record', '$.associations.companies.results[0].id') }}
{%- endmacro %}


{#
    One row per object of a raw HubSpot table, its versions merged (LANDING.md): property-change
    and webhook exports carry only the properties that changed, so a later version merges into
    the earlier ones property by property. Versions are ordered by `updatedAt`, then load order
    (`_record_version`). For each name in `properties`, column `property_<name>` holds, as text,
    the value of the latest version that carries the key: a key absent from a later version
    keeps the earlier value, an explicit JSON null clears it (JSON null is a value, an absent
    key is SQL NULL, and only SQL NULLs are skipped). Top-level fields (archived, updatedAt,
    createdAt, associations) follow the latest version: `record` and `_record_version` are the
    latest version's, so `archived: true` there still marks a deletion.

    One window sort and one aggregate over the versions, each record parsed once for all its
    properties; engine-specific syntax sits in dispatched macros (json_gets, first_non_null_by).
    Use it as the body of a CTE, with the properties the model decodes through hubspot_prop.
#}
{% macro hubspot_merged_versions(relation, properties) -%}
    {%- if not properties -%}
        {{ exceptions.raise_compiler_error('hubspot_merged_versions: name at least one property to merge') }}
    {%- endif -%}
    {%- set paths = [] -%}
    {%- for name in properties -%}
        {%- set _ = paths.append('$.properties.' ~ name) -%}
    {%- endfor -%}
    select
        record_id,
        {{ first_non_null_by('record', 'version_rank') }} as record,
        {{ first_non_null_by('_record_version', 'version_rank') }} as _record_version,
        {%- for name in properties %}
        {{ json_str(first_non_null_by(list_item('property_values', loop.index), 'version_rank'), '$') }}
            as {{ hubspot_property_column(name) }}{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select
            record_id,
            record,
            _record_version,
            {{ json_gets('record', paths) }}
                as property_values,
            {{ hubspot_latest_version_rank('record_id', hubspot_date('$.updatedAt')) }} as version_rank
        from {{ relation }}
    ) as versions
    group by record_id
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
        {{ hubspot_latest_version_rank('pipeline_id') }} as version_rank
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

{#
    When a HubSpot ticket closed (HLT-1's support load, ACC-1's open tickets): its `closed_date`
    property, else its last update once its pipeline stage is closed (`ticketState` CLOSED or
    `isClosed`). `tickets` and `stages` are the aliases of stg_hubspot__tickets and
    stg_hubspot__ticket_pipeline_stages joined on pipeline and stage.
#}
{% macro ticket_closed_at(tickets, stages) -%}
    coalesce(
        {{ tickets }}.closed_at,
        case when {{ stages }}.ticket_state = 'CLOSED' or {{ stages }}.is_closed then {{ tickets }}.updated_at end
    )
{%- endmacro %}

{#
    Whether a HubSpot meeting counts as a CSM touch (HLT-1's touch recency, ACC-1's last CSM
    meeting): completed, or its outcome not recorded (a no-show or a cancellation is not).
#}
{% macro is_csm_touch(outcome) -%}
    ({{ outcome }} is null or {{ outcome }} = 'completed')
{%- endmacro %}
