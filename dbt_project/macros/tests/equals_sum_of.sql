{#
    Column-level invariant: for each `key` value, the column equals the sum of
    `compare_expression` over the rows of `compare_model` with that key (a key missing on
    either side counts as 0). Example: fct_revenue_monthly.mrr = sum(fct_mrr.mrr) by month.
#}
{% test equals_sum_of(model, column_name, compare_model, compare_expression, key, tolerance=0) %}

with

actual as (
    select
        {{ key }} as key_value,
        sum({{ column_name }}) as actual_total
    from {{ model }}
    group by {{ key }}
),

expected as (
    select
        {{ key }} as key_value,
        sum({{ compare_expression }}) as expected_total
    from {{ compare_model }}
    group by {{ key }}
),

compared as (
    select
        coalesce(actual.key_value, expected.key_value) as key_value,
        coalesce(actual.actual_total, 0) as actual_total,
        coalesce(expected.expected_total, 0) as expected_total
    from actual
    full outer join expected
        on actual.key_value = expected.key_value
)

select *
from compared
where abs(actual_total - expected_total) > {{ tolerance }}

{% endtest %}
