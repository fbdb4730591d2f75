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

{#
    stripe_id over fields already decoded as text (json_text_fields): `value` is the field's
    text (an expanded object's JSON text), `object_id` the text at the field's `.id`.
#}
{% macro stripe_id_text(value, object_id) -%}
    case when substr({{ value }}, 1, 1) = '{' then {{ object_id }} else {{ value }} end
{%- endmacro %}

{# Unix seconds at `path` -> UTC timestamp. #}
{% macro stripe_ts(expr, path) -%}
    {{ epoch_seconds_to_timestamp(json_str(expr, path)) }}
{%- endmacro %}

{#
    Number of minor units in one currency unit, per Stripe's currency rules: zero-decimal
    currencies (JPY, KRW, ...) are already whole units; three-decimal currencies use 1000.
    The lists are project vars (dbt_project.yml), the one place they are written.
#}
{% macro stripe_minor_units_per_unit(currency_expr) -%}
    case
        when lower({{ currency_expr }}) in ({{ sql_text_list(var('stripe_zero_decimal_currencies')) }}) then 1
        when lower({{ currency_expr }}) in ({{ sql_text_list(var('stripe_three_decimal_currencies')) }}) then 1000
        else 100
    end
{%- endmacro %}

{# A list of plain words -> 'a', 'b', 'c' (SQL text literals). #}
{% macro sql_text_list(words) -%}
    {%- for word in words -%}'{{ word }}'{%- if not loop.last %}, {% endif -%}{%- endfor -%}
{%- endmacro %}

{# An amount in minor units (any numeric expression) -> decimal currency units. #}
{% macro stripe_amount(amount_expr, currency_expr) -%}
    cast(
        cast({{ amount_expr }} as decimal(38, 12)) / {{ stripe_minor_units_per_unit(currency_expr) }}
        as decimal(24, 6)
    )
{%- endmacro %}

{#
    Stripe discounts decoded (MRR-2): one row per distinct discount of each owner version.
    `relation` has the owner's key columns `keys`, `discount` (JSON: an expanded discount
    object or a bare discount id, which cannot be valued and keeps a null coupon) and
    `discount_source_rank` (lower wins when one discount is listed twice, e.g. the legacy
    `discount` repeating an element of `discounts`, often as a bare id there). The coupon is
    embedded as `coupon` (legacy) or `source.coupon` (newer API versions), an object or an id;
    intermediate models fill an id-only coupon from stg_stripe__coupons.
#}
{% macro stripe_discounts_decoded(relation, keys) %}
    with

    decoded as (
        select
            {{ keys | join(', ') }},
            discount_source_rank,
            case
                when {{ json_kind('discount', '$') }} = 'OBJECT' then {{ json_str('discount', '$.id') }}
                else {{ json_str('discount', '$') }}
            end as discount_id,
            case
                when {{ json_kind('discount', '$.coupon') }} = 'OBJECT' then {{ json_get('discount', '$.coupon') }}
                when {{ json_kind('discount', '$.source.coupon') }} = 'OBJECT'
                    then {{ json_get('discount', '$.source.coupon') }}
            end as coupon,
            coalesce(
                {{ stripe_id('discount', '$.coupon') }},
                {{ stripe_id('discount', '$.source.coupon') }}
            ) as coupon_id,
            {{ stripe_ts('discount', '$.start') }} as discount_start_at,
            {{ stripe_ts('discount', '$.end') }} as discount_end_at
        from {{ relation }}
    ),

    coupon_decoded as (
        select
            {{ keys | join(', ') }},
            discount_source_rank,
            discount_id,
            coupon_id,
            {{ json_str('coupon', '$.duration') }} as coupon_duration,
            cast({{ json_str('coupon', '$.duration_in_months') }} as integer) as coupon_duration_in_months,
            cast({{ json_str('coupon', '$.percent_off') }} as decimal(9, 4)) as coupon_percent_off,
            lower({{ json_str('coupon', '$.currency') }}) as coupon_currency,
            {{ stripe_amount(json_str('coupon', '$.amount_off'), json_str('coupon', '$.currency')) }}
                as coupon_amount_off,
            discount_start_at,
            discount_end_at
        from decoded
    ),

    -- one copy of a discount listed twice: the most complete
    deduplicated as (
        select
            *,
            row_number() over (
                partition by {{ keys | join(', ') }}, coalesce(discount_id, coupon_id)
                order by
                    (coupon_duration is not null) desc,
                    (coupon_id is not null) desc,
                    discount_source_rank asc
            ) as duplicate_rank
        from coupon_decoded
    )

    select
        {{ keys | join(', ') }},
        {{ stripe_discount_columns() }}
    from deduplicated
    where duplicate_rank = 1
{% endmacro %}

{# The columns of a decoded discount (stripe_discounts_decoded), in their order. #}
{% macro stripe_discount_columns() -%}
    discount_id,
    coupon_id,
    coupon_duration,
    coupon_duration_in_months,
    coupon_percent_off,
    coupon_currency,
    coupon_amount_off,
    discount_start_at,
    discount_end_at
{%- endmacro %}

{#
    The discounts a customer or subscription version lists, for stripe_discounts_decoded: each
    element of its `discounts` array (rank 1) and its single `discount` object (rank 2; the
    legacy field, often repeating an array element). `relation` is the raw table, `owner_id`
    the name its `record_id` takes.
#}
{% macro stripe_listed_discounts(relation, owner_id) %}
    select
        record_id as {{ owner_id }},
        _record_version,
        {{ json_array_elements(json_get('record', '$.discounts')) }} as discount,
        1 as discount_source_rank
    from {{ relation }}
    where {{ json_kind('record', '$.discounts') }} = 'ARRAY'
    union all
    select
        record_id as {{ owner_id }},
        _record_version,
        {{ json_get('record', '$.discount') }} as discount,
        2 as discount_source_rank
    from {{ relation }}
    where {{ json_kind('record', '$.discount') }} = 'OBJECT'
{% endmacro %}

{#
    Select-list of one element `tier_expr` of a tiered price's `tiers` (MRR-2): `up_to` (null =
    infinity), and the per-unit and flat amounts in decimal currency units (the `_decimal`
    string when present, it keeps sub-cent precision).
#}
{% macro stripe_tier_columns(tier_expr, currency_expr) -%}
    cast({{ json_str(tier_expr, '$.up_to') }} as bigint) as up_to,
    coalesce({{ stripe_amount(
        "coalesce(" ~ json_str(tier_expr, '$.unit_amount_decimal') ~ ", "
        ~ json_str(tier_expr, '$.unit_amount') ~ ")",
        currency_expr
    ) }}, 0) as tier_unit_amount,
    coalesce({{ stripe_amount(
        "coalesce(" ~ json_str(tier_expr, '$.flat_amount_decimal') ~ ", "
        ~ json_str(tier_expr, '$.flat_amount') ~ ")",
        currency_expr
    ) }}, 0) as tier_flat_amount
{%- endmacro %}

{#
    Select-list of a discount's coupon terms (MRR-2): embedded in the discount (`discounts`
    relation, decoded by stripe_discounts_decoded) else from stg_stripe__coupons (`coupons`,
    left-joined on coupon_id by the caller).
#}
{% macro discount_coupon_columns(discounts, coupons) -%}
    {{ discounts }}.discount_id,
    {{ discounts }}.coupon_id,
    coalesce({{ discounts }}.coupon_duration, {{ coupons }}.duration) as coupon_duration,
    coalesce({{ discounts }}.coupon_duration_in_months, {{ coupons }}.duration_in_months)
        as coupon_duration_in_months,
    coalesce({{ discounts }}.coupon_percent_off, {{ coupons }}.percent_off) as coupon_percent_off,
    coalesce({{ discounts }}.coupon_amount_off, {{ coupons }}.amount_off) as coupon_amount_off,
    coalesce({{ discounts }}.coupon_currency, {{ coupons }}.currency) as coupon_currency,
    {{ discounts }}.discount_start_at,
    {{ discounts }}.discount_end_at
{%- endmacro %}

{#
    When a discount stops applying (MRR-2): its `end`, else for a `repeating` coupon
    `duration_in_months` after `start_expr`; null = never. Columns of `relation` (unqualified
    when none).
#}
{% macro discount_end(start_expr, relation=none) -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    coalesce(
        {{ prefix }}discount_end_at,
        case
            when {{ prefix }}coupon_duration = 'repeating'
                then {{ dbt.dateadd('month', prefix ~ 'coupon_duration_in_months', start_expr) }}
        end
    )
{%- endmacro %}
