from django.apps import AppConfig


class LoyaltyConfig(AppConfig):
    """Loyalty points and house accounts: manual 002's point-of-sale back office keeps
    both on the customer ("Loyalty Program", "House Accounts"); one small app holds the
    two, as they share the set-up role and the customer-page wiring."""

    name = "patron.loyalty"
    label = "loyalty"

    def ready(self) -> None:
        from patron.loyalty.customer_parts import register_loyalty_parts

        register_loyalty_parts()
