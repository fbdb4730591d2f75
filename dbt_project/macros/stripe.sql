{#
    Stripe decoding helpers (pure SQL expressions, no joins), used by the staging models.
#}

{#
    An id field that Stripe may return as a string or, when expanded, as an object with `id`
    (e.g. `customer`, `subscription`, `price`, `coupon`).
#}
{% macro stripe_id(expr, path) -%}
    case
        when {{ json_kind(expr, path) }} = 'OBJECT' then {{ json_str(expr, path ~ '.id') }}
        else {{ json_str(expr, path) }}
    end
{%- endmacro %}

{# Unix seconds at `path` -> UTC timestamp. #}
{% macro stripe_ts(expr, path) -%}
    {{ epoch_seconds_to_timestamp(json_str(expr, path)) }}
{%- endmacro %}

{#
    Number of minor units in one currency unit, per Stripe's currency rules: zero-decimal
    currencies (JPY, KRW, ...) are already whole units; three-decimal currencies use 1000.
    https://docs.stripe.com/currencies#zero-decimal
#}
{% macro stripe_minor_units_per_unit(currency_expr) -%}
    case
        when lower({{ currency_expr }}) in (
            'bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga',
            'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf'
        ) then 1
        when lower({{ currency_expr }}) in ('bhd', 'jod', 'kwd', 'omr', 'tnd') then 1000
        else 100
    end
{%- endmacro %}

{# An amount in minor units (any numeric expression) -> decimal currency units. #}
{% macro stripe_amount(amount_expr, currency_expr) -%}
    cast(
        cast({{ amount_expr }} as decimal(38, 12)) / {{ stripe_minor_units_per_unit(currency_expr) }}
        as decimal(24, 6)
    )
{%- endmacro %}
