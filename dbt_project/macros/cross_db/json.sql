{#
    JSON access, dispatched per adapter. Paths are JSONPath strings such as '$.items.data'.
    DuckDB implementations are the only ones exercised; the default implementations follow
    Postgres so a port has a starting point.
#}

{# A scalar at `path` as text (JSON strings unquoted); null when absent or JSON null. #}
{% macro json_str(expr, path) -%}
    {{ return(adapter.dispatch('json_str', 'cs_warehouse')(expr, path)) }}
{%- endmacro %}

{% macro duckdb__json_str(expr, path) -%}
    json_extract_string({{ expr }}, '{{ path }}')
{%- endmacro %}

{% macro default__json_str(expr, path) -%}
    jsonb_path_query_first(cast({{ expr }} as jsonb), '{{ path }}') #>> '{}'
{%- endmacro %}

{#
    The scalars at several `paths` as a list of text, in the order of `paths` (1-based): one
    parse of the document instead of one per path, which is most of a wide decode's cost
    (5x on 20M Segment records).
#}
{% macro json_strs(expr, paths) -%}
    {{ return(adapter.dispatch('json_strs', 'cs_warehouse')(expr, paths)) }}
{%- endmacro %}

{% macro duckdb__json_strs(expr, paths) -%}
    json_extract_string({{ expr }}, ['{{ paths | join("', '") }}'])
{%- endmacro %}

{% macro default__json_strs(expr, paths) -%}
    array[{% for path in paths %}{{ default__json_str(expr, path) }}{% if not loop.last %}, {% endif %}{% endfor %}]
{%- endmacro %}

{# The JSON value at `path` (object, array or scalar), still JSON. #}
{% macro json_get(expr, path) -%}
    {{ return(adapter.dispatch('json_get', 'cs_warehouse')(expr, path)) }}
{%- endmacro %}

{% macro duckdb__json_get(expr, path) -%}
    json_extract({{ expr }}, '{{ path }}')
{%- endmacro %}

{% macro default__json_get(expr, path) -%}
    jsonb_path_query_first(cast({{ expr }} as jsonb), '{{ path }}')
{%- endmacro %}

{#
    The JSON values at several `paths` as a list, in the order of `paths` (1-based), in one
    parse of the document. An absent path gives SQL NULL; an explicit JSON null stays the JSON
    value `null` (not SQL NULL), so the two can be told apart.
#}
{% macro json_gets(expr, paths) -%}
    {{ return(adapter.dispatch('json_gets', 'cs_warehouse')(expr, paths)) }}
{%- endmacro %}

{% macro duckdb__json_gets(expr, paths) -%}
    json_extract({{ expr }}, ['{{ paths | join("', '") }}'])
{%- endmacro %}

{% macro default__json_gets(expr, paths) -%}
    array[{% for path in paths %}{{ default__json_get(expr, path) }}{% if not loop.last %}, {% endif %}{% endfor %}]
{%- endmacro %}

{# The JSON type name at `path`: OBJECT, ARRAY, VARCHAR, BIGINT, UBIGINT, DOUBLE, BOOLEAN, NULL. #}
{% macro json_kind(expr, path) -%}
    {{ return(adapter.dispatch('json_kind', 'cs_warehouse')(expr, path)) }}
{%- endmacro %}

{% macro duckdb__json_kind(expr, path) -%}
    json_type({{ expr }}, '{{ path }}')
{%- endmacro %}

{% macro default__json_kind(expr, path) -%}
    upper(jsonb_typeof(jsonb_path_query_first(cast({{ expr }} as jsonb), '{{ path }}')))
{%- endmacro %}

{#
    Select-list expression that turns a JSON array into one row per element (the row is
    dropped when the array is empty or null), each element still JSON.
#}
{% macro json_array_elements(expr) -%}
    {{ return(adapter.dispatch('json_array_elements', 'cs_warehouse')(expr)) }}
{%- endmacro %}

{% macro duckdb__json_array_elements(expr) -%}
    unnest(cast({{ expr }} as json []))
{%- endmacro %}

{% macro default__json_array_elements(expr) -%}
    jsonb_array_elements(cast({{ expr }} as jsonb))
{%- endmacro %}

{#
    True when the JSONPath `path` (with wildcards, e.g. '$.items.data[*].discounts[*]') selects
    at least one value: a cheap filter that spares unnesting documents with nothing to unnest.
#}
{% macro json_path_has_elements(expr, path) -%}
    {{ return(adapter.dispatch('json_path_has_elements', 'cs_warehouse')(expr, path)) }}
{%- endmacro %}

{% macro duckdb__json_path_has_elements(expr, path) -%}
    coalesce(len(json_extract({{ expr }}, '{{ path }}')) > 0, false)
{%- endmacro %}

{% macro default__json_path_has_elements(expr, path) -%}
    jsonb_path_exists(cast({{ expr }} as jsonb), '{{ path }}')
{%- endmacro %}

{#
    A select over `relation` (a CTE name) with its columns plus `fields` of the JSON column
    `expr` as text columns, decoded in one parse of each document: `fields` maps a column
    name to a JSONPath, e.g. {'status': '$.status', 'paid_at': '$.status_transitions.paid_at'}.
    One json_str per field parsed a Stripe invoice once per field (3.7x the time at 70k
    invoices).
#}
{% macro json_text_fields(relation, expr, fields) -%}
    select
        parsed.*,
        {%- for name in fields %}
        {{ list_item('parsed._field_texts', loop.index) }} as {{ name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from (
        select
            {{ relation }}.*,
            {{ json_strs(relation ~ '.' ~ expr, fields.values() | list) }} as _field_texts
        from {{ relation }}
    ) as parsed
{%- endmacro %}
