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
