{#
    Spark implementations of the project's dispatched cross-database macros (dbt-spark,
    `method: session` or a Thrift server / Databricks). Each one returns what the duckdb__
    version returns for the same input; tests/spark compares every model of the golden
    scenario across the two engines. Timestamps are TIMESTAMP_NTZ (profiles.yml sets
    spark.sql.timestampType), the UTC wall-clock values DuckDB's TIMESTAMP holds.
#}

{# JSON: get_json_object returns strings unquoted, objects and arrays as JSON text. #}
{% macro spark__json_str(expr, path) -%}
    {%- if path == '$' -%}
        {#- get_json_object gives the text 'null' for a document that is JSON null -#}
        case when trim({{ expr }}) <> 'null' then get_json_object({{ expr }}, '$') end
    {%- else -%}
        get_json_object({{ expr }}, '{{ path }}')
    {%- endif -%}
{%- endmacro %}

{% macro spark__json_strs(expr, paths) -%}
    array({% for path in paths %}get_json_object({{ expr }}, '{{ path }}'){% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}

{#
    The value still JSON: through VARIANT, so a string element keeps its quotes (from_json
    with array<string>, or get_json_object, would unquote it and a later json_kind would see
    garbage: the cross-engine comparison caught one extra discount row that way).
#}
{% macro spark__json_get(expr, path) -%}
    to_json(variant_get(try_parse_json({{ expr }}), '{{ path }}'))
{%- endmacro %}

{#
    Absent key -> SQL NULL; explicit JSON null -> the JSON text 'null' (as on DuckDB): the
    key's presence is read from its parent object, the value through VARIANT.
#}
{% macro spark__json_gets(expr, paths) -%}
    array(
    {%- for path in paths %}
        {%- set parent, key = path.rsplit('.', 1) %}
        case
            when array_contains(json_object_keys(get_json_object({{ expr }}, '{{ parent }}')), '{{ key }}')
                then coalesce(to_json(variant_get(try_parse_json({{ expr }}), '{{ path }}')), 'null')
        end{% if not loop.last %},{% endif %}
    {%- endfor %}
    )
{%- endmacro %}

{# DuckDB's json_type names: OBJECT, ARRAY, VARCHAR, BIGINT, DOUBLE, BOOLEAN, NULL. #}
{% macro spark__json_kind(expr, path) -%}
    case regexp_extract(
        schema_of_variant(variant_get(try_parse_json({{ expr }}), '{{ path }}')), '^[A-Z]+', 0
    )
        when 'OBJECT' then 'OBJECT'
        when 'ARRAY' then 'ARRAY'
        when 'STRING' then 'VARCHAR'
        when 'BIGINT' then 'BIGINT'
        when 'DECIMAL' then 'DOUBLE'
        when 'DOUBLE' then 'DOUBLE'
        when 'BOOLEAN' then 'BOOLEAN'
        when 'VOID' then 'NULL'
    end
{%- endmacro %}

{# One row per element (none for an empty or null array), each element still JSON text. #}
{% macro spark__json_array_elements(expr) -%}
    explode(transform(
        try_cast(try_parse_json({{ expr }}) as array<variant>), element -> to_json(element)
    ))
{%- endmacro %}

{% macro spark__json_path_has_elements(expr, path) -%}
    coalesce(get_json_object({{ expr }}, '{{ path }}') not in ('[]', 'null'), false)
{%- endmacro %}

{# Element `index` (1-based) of a list. #}
{% macro spark__list_item(list_expr, index) -%}
    element_at({{ list_expr }}, {{ index }})
{%- endmacro %}

{# Timestamps, all UTC wall-clock TIMESTAMP_NTZ. #}
{% macro spark__epoch_seconds_to_timestamp(expr) -%}
    cast(timestamp_seconds(cast({{ expr }} as bigint)) as timestamp_ntz)
{%- endmacro %}

{% macro spark__iso_to_timestamp(expr) -%}
    cast(try_cast({{ expr }} as timestamp_ltz) as timestamp_ntz)
{%- endmacro %}

{% macro spark__hubspot_timestamp(expr) -%}
    case
        when trim({{ expr }}) rlike '^-?[0-9]+$'
            then cast(timestamp_millis(cast(trim({{ expr }}) as bigint)) as timestamp_ntz)
        else cast(try_cast(trim({{ expr }}) as timestamp_ltz) as timestamp_ntz)
    end
{%- endmacro %}

{# Aggregates and series. #}
{% macro spark__first_non_null_by(value_expr, order_expr) -%}
    min_by({{ value_expr }}, {{ order_expr }}) filter (where {{ value_expr }} is not null)
{%- endmacro %}

{% macro spark__date_series(start_date, end_date, column_name) -%}
    select explode(sequence(cast({{ start_date }} as date), cast({{ end_date }} as date), interval 1 day))
        as {{ column_name }}
{%- endmacro %}

{% macro spark__month_series(start_date, end_date, column_name) -%}
    select explode(sequence({{ month_start(start_date) }}, {{ month_start(end_date) }}, interval 1 month))
        as {{ column_name }}
{%- endmacro %}

{# A CTE hint only DuckDB has (`as not materialized`): nothing elsewhere. #}
{% macro spark__cte_not_materialized() -%}{%- endmacro %}

{#
    Config of a day-keyed incremental model: DuckDB deletes and re-inserts the days a run
    rebuilds (`unique_key`); plain Parquet tables on Spark have neither delete nor merge, so
    the days are written with `insert_overwrite` into a table partitioned by that day column
    (dynamic partition overwrite: only the days the run selects are replaced).
#}
{% macro spark__day_incremental_config(day_column) -%}
    {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': [day_column], 'file_format': 'parquet'}) }}
{%- endmacro %}

{% macro spark__integer_series(start_value, end_value) -%}
    select explode(sequence(cast({{ start_value }} as bigint), cast({{ end_value }} as bigint))) as n
{%- endmacro %}

{% macro spark__sorted_listagg(measure, delimiter_text) -%}
    array_join(array_sort(collect_list({{ measure }})), {{ delimiter_text }})
{%- endmacro %}

{#
    dbt's date arithmetic, as DuckDB computes it (dbt-spark's versions go through Unix seconds
    and return NULL with TIMESTAMP_NTZ). dateadd: a timestamp (month ends clamp, like DuckDB's
    `+ interval 1 month`); datediff: boundaries crossed, like DuckDB's date_diff. Found before
    dbt-spark's through the `dispatch` search order of dbt_project.yml.
#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    timestampadd({{ datepart }}, cast({{ interval }} as bigint), cast({{ from_date_or_timestamp }} as timestamp))
{%- endmacro %}

{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- if datepart == 'day' -%}
        datediff(cast({{ second_date }} as date), cast({{ first_date }} as date))
    {%- elif datepart == 'month' -%}
        ((year({{ second_date }}) - year({{ first_date }})) * 12 + month({{ second_date }}) - month({{ first_date }}))
    {%- elif datepart == 'year' -%}
        (year({{ second_date }}) - year({{ first_date }}))
    {%- elif datepart == 'second' -%}
        {#- whole seconds between the instants (the session time zone is UTC, as DuckDB's) -#}
        (unix_seconds(cast({{ second_date }} as timestamp_ltz))
            - unix_seconds(cast({{ first_date }} as timestamp_ltz)))
    {%- else -%}
        {{ exceptions.raise_compiler_error('spark__datediff: datepart ' ~ datepart ~ ' is not implemented') }}
    {%- endif -%}
{%- endmacro %}
