{#
    The refresh date: `var('as_of')` when given, else CS_AS_OF. Every "current" value is computed as of
    this date, never from the wall clock (METRICS.md: `as_of` is the date of the refresh).
#}

{% macro as_of_date() -%}
    cast('{{ as_of_value() }}' as date)
{%- endmacro %}

{% macro as_of_value() -%}
    {%- set value = var('as_of', '') | string | trim -%}
    {%- if value == '' and execute -%}
        {#- CS_AS_OF is read at execution only: read while parsing, a new date would make dbt
            re-parse the whole project (~11 s of CPU) on every refresh. -#}
        {%- set value = env_var('CS_AS_OF', '') | trim -%}
    {%- endif -%}
    {%- if value == '' -%}
        {#- Parsing needs no date; any execution does (see assert_as_of_is_set). -#}
        {{- return('1970-01-01') -}}
    {%- endif -%}
    {{- return(value) -}}
{%- endmacro %}

{#
    on-run-start: commands that build or test data refuse to run without a valid `as_of`;
    commands that only compile (docs generate, compile, ls) use a placeholder date.
#}
{% macro assert_as_of_is_set() %}
    {%- if execute and flags.WHICH in ['build', 'run', 'test', 'seed', 'snapshot', 'retry'] -%}
        {%- set value = var('as_of', '') | string | trim or env_var('CS_AS_OF', '') | trim -%}
        {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', value) -%}
            {{ exceptions.raise_compiler_error(
                "var 'as_of' must be a date YYYY-MM-DD (set CS_AS_OF or --vars as_of:...), got '"
                ~ value ~ "'"
            ) }}
        {%- endif -%}
    {%- endif -%}
    select 1
{% endmacro %}
