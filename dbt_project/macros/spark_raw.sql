{#
    on-run-start: on Spark, every raw source becomes an external Parquet table over the folder
    the ingestion writes (orchestration/ingest/parquet_handoff.py), columns read from the files
    (the raw schema is defined once, in orchestration/ingest/raw_schema.py). Day partitions are
    found from the folders when a table is read (spark.sql.hive.manageFilesourcePartitions is
    false in profiles.yml): a day the ingestion adds or removes needs no repair step.
    Other engines read the raw tables where the loader wrote them: nothing to do.
#}
{% macro register_raw_parquet_tables() %}
    {{ return(adapter.dispatch('register_raw_parquet_tables', 'cs_warehouse')()) }}
{% endmacro %}

{% macro default__register_raw_parquet_tables() %}
    select 1
{% endmacro %}

{% macro spark__register_raw_parquet_tables() %}
    {%- if execute -%}
        {%- set raw_dir = env_var('CS_SPARK_RAW_DIR', env_var('CS_SPARK_DIR', '../data/spark') ~ '/raw') -%}
        {%- for source in graph.sources.values() | sort(attribute='unique_id') -%}
            {%- if source.schema.startswith('raw_') -%}
                {%- set system = source.schema[4:] -%}
                {%- set location = raw_dir ~ '/' ~ system ~ '/' ~ source.identifier -%}
                {%- call statement('raw_schema_' ~ loop.index) -%}
                    create schema if not exists {{ source.schema }}
                {%- endcall -%}
                {%- call statement('raw_table_' ~ loop.index) -%}
                    create table if not exists {{ source.schema }}.{{ source.identifier }}
                    using parquet
                    location '{{ location }}'
                {%- endcall -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{% endmacro %}
