{#
    Layers land in schemas named after their folder config (`staging`, `intermediate`,
    `marts`, `seeds`), not dbt's default `<target schema>_<custom>`: BI tools read
    `marts.fct_mrr`. Models without a custom schema go to the target schema.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
