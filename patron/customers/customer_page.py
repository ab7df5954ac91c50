"""What apps add to the customer page (manual 000's layout): tabs below the details and
links in the left menu. An app registers them in its AppConfig.ready(); the page shows
those that apply to the customer and the user's role, in order. Tabs load with htmx.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from patron.customers.models import Customer
from patron.history.services import changes_for


@dataclass(frozen=True)
class Tab:
    slug: str
    label: str
    template: str
    context: Callable[..., dict] = field(default=lambda request, customer: {})
    shows_for: Callable[[Customer], bool] = field(default=lambda customer: True)
    order: int = 100


_TABS: dict[str, Tab] = {}


def register(tab: Tab) -> None:
    _TABS[tab.slug] = tab


def tabs_for(customer: Customer) -> list[Tab]:
    return sorted(
        (tab for tab in _TABS.values() if tab.shows_for(customer)),
        key=lambda tab: (tab.order, tab.label),
    )


@dataclass(frozen=True)
class MenuLink:
    """A left-menu action: `url_name` takes the customer's pk."""

    label: str
    url_name: str
    capability: str = "customers.change"
    shows_for: Callable[[Customer], bool] = field(default=lambda customer: True)
    order: int = 100


_LINKS: list[MenuLink] = []


def register_link(link: MenuLink) -> None:
    if link not in _LINKS:
        _LINKS.append(link)


def links_for(customer: Customer, membership) -> list[MenuLink]:
    if customer.is_deleted or membership is None:
        return []
    return sorted(
        (link for link in _LINKS if link.shows_for(customer) and membership.can(link.capability)),
        key=lambda link: (link.order, link.label),
    )


def register_customer_parts() -> None:
    register(
        Tab(
            slug="contacts",
            label="Contacts",
            template="customers/tabs/contacts.html",
            context=lambda request, customer: {
                "contacts": customer.contacts.current().order_by("name_key")
            },
            shows_for=lambda customer: customer.is_organization,
            order=10,
        )
    )
    register(
        Tab(
            slug="history",
            label="History",
            template="customers/tabs/history.html",
            context=lambda request, customer: {"changes": changes_for(customer)[:200]},
            order=1000,
        )
    )
