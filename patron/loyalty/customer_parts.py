"""The Loyalty and House accounts tabs, and their left-menu links, on the customer page."""

from patron.customers.customer_page import MenuLink, Tab, register, register_link
from patron.loyalty.services import loyalty_balance

LEDGER_ROWS = 500  # the newest; the API lists them all (?customer=)


def _loyalty_tab(request, customer) -> dict:
    return {
        "balance": loyalty_balance(customer),
        "entries": customer.loyalty_entries.select_related("created_by")[:LEDGER_ROWS],
        "total": customer.loyalty_entries.count(),
        "shown": LEDGER_ROWS,
    }


def register_loyalty_parts() -> None:
    register(
        Tab(
            slug="loyalty",
            label="Loyalty",
            template="loyalty/loyalty_tab.html",
            context=_loyalty_tab,
            order=80,
            count=lambda customer: customer.loyalty_entries.count(),
        )
    )
    register(
        Tab(
            slug="house-accounts",
            label="House accounts",
            template="loyalty/house_accounts_tab.html",
            context=lambda request, customer: {
                "links": customer.customer_house_accounts.select_related("house_account")
            },
            order=82,
            count=lambda customer: customer.customer_house_accounts.count(),
        )
    )
    for order, (label, url_name) in enumerate(
        [
            ("Add points", "loyalty:customer_points_add"),
            ("Redeem points", "loyalty:customer_points_redeem"),
            ("House accounts", "loyalty:customer_house_accounts"),
        ],
        start=80,
    ):
        register_link(
            MenuLink(label=label, url_name=url_name, capability="loyalty.change", order=order)
        )
