{#
    Aggregates, dispatched per adapter.
#}

{#
    Aggregate: the value of `value_expr` on the row with the smallest `order_expr` among the
    rows where `value_expr` is not SQL NULL (NULL when there is none).
#}
{% macro first_non_null_by(value_expr, order_expr) -%}
    {{ return(adapter.dispatch('first_non_null_by', 'cs_warehouse')(value_expr, order_expr)) }}
{%- endmacro %}

{% macro duckdb__first_non_null_by(value_expr, order_expr) -%}
    arg_min({{ value_expr }}, {{ order_expr }}) filter (where {{ value_expr }} is not null)
{%- endmacro %}

{% macro default__first_non_null_by(value_expr, order_expr) -%}
    (array_agg({{ value_expr }} order by {{ order_expr }}) filter (where {{ value_expr }} is not null))[1]
{%- endmacro %}

{# Element `index` (1-based) of a list (json_strs, json_gets). #}
{% macro list_item(list_expr, index) -%}
    {{ return(adapter.dispatch('list_item', 'cs_warehouse')(list_expr, index)) }}
{%- endmacro %}

{% macro default__list_item(list_expr, index) -%}
    {{ list_expr }}[{{ index }}]
{%- endmacro %}

{#
    `as {{ cte_not_materialized() }} (`: DuckDB's hint that a CTE read several times is
    inlined, not computed once into a temporary result; other engines have no such hint.
#}
{% macro cte_not_materialized() -%}
    {{ return(adapter.dispatch('cte_not_materialized', 'cs_warehouse')()) }}
{%- endmacro %}

{% macro default__cte_not_materialized() -%}
    not materialized
{%- endmacro %}

{#
    Aggregate: the values of `measure` joined by `delimiter_text` (a SQL string literal) in
    ascending order. dbt.listagg ignores its ordering on Spark, hence a Spark version.
#}
{% macro sorted_listagg(measure, delimiter_text) -%}
    {{ return(adapter.dispatch('sorted_listagg', 'cs_warehouse')(measure, delimiter_text)) }}
{%- endmacro %}

{% macro default__sorted_listagg(measure, delimiter_text) -%}
    {{ dbt.listagg(measure, delimiter_text, 'order by ' ~ measure) }}
{%- endmacro %}
