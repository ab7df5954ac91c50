"""The Calls tab, the "Create cold call" link and the follow-ups-due tile."""

from django.urls import reverse
from django.utils import timezone

from patron.calls.models import ColdCall
from patron.customers.customer_page import MenuLink, Tab, register, register_link
from patron.workspaces.dashboard import Tile, register_tile


def _follow_ups_due(request) -> int:
    return (
        ColdCall.objects.in_workspace(request.workspace)
        .filter(follow_up_on__lte=timezone.localdate(), customer__deleted_at__isnull=True)
        .count()
    )


def register_call_parts() -> None:
    register(
        Tab(
            slug="calls",
            label="Calls",
            template="calls/tab.html",
            context=lambda request, customer: {
                "calls": customer.cold_calls.select_related("caller")
            },
            order=35,
            count=lambda customer: customer.cold_calls.count(),
        )
    )
    register_link(
        MenuLink(
            label="Create cold call",
            url_name="calls:for_customer",
            capability="calls.log",
            order=45,
        )
    )
    register_tile(
        Tile(
            slug="follow-ups-due",
            label="Call follow-ups due",
            count=_follow_ups_due,
            url=lambda request: reverse("calls:list") + "?follow_up=due",
            order=30,
        )
    )
