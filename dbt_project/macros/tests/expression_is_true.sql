{#
    Model-level invariant: `expression` holds on every row (optionally only where `where`).
#}
{% test expression_is_true(model, expression) %}

select *
from {{ model }}
where not ({{ expression }})

{% endtest %}
