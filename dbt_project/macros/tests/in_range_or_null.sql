{#
    Column-level: the value is null (e.g. a rate with a zero denominator, CHN-1) or lies in
    [min_value, max_value] (either bound may be omitted).
#}
{% test in_range_or_null(model, column_name, min_value=none, max_value=none) %}

select *
from {{ model }}
where
    {{ column_name }} is not null
    and (
        false
        {% if min_value is not none %} or {{ column_name }} < {{ min_value }}{% endif %}
        {% if max_value is not none %} or {{ column_name }} > {{ max_value }}{% endif %}
    )

{% endtest %}
