{#
    A one-column relation `n` with every integer from start_value to end_value (SQL
    expressions). Dispatched: series generators differ per engine.
#}
{% macro integer_series(start_value, end_value) -%}
    {{ return(adapter.dispatch('integer_series', 'cs_warehouse')(start_value, end_value)) }}
{%- endmacro %}

{% macro duckdb__integer_series(start_value, end_value) -%}
    select series.generate_series as n
    from generate_series(cast({{ start_value }} as bigint), cast({{ end_value }} as bigint)) as series
{%- endmacro %}

{% macro default__integer_series(start_value, end_value) -%}
    select series as n
    from generate_series(cast({{ start_value }} as bigint), cast({{ end_value }} as bigint)) as series
{%- endmacro %}
