{#
    One row per account per day on which it has a subscription item counting toward MRR (at
    the end of the day), from its first such day to `as_of`: whether it pays and its licensed
    seats = the quantity of its per-seat items (products whose unit_label is seat/seats/
    user/users) (ENG-2). Used for seat utilisation and to choose the accounts health is
    scored for (HLT-1).
#}

with

items as (
    select * from {{ ref('int_subscription_items_windowed') }}
    where counts_toward_mrr
),

products as (
    select * from {{ ref('stg_stripe__products') }}
),

days as (
    {{ date_series('(select min(cast(items.paid_from as date)) from items)', as_of_date(), 'date_day') }}
),

items_at_day_end as (
    select
        items.account_id,
        days.date_day,
        items.quantity,
        coalesce(products.unit_label in ('seat', 'seats', 'user', 'users'), false) as is_per_seat
    from items
    inner join days
        on
            items.paid_from < cast({{ add_days('days.date_day', 1) }} as timestamp)
            and (
                items.effective_to is null
                or items.effective_to >= cast({{ add_days('days.date_day', 1) }} as timestamp)
            )
    left join products
        on items.product_id = products.product_id
),

final as (
    select
        account_id,
        date_day,
        true as is_paying,
        cast(sum(case when is_per_seat then quantity else 0 end) as bigint) as licensed_seats
    from items_at_day_end
    group by account_id, date_day
)

select * from final
