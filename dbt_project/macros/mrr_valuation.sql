{#
    Net MRR (native currency) of each subscription item at a set of valuation points
    (MRR-1, MRR-2, MRR-3): the state just before each point's `valued_before` instant.

    Arguments are the names of relations/CTEs visible to the caller:
      items     - int_subscription_items_windowed rows that count toward MRR
      discounts - int_subscription_discounts_windowed rows that recur
      points    - one row per point: point_id, valued_before (timestamp) and, when
                  by_account is true, account_id (only that account's items are valued)
    A window [from, to) holds at the point when from < valued_before <= to.
    Returns one row per point and item: point_id, the item's columns, gross_mrr_native and
    mrr_native (after the subscription's recurring discounts, spread over its items).
#}
{% macro value_subscription_items(items, discounts, points, by_account=false) %}
    with

    items_at_point as (
        select
            {{ points }}.point_id,
            {{ points }}.valued_before,
            {{ items }}.*
        from {{ items }}
        inner join {{ points }}
            on
                {{ items }}.paid_from < {{ points }}.valued_before
                and (
                    {{ items }}.effective_to is null
                    or {{ items }}.effective_to >= {{ points }}.valued_before
                )
                {% if by_account %}and {{ items }}.account_id = {{ points }}.account_id{% endif %}
    ),

    subscription_windows_at_point as (
        select
            point_id,
            valued_before,
            subscription_window_id,
            sum(gross_mrr_native) as gross_mrr_native,
            max(months_in_interval) as months_in_interval
        from items_at_point
        group by point_id, valued_before, subscription_window_id
    ),

    discounts_at_point as (
        select
            subscription_windows_at_point.point_id,
            subscription_windows_at_point.subscription_window_id,
            -- percent discounts compound; a 100% discount zeroes the subscription
            case
                when max({{ discounts }}.coupon_percent_off) >= 100 then 0
                else exp(sum(ln(1 - coalesce({{ discounts }}.coupon_percent_off, 0) / 100.0)))
            end as percent_factor,
            -- an amount discount applies in the subscription's currency only
            sum(
                case
                    when {{ discounts }}.coupon_currency = {{ discounts }}.subscription_currency
                        then coalesce({{ discounts }}.coupon_amount_off, 0)
                    else 0
                end
            ) as amount_off_per_period
        from subscription_windows_at_point
        inner join {{ discounts }}
            on
                subscription_windows_at_point.subscription_window_id
                = {{ discounts }}.subscription_window_id
                and {{ discounts }}.applies_from < subscription_windows_at_point.valued_before
                and (
                    {{ discounts }}.applies_to is null
                    or {{ discounts }}.applies_to >= subscription_windows_at_point.valued_before
                )
        group by subscription_windows_at_point.point_id, subscription_windows_at_point.subscription_window_id
    ),

    subscription_net as (
        select
            subscription_windows_at_point.point_id,
            subscription_windows_at_point.subscription_window_id,
            subscription_windows_at_point.gross_mrr_native,
            greatest(
                subscription_windows_at_point.gross_mrr_native
                * coalesce(discounts_at_point.percent_factor, 1)
                - coalesce(discounts_at_point.amount_off_per_period, 0)
                / subscription_windows_at_point.months_in_interval,
                0
            ) as net_mrr_native
        from subscription_windows_at_point
        left join discounts_at_point
            on
                subscription_windows_at_point.point_id = discounts_at_point.point_id
                and subscription_windows_at_point.subscription_window_id
                = discounts_at_point.subscription_window_id
    )

    select
        items_at_point.*,
        cast(
            items_at_point.gross_mrr_native
            * subscription_net.net_mrr_native
            / subscription_net.gross_mrr_native
            as decimal(28, 10)
        ) as mrr_native
    from items_at_point
    inner join subscription_net
        on
            items_at_point.point_id = subscription_net.point_id
            and items_at_point.subscription_window_id = subscription_net.subscription_window_id
{% endmacro %}
