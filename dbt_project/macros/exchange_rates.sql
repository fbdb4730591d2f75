{#
    The USD value of one unit of every (month, currency) pair found in `needed`, on the first
    day of that month (MRR-7): the latest rate dated on or before it. USD is 1. A pair with no
    earlier rate gets no row, so a caller's amount becomes null rather than a guessed value.
    Columns: <month_column>, currency, usd_per_unit. `rates` is a relation or CTE of
    stg_stripe__exchange_rates.
#}
{% macro month_start_usd_rates(needed, month_column, rates='rates') %}
    select
        {{ month_column }},
        currency,
        usd_per_unit
    from (
        select
            needed_pairs.{{ month_column }},
            needed_pairs.currency,
            rates_on_or_before.usd_per_unit,
            row_number() over (
                partition by needed_pairs.{{ month_column }}, needed_pairs.currency
                order by rates_on_or_before.rate_date desc
            ) as rate_rank
        from (
            select distinct
                {{ month_column }},
                currency
            from {{ needed }}
            where currency <> 'usd'
        ) as needed_pairs
        inner join {{ rates }} as rates_on_or_before
            on
                needed_pairs.currency = rates_on_or_before.currency
                and needed_pairs.{{ month_column }} >= rates_on_or_before.rate_date
    ) as ranked
    where rate_rank = 1
    union all
    select distinct
        {{ month_column }},
        currency,
        1 as usd_per_unit
    from {{ needed }}
    where currency = 'usd'
{% endmacro %}
