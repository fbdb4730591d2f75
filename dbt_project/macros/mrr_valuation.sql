{#
    Net MRR (native currency) of each subscription item at a set of valuation points
    (MRR-1, MRR-2, MRR-3): the state just before each point's `valued_before` instant.

    Arguments are the names of relations/CTEs visible to the caller:
      items     - int_subscription_items_windowed rows that count toward MRR
      discounts - int_subscription_discounts_windowed rows (all of them: `once` discounts do
                  not reduce MRR, but a subscription's own `once` discount still keeps its
                  customer's discount away)
      points    - one row per point: point_id, valued_before (timestamp) and, when
                  by_account is true, account_id (only that account's items are valued)
    A window [from, to) holds at the point when from < valued_before <= to; so does a discount.
    MRR-2 order, as Stripe invoices: item discounts reduce their item; then the subscription's
    own discounts, or, when it has none at the point, its customer's, reduce the subscription,
    spread over its items in proportion to their value.
    Returns one row per point and item: point_id, the item's columns, gross_mrr_native and
    mrr_native.
#}
{% macro value_subscription_items(items, discounts, points, by_account=false) %}
    {%- set applies_at_point -%}
        {{ discounts }}.applies_from < {{ points }}.valued_before
        and ({{ discounts }}.applies_to is null or {{ discounts }}.applies_to >= {{ points }}.valued_before)
    {%- endset %}
    {%- set item_net_mrr -%}
        greatest(
            items_at_point.gross_mrr_native * coalesce(item_terms.percent_factor, 1)
            - coalesce(item_terms.amount_off_per_period, 0) / items_at_point.months_in_interval,
            0
        )
    {%- endset %}
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

    -- every discount in effect at each point of the windows being valued
    discounts_at_point as (
        select
            {{ points }}.point_id,
            {{ discounts }}.*
        from {{ discounts }}
        inner join (
            select distinct
                point_id,
                subscription_window_id
            from items_at_point
        ) as windows_at_point
            on {{ discounts }}.subscription_window_id = windows_at_point.subscription_window_id
        inner join {{ points }}
            on
                windows_at_point.point_id = {{ points }}.point_id
                and {{ applies_at_point }}
    ),

    -- a subscription with a discount of its own at the point ignores its customer's
    windows_with_own_discount as (
        select distinct
            point_id,
            subscription_window_id
        from discounts_at_point
        where discount_scope = 'subscription'
    ),

    recurring_discounts as (
        select discounts_at_point.*
        from discounts_at_point
        left join windows_with_own_discount
            on
                discounts_at_point.point_id = windows_with_own_discount.point_id
                and discounts_at_point.subscription_window_id = windows_with_own_discount.subscription_window_id
        where
            discounts_at_point.is_recurring
            and (
                discounts_at_point.discount_scope in ('subscription', 'item')
                or windows_with_own_discount.subscription_window_id is null
            )
    ),

    -- percent discounts compound (a 100% discount zeroes); an amount discount applies per
    -- billing period in the subscription's currency only
    discount_terms as (
        select
            point_id,
            subscription_window_id,
            case when discount_scope = 'item' then subscription_item_id end as subscription_item_id,
            case
                when max(coupon_percent_off) >= 100 then 0
                else exp(sum(ln(1 - coalesce(coupon_percent_off, 0) / 100.0)))
            end as percent_factor,
            sum(
                case
                    when coupon_currency = subscription_currency then coalesce(coupon_amount_off, 0)
                    else 0
                end
            ) as amount_off_per_period
        from recurring_discounts
        group by
            point_id,
            subscription_window_id,
            case when discount_scope = 'item' then subscription_item_id end
    ),

    items_net_of_item_discounts as (
        select
            items_at_point.point_id,
            items_at_point.subscription_window_id,
            items_at_point.months_in_interval,
            {{ item_net_mrr }} as item_net_mrr_native
        from items_at_point
        left join discount_terms as item_terms
            on
                items_at_point.point_id = item_terms.point_id
                and items_at_point.subscription_window_id = item_terms.subscription_window_id
                and items_at_point.subscription_item_id = item_terms.subscription_item_id
    ),

    subscription_windows_at_point as (
        select
            point_id,
            subscription_window_id,
            sum(item_net_mrr_native) as item_net_mrr_native,
            max(months_in_interval) as months_in_interval
        from items_net_of_item_discounts
        group by point_id, subscription_window_id
    ),

    subscription_net as (
        select
            subscription_windows_at_point.point_id,
            subscription_windows_at_point.subscription_window_id,
            subscription_windows_at_point.item_net_mrr_native,
            greatest(
                subscription_windows_at_point.item_net_mrr_native
                * coalesce(discount_terms.percent_factor, 1)
                - coalesce(discount_terms.amount_off_per_period, 0)
                / subscription_windows_at_point.months_in_interval,
                0
            ) as net_mrr_native
        from subscription_windows_at_point
        left join discount_terms
            on
                subscription_windows_at_point.point_id = discount_terms.point_id
                and subscription_windows_at_point.subscription_window_id = discount_terms.subscription_window_id
                and discount_terms.subscription_item_id is null
    )

    select
        items_at_point.*,
        cast(
            case
                when subscription_net.item_net_mrr_native = 0 then 0
                else {{ item_net_mrr }} * subscription_net.net_mrr_native / subscription_net.item_net_mrr_native
            end
            as decimal(28, 10)
        ) as mrr_native
    from items_at_point
    left join discount_terms as item_terms
        on
            items_at_point.point_id = item_terms.point_id
            and items_at_point.subscription_window_id = item_terms.subscription_window_id
            and items_at_point.subscription_item_id = item_terms.subscription_item_id
    inner join subscription_net
        on
            items_at_point.point_id = subscription_net.point_id
            and items_at_point.subscription_window_id = subscription_net.subscription_window_id
{% endmacro %}
