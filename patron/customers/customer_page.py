"""What apps add to the customer page (manual 000's layout): tabs below the details and
links in the left menu. An app registers them in its AppConfig.ready(); the page shows
those that apply to the customer and the user's role, in order. Tabs load with htmx.
"""

import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.contenttypes.models import ContentType

from patron.customers.models import Customer
from patron.history.services import changes_about


@dataclass(frozen=True)
class Tab:
    slug: str
    label: str
    template: str
    context: Callable[..., dict] = field(default=lambda request, customer: {})
    shows_for: Callable[[Customer], bool] = field(default=lambda customer: True)
    order: int = 100
    # How many records the tab lists, for the customer's dashboard panel; None: not counted.
    count: Callable[[Customer], int] | None = None


_TABS: dict[str, Tab] = {}


def register(tab: Tab) -> None:
    _TABS[tab.slug] = tab


def tabs_for(customer: Customer) -> list[Tab]:
    return sorted(
        (tab for tab in _TABS.values() if tab.shows_for(customer)),
        key=lambda tab: (tab.order, tab.label),
    )


def with_tab_open(customer: Customer, slug: str) -> str:
    """The customer's page with the tab `slug` open: where a form saved from it returns, so
    the person sees what they just added."""
    return f"{customer.get_absolute_url()}?tab={slug}"


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


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened with a customer, as the Timeline tab lists it."""

    when: datetime
    kind: str
    title: str
    url: str
    who: str = ""


# Each source gives a customer's most recent entries of one kind, newest first.
_TIMELINE: list[Callable[[Customer, int], Iterable[TimelineEntry]]] = []


def register_timeline(source: Callable[[Customer, int], Iterable[TimelineEntry]]) -> None:
    if source not in _TIMELINE:
        _TIMELINE.append(source)


def timeline_for(customer: Customer, limit: int = 100) -> list[TimelineEntry]:
    """Notes, attachments, posts, emails, calls, fulfilments and telemarketing responses
    merged by date, newest first.

    Each source is asked for at most `limit` entries, so the merge never reads more than
    the page shows per kind.
    """
    entries = (entry for source in _TIMELINE for entry in source(customer, limit))
    return heapq.nlargest(limit, entries, key=lambda entry: entry.when)


def _workflow_tile(state: str, label: str, order: int):
    from django.urls import reverse

    from patron.workspaces.dashboard import Tile

    return Tile(
        slug=f"workflow-{state}",
        label=label,
        count=lambda request: (
            Customer.objects.in_workspace(request.workspace)
            .searchable()
            .filter(workflow_state=state)
            .count()
        ),
        url=lambda request: f"{reverse('customers:list')}?workflow_state={state}",
        order=order,
    )


def register_customer_parts() -> None:
    from patron.workspaces.dashboard import register_tile

    register_tile(_workflow_tile(Customer.WorkflowState.RELEASED, "Waiting for approval", 20))
    register_tile(_workflow_tile(Customer.WorkflowState.NEW, "New", 50))
    register_tile(_workflow_tile(Customer.WorkflowState.ACTIVE, "Active", 60))
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
            count=lambda customer: customer.contacts.current().count(),
        )
    )
    register(
        Tab(
            slug="timeline",
            label="Timeline",
            template="customers/tabs/timeline.html",
            context=lambda request, customer: {"entries": timeline_for(customer)},
            order=1,
        )
    )
    register(
        Tab(
            slug="history",
            label="History",
            template="customers/tabs/history.html",
            context=lambda request, customer: {
                "changes": changes_about(customer)[:200],
                "show_records": True,
                "customer_type_id": ContentType.objects.get_for_model(Customer).pk,
            },
            order=1000,
        )
    )
