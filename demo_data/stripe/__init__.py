"""The Stripe side of the demo: products and prices, subscriptions executed the way Stripe bills
them, and the objects rendered in both API shapes."""
