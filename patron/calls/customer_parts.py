"""The Calls tab, the "Create cold call" link and the follow-ups-due tile."""

from django.urls import reverse
from django.utils import timezone

from patron.calls.models import ColdCall
from patron.customers.customer_page import (
    MenuLink,
    Tab,
    TimelineEntry,
    register,
    register_link,
    register_timeline,
)
from patron.workspaces.dashboard import Tile, register_tile


def _follow_ups_due(request) -> int:
    return (
        ColdCall.objects.in_workspace(request.workspace)
        .filter(follow_up_on__lte=timezone.localdate(), customer__deleted_at__isnull=True)
        .count()
    )


def _timeline(customer, limit):
    for call in customer.cold_calls.select_related("caller").order_by("-called_at")[:limit]:
        yield TimelineEntry(
            when=call.called_at,
            kind="Call",
            title=call.get_outcome_display() + (f": {call.notes}" if call.notes else ""),
            url=reverse("calls:detail", args=[call.pk]),
            who=str(call.caller or ""),
        )


def register_call_parts() -> None:
    register_timeline(_timeline)
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
