{#
    Column-level invariant (MRR-3): no date after the refresh date `as_of`.
#}
{% test not_after_as_of(model, column_name) %}

select *
from {{ model }}
where cast({{ column_name }} as date) > {{ as_of_date() }}

{% endtest %}
