{#
    The earliest day touched by the rows of `upstream` loaded since this model's last run.
    An incremental event model rebuilds every day from there, so a late or re-sent event lands
    in its own day (ENG-3). `upstream` carries `_batch_at`, as does `{{ this }}`.
#}
{% macro earliest_day_of_new_batch(upstream, date_column) -%}
    (
        select min(batch.{{ date_column }})
        from {{ upstream }} as batch
        where batch._batch_at > (select max(this_run._batch_at) from {{ this }} as this_run)
    )
{%- endmacro %}

{#
    The config of a model incremental by day (`day_column`): `{{ config(materialized=
    'incremental', on_schema_change='fail', **day_incremental_config('event_date')) }}`.
#}
{% macro day_incremental_config(day_column) -%}
    {{ return(adapter.dispatch('day_incremental_config', 'cs_warehouse')(day_column)) }}
{%- endmacro %}

{% macro default__day_incremental_config(day_column) -%}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': day_column}) }}
{%- endmacro %}

{#
    `_batch_at` of the rows a build of an incremental model writes: when the dbt run started.
    Its tests check the newest `_batch_at` (macros/tests/get_where_subquery.sql).
#}
{% macro batch_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp)
{%- endmacro %}
