{#
    dbt's `where` config of data tests, plus one placeholder: `__rebuilt_rows__` selects the
    rows the newest build of a model incremental by day wrote (its newest `_batch_at`: every
    row after a full refresh, the rebuilt days after a daily run). A placeholder because a
    `where` config is rendered when dbt parses the project, and the build is only known when
    the test runs.
#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if not where -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set newest_build = '_batch_at = (select max(newest._batch_at) from ' ~ relation ~ ' as newest)' -%}
    {%- set filtered -%}
        (select * from {{ relation }} where {{ where | replace('__rebuilt_rows__', newest_build) }}) as dbt_subquery
    {%- endset -%}
    {{ return(filtered) }}
{%- endmacro %}
