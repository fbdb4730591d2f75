{#
    Model-level invariant: the listed terms (SQL expressions, e.g. 'movement_mrr' or
    '-churned_mrr') add up to `total` on every row, within `tolerance`.
    Example: movements sum to the MRR change.
#}
{% test sums_to(model, terms, total, tolerance=0) %}

select *
from {{ model }}
where abs(coalesce(({{ terms | join(') + (') }}), 0) - coalesce({{ total }}, 0)) > {{ tolerance }}

{% endtest %}
