"""What the demo company sells: products, prices in four currencies, coupons.

One platform product sold per seat in three tiers (a tier change is an upsell of the same
product, UPS-1) and three flat-priced add-on products (a second subscription is a cross-sell).
"""

from __future__ import annotations

from dataclasses import dataclass

from demo_data.ids import StripeIds
from demo_data.records import ApiRecord, dumps

CURRENCIES = ("usd", "eur", "gbp", "jpy")
TIERS = ("starter", "pro", "enterprise")
ADDONS = ("automation", "connectors", "support")

# List prices in minor units (JPY is zero-decimal: whole yen). Platform tiers are per seat.
LIST_PRICES: dict[tuple[str, str], dict[str, int]] = {
    ("starter", "month"): {"usd": 2_500, "eur": 2_300, "gbp": 2_000, "jpy": 3_800},
    ("starter", "year"): {"usd": 24_000, "eur": 22_000, "gbp": 19_000, "jpy": 36_000},
    ("pro", "month"): {"usd": 4_900, "eur": 4_500, "gbp": 3_900, "jpy": 7_400},
    ("pro", "year"): {"usd": 47_000, "eur": 43_000, "gbp": 37_000, "jpy": 71_000},
    ("enterprise", "month"): {"usd": 8_900, "eur": 8_200, "gbp": 7_100, "jpy": 13_400},
    ("enterprise", "year"): {"usd": 85_000, "eur": 78_000, "gbp": 68_000, "jpy": 128_000},
    ("automation", "month"): {"usd": 29_900, "eur": 27_500, "gbp": 23_900, "jpy": 45_000},
    ("automation", "year"): {"usd": 299_000, "eur": 275_000, "gbp": 239_000, "jpy": 450_000},
    ("connectors", "month"): {"usd": 14_900, "eur": 13_700, "gbp": 11_900, "jpy": 22_000},
    ("connectors", "year"): {"usd": 149_000, "eur": 137_000, "gbp": 119_000, "jpy": 220_000},
    ("support", "month"): {"usd": 49_900, "eur": 45_900, "gbp": 39_900, "jpy": 75_000},
    ("support", "year"): {"usd": 499_000, "eur": 459_000, "gbp": 399_000, "jpy": 750_000},
}

PRODUCT_NAMES = {
    "platform": "Lumen Platform",
    "automation": "Lumen Automation",
    "connectors": "Lumen Connectors Pack",
    "support": "Lumen Premium Support",
}


@dataclass(frozen=True)
class CouponSpec:
    code: str
    duration: str  # once | repeating | forever
    percent_off: float | None = None
    amount_off: int | None = None  # minor units, only with `currency`
    currency: str | None = None
    duration_in_months: int | None = None


COUPONS = (
    CouponSpec("WELCOME20", "once", percent_off=20.0),
    CouponSpec("LAUNCH25X3", "repeating", percent_off=25.0, duration_in_months=3),
    CouponSpec("PARTNER10", "forever", percent_off=10.0),
    CouponSpec("SAVE50USD", "once", amount_off=5_000, currency="usd"),
)


@dataclass
class Catalog:
    products: dict[str, dict]  # plan key ("platform", add-on) -> Stripe product
    prices: dict[tuple[str, str, str], dict]  # (tier or add-on, interval, currency) -> price
    coupons: dict[str, dict]  # coupon id -> Stripe coupon

    def price(self, plan: str, interval: str, currency: str) -> dict:
        return self.prices[(plan, interval, currency)]


def product_key(plan: str) -> str:
    return "platform" if plan in TIERS else plan


def _product(ids: StripeIds, key: str, created: int) -> dict:
    return {
        "id": ids.new("prod", 18),
        "object": "product",
        "active": True,
        "created": created,
        "default_price": None,
        "description": None,
        "images": [],
        "livemode": False,
        "marketing_features": [],
        "metadata": {"plan_family": key},
        "name": PRODUCT_NAMES[key],
        "package_dimensions": None,
        "shippable": None,
        "statement_descriptor": None,
        "tax_code": None,
        "type": "service",
        "unit_label": "seat" if key == "platform" else None,
        "updated": created,
        "url": None,
    }


def _price(ids: StripeIds, product: dict, plan: str, interval: str, currency: str, created: int):
    amount = LIST_PRICES[(plan, interval)][currency]
    return {
        "id": ids.new("price", 30),
        "object": "price",
        "active": True,
        "billing_scheme": "per_unit",
        "created": created,
        "currency": currency,
        "custom_unit_amount": None,
        "livemode": False,
        "lookup_key": f"{plan}_{interval}_{currency}",
        "metadata": {"tier": plan} if plan in TIERS else {"addon": plan},
        "nickname": f"{plan.title()} ({interval}ly, {currency.upper()})",
        "product": product["id"],
        "recurring": {
            "aggregate_usage": None,
            "interval": interval,
            "interval_count": 1,
            "meter": None,
            "trial_period_days": None,
            "usage_type": "licensed",
        },
        "tax_behavior": "exclusive",
        "tiers_mode": None,
        "transform_quantity": None,
        "type": "recurring",
        "unit_amount": amount,
        "unit_amount_decimal": str(amount),
    }


def _coupon(spec: CouponSpec, created: int) -> dict:
    return {
        "id": spec.code,
        "object": "coupon",
        "amount_off": spec.amount_off,
        "created": created,
        "currency": spec.currency,
        "duration": spec.duration,
        "duration_in_months": spec.duration_in_months,
        "livemode": False,
        "max_redemptions": None,
        "metadata": {},
        "name": spec.code,
        "percent_off": spec.percent_off,
        "redeem_by": None,
        "times_redeemed": 0,
        "valid": True,
    }


def build_catalog(ids: StripeIds, created: int) -> Catalog:
    """Everything is created on the first day of the window, an hour apart per object type."""
    products = {key: _product(ids, key, created) for key in PRODUCT_NAMES}
    prices = {}
    for (plan, interval), _ in LIST_PRICES.items():
        for currency in CURRENCIES:
            product = products[product_key(plan)]
            prices[(plan, interval, currency)] = _price(
                ids, product, plan, interval, currency, created + 3_600
            )
    coupons = {spec.code: _coupon(spec, created + 7_200) for spec in COUPONS}
    return Catalog(products, prices, coupons)


def catalog_records(catalog: Catalog) -> list[ApiRecord]:
    """The catalog's objects as API records, one creation event each, in object order."""
    groups = [
        ("products", "product.created", list(catalog.products.values())),
        ("prices", "price.created", list(catalog.prices.values())),
        ("coupons", "coupon.created", list(catalog.coupons.values())),
    ]
    records = []
    for obj, event_type, bodies in groups:
        for body in bodies:
            records.append(
                ApiRecord(
                    body["created"],
                    -1,
                    len(records),
                    "stripe",
                    obj,
                    body["id"],
                    dumps(body),
                    event_type,
                )
            )
    return records
