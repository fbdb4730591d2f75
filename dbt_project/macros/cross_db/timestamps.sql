{#
    Timestamp decoding, dispatched per adapter. All results are UTC timestamps without zone.
#}

{# Unix seconds (Stripe) -> UTC timestamp. #}
{% macro epoch_seconds_to_timestamp(expr) -%}
    {{ return(adapter.dispatch('epoch_seconds_to_timestamp', 'cs_warehouse')(expr)) }}
{%- endmacro %}

{% macro duckdb__epoch_seconds_to_timestamp(expr) -%}
    make_timestamp(cast({{ expr }} as bigint) * 1000000)
{%- endmacro %}

{% macro default__epoch_seconds_to_timestamp(expr) -%}
    (to_timestamp(cast({{ expr }} as bigint)) at time zone 'UTC')
{%- endmacro %}

{# ISO-8601 text with or without offset -> UTC timestamp; null when unparseable. #}
{% macro iso_to_timestamp(expr) -%}
    {{ return(adapter.dispatch('iso_to_timestamp', 'cs_warehouse')(expr)) }}
{%- endmacro %}

{% macro duckdb__iso_to_timestamp(expr) -%}
    timezone('UTC', try_cast({{ expr }} as timestamptz))
{%- endmacro %}

{% macro default__iso_to_timestamp(expr) -%}
    (cast({{ expr }} as timestamptz) at time zone 'UTC')
{%- endmacro %}

{# HubSpot date text: epoch milliseconds ("1735689600000") or ISO-8601 -> UTC timestamp. #}
{% macro hubspot_timestamp(expr) -%}
    {{ return(adapter.dispatch('hubspot_timestamp', 'cs_warehouse')(expr)) }}
{%- endmacro %}

{% macro duckdb__hubspot_timestamp(expr) -%}
    case
        when regexp_full_match(trim({{ expr }}), '-?[0-9]+')
            then make_timestamp(cast(trim({{ expr }}) as bigint) * 1000)
        else timezone('UTC', try_cast(trim({{ expr }}) as timestamptz))
    end
{%- endmacro %}

{% macro default__hubspot_timestamp(expr) -%}
    case
        when trim({{ expr }}) ~ '^-?[0-9]+$'
            then (to_timestamp(cast(trim({{ expr }}) as bigint) / 1000.0) at time zone 'UTC')
        else (cast(trim({{ expr }}) as timestamptz) at time zone 'UTC')
    end
{%- endmacro %}
