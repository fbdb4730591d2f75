{#
    The USD value of one unit of every (date, currency) pair found in `needed` (MRR-7's rate
    file): the latest rate dated on or before that date. USD is 1. A pair with no earlier rate
    gets no row, so a caller's amount becomes null rather than a guessed value.
    Columns: <date_column>, currency, usd_per_unit. `rates` is a relation or CTE of
    stg_stripe__exchange_rates. Callers pick the date: the first day of a month (MRR-7,
    month_start_usd_rates) or the day of a transaction (CASH-1).
#}
{% macro usd_rates_on_or_before(needed, date_column, rates='rates') %}
    select
        {{ date_column }},
        currency,
        usd_per_unit
    from (
        select
            needed_pairs.{{ date_column }},
            needed_pairs.currency,
            rates_on_or_before.usd_per_unit,
            row_number() over (
                partition by needed_pairs.{{ date_column }}, needed_pairs.currency
                order by rates_on_or_before.rate_date desc
            ) as rate_rank
        from (
            select distinct
                {{ date_column }},
                currency
            from {{ needed }}
            where currency <> 'usd'
        ) as needed_pairs
        inner join {{ rates }} as rates_on_or_before
            on
                needed_pairs.currency = rates_on_or_before.currency
                and needed_pairs.{{ date_column }} >= rates_on_or_before.rate_date
    ) as ranked
    where rate_rank = 1
    union all
    select distinct
        {{ date_column }},
        currency,
        1 as usd_per_unit
    from {{ needed }}
    where currency = 'usd'
{% endmacro %}

{#
    The same rates on the first day of each month in `month_column` (MRR-7): `needed` holds
    month starts, so the latest rate on or before the month's first day.
#}
{% macro month_start_usd_rates(needed, month_column, rates='rates') %}
    {{ usd_rates_on_or_before(needed, month_column, rates) }}
{% endmacro %}
