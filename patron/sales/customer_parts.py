"""The Quotes, Price level and Service contracts tabs and their left-menu links."""

from patron.customers.customer_page import (
    MenuLink,
    Tab,
    TimelineEntry,
    register,
    register_link,
    register_timeline,
)


def quote_timeline(customer, limit: int):
    """Quotes made for the customer, for its Timeline tab."""
    quotes = customer.quotes.select_related("created_by").order_by("-created_at")[:limit]
    for quote in quotes:
        yield TimelineEntry(
            when=quote.created_at,
            kind="Quote",
            title=f"{quote} ({quote.get_shown_status_display()})",
            url=quote.get_absolute_url(),
            who=str(quote.created_by or ""),
        )


def _quotes(request, customer):
    from patron.sales.queries import quotes_with_totals, with_lines

    return {"quotes": quotes_with_totals(with_lines(customer.quotes.order_by("-number")))}


def _price_level(request, customer):
    from patron.sales.services import effective_price_level

    return {"effective": effective_price_level(customer)}


def _contracts(request, customer):
    return {"contracts": customer.service_contracts.prefetch_related("supported_items")}


def register_sales_parts() -> None:
    register_timeline(quote_timeline)
    register(
        Tab(
            slug="quotes",
            label="Quotes",
            template="sales/quotes_tab.html",
            context=_quotes,
            order=60,
            count=lambda customer: customer.quotes.count(),
        )
    )
    register(
        Tab(
            slug="price-level",
            label="Price level",
            template="sales/price_level_tab.html",
            context=_price_level,
            order=62,
        )
    )
    register(
        Tab(
            slug="service-contracts",
            label="Service contracts",
            template="sales/contracts_tab.html",
            context=_contracts,
            shows_for=lambda customer: customer.is_organization,
            order=64,
            count=lambda customer: customer.service_contracts.count(),
        )
    )
    register_link(
        MenuLink(
            label="Create quote", url_name="sales:quote_create", capability="sales.change", order=60
        )
    )
    register_link(
        MenuLink(
            label="Price level",
            url_name="sales:customer_price_level",
            capability="sales.manage",
            order=62,
        )
    )
    register_link(
        MenuLink(
            label="Add service contract",
            url_name="sales:contract_create",
            capability="sales.change",
            shows_for=lambda customer: customer.is_organization,
            order=64,
        )
    )
