{#
    Date helpers built on dbt's cross-database macros (dbt.date_trunc, dbt.dateadd), always
    returning a DATE: DuckDB's date arithmetic returns timestamps.
#}

{% macro month_start(expr) -%}
    cast({{ dbt.date_trunc('month', expr) }} as date)
{%- endmacro %}

{% macro add_days(expr, days) -%}
    cast({{ dbt.dateadd('day', days, expr) }} as date)
{%- endmacro %}

{% macro add_months(expr, months) -%}
    cast({{ dbt.dateadd('month', months, expr) }} as date)
{%- endmacro %}

{#
    A one-column relation `date_day` with every day from start_date to end_date inclusive
    (both SQL date expressions). Dispatched: series generators differ per engine.
#}
{% macro date_series(start_date, end_date, column_name='date_day') -%}
    {{ return(adapter.dispatch('date_series', 'cs_warehouse')(start_date, end_date, column_name)) }}
{%- endmacro %}

{% macro duckdb__date_series(start_date, end_date, column_name) -%}
    select cast(series.generate_series as date) as {{ column_name }}
    from generate_series(
        cast({{ start_date }} as timestamp),
        cast({{ end_date }} as timestamp),
        interval 1 day
    ) as series
{%- endmacro %}

{% macro default__date_series(start_date, end_date, column_name) -%}
    select cast(series as date) as {{ column_name }}
    from generate_series(
        cast({{ start_date }} as timestamp),
        cast({{ end_date }} as timestamp),
        interval '1 day'
    ) as series
{%- endmacro %}

{# Same, one row per month start (month_start(start_date) .. month_start(end_date)). #}
{% macro month_series(start_date, end_date, column_name='month_start') -%}
    {{ return(adapter.dispatch('month_series', 'cs_warehouse')(start_date, end_date, column_name)) }}
{%- endmacro %}

{% macro duckdb__month_series(start_date, end_date, column_name) -%}
    select cast(series.generate_series as date) as {{ column_name }}
    from generate_series(
        cast({{ month_start(start_date) }} as timestamp),
        cast({{ month_start(end_date) }} as timestamp),
        interval 1 month
    ) as series
{%- endmacro %}

{% macro default__month_series(start_date, end_date, column_name) -%}
    select cast(series as date) as {{ column_name }}
    from generate_series(
        cast({{ month_start(start_date) }} as timestamp),
        cast({{ month_start(end_date) }} as timestamp),
        interval '1 month'
    ) as series
{%- endmacro %}
