"""The Fulfilments and Activities tabs and the "Create fulfilment" link on the customer page."""

from django.urls import reverse

from patron.campaigns.queries import activities_of_customer
from patron.customers.customer_page import (
    MenuLink,
    Tab,
    TimelineEntry,
    register,
    register_link,
    register_timeline,
)


def _fulfilments(customer):
    return customer.fulfilments.select_related("activity")


def _timeline(customer, limit):
    newest = customer.fulfilments.select_related("activity", "created_by").order_by("-created_at")
    for fulfilment in newest[:limit]:
        yield TimelineEntry(
            when=fulfilment.created_at,
            kind="Fulfilment",
            title=f"{fulfilment.fulfilment_type} ({fulfilment.activity.name})",
            url=reverse("campaigns:fulfilment_detail", args=[fulfilment.pk]),
            who=str(fulfilment.created_by or ""),
        )


def register_campaign_parts() -> None:
    register_timeline(_timeline)
    register(
        Tab(
            slug="fulfilments",
            label="Fulfilments",
            template="campaigns/fulfilments_tab.html",
            context=lambda request, customer: {"fulfilments": _fulfilments(customer)},
            order=60,
            count=lambda customer: customer.fulfilments.count(),
        )
    )
    register(
        Tab(
            slug="activities",
            label="Activities",
            template="campaigns/activities_tab.html",
            context=lambda request, customer: {"activities": activities_of_customer(customer)},
            order=62,
            count=lambda customer: activities_of_customer(customer).count(),
        )
    )
    register_link(
        MenuLink(
            label="Create fulfilment",
            url_name="campaigns:fulfilment_create",
            capability="marketing.change",
            order=60,
        )
    )
