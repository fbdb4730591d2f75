{#
    A mart's contract declares which columns are never null (`constraints: [{type: not_null}]`
    in its yml); those columns have no `not_null` data test. DuckDB enforces the constraint as
    the rows are written: a null fails the model's build. Spark's Parquet tables do not
    (dbt-spark applies constraints to Delta tables only), so on Spark this post-hook of every
    mart (dbt_project.yml) counts the nulls of those columns after each build, incremental
    runs included, and fails the model the same way. On engines that enforce it, it is empty.
#}
{% macro assert_contract_not_null() %}
    {{ return(adapter.dispatch('assert_contract_not_null', 'cs_warehouse')()) }}
{% endmacro %}

{% macro default__assert_contract_not_null() %}{% endmacro %}

{% macro spark__assert_contract_not_null() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set columns = [] -%}
    {%- for name, column in model['columns'].items() -%}
        {%- if column.get('constraints', []) | selectattr('type', 'equalto', 'not_null') | list -%}
            {%- do columns.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not columns -%}{{ return('') }}{%- endif -%}
    {%- set counts_sql -%}
        select
        {%- for name in columns %}
            count_if({{ adapter.quote(name) }} is null){% if not loop.last %},{% endif %}
        {%- endfor %}
        from {{ this }}
    {%- endset -%}
    {%- set counts = run_query(counts_sql).rows[0] -%}
    {%- set nulls = [] -%}
    {%- for name in columns -%}
        {%- if counts[loop.index0] > 0 -%}
            {%- do nulls.append(counts[loop.index0] ~ ' in ' ~ name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if nulls -%}
        {{ exceptions.raise_compiler_error(
            this ~ ": null values in columns its contract declares not null: "
            ~ nulls | join(', ')
        ) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
