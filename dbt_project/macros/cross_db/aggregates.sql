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
