{#
    The start cohort of each account (LTV-1's realised LTV, the retention cohorts): the month
    of its first `new` MRR movement in `mrr` (fct_mrr rows, MRR-5). One row per account that
    ever started paying; a reactivation does not move it to a later cohort.
#}
{% macro account_start_cohorts(mrr) %}
    select
        account_id,
        min(month) as cohort_month
    from {{ mrr }}
    where movement = 'new'
    group by account_id
{% endmacro %}
