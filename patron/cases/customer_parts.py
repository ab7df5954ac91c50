"""The Cases tab, the "Create a case" left-menu link and the timeline's cases on the
customer page (manual 000)."""

from django.urls import reverse

from patron.cases.models import Case
from patron.customers.customer_page import (
    MenuLink,
    Tab,
    TimelineEntry,
    register,
    register_link,
    register_timeline,
)
from patron.workspaces.dashboard import Tile, register_tile

TAB_ROWS = 100  # the newest; the case list, filtered to the customer, has them all


def _cases_tab(request, customer) -> dict:
    cases = customer.cases.select_related("reason_code", "assignee")
    return {"cases": cases[:TAB_ROWS], "total": customer.cases.count(), "shown": TAB_ROWS}


def _timeline(customer, limit):
    for case in customer.cases.select_related("created_by").order_by("-logged_at")[:limit]:
        yield TimelineEntry(
            when=case.logged_at,
            kind="Case",
            title=f"Case {case.number}: {case.subject} ({case.get_status_display()})",
            url=reverse("cases:detail", args=[case.pk]),
            who=str(case.created_by or ""),
        )


def _my_open_cases(request) -> int:
    return (
        Case.objects.in_workspace(request.workspace)
        .current()
        .filter(assignee=request.user)
        .exclude(status__in=Case.DONE)
        .count()
    )


def register_case_parts() -> None:
    register_timeline(_timeline)
    register_tile(
        Tile(
            slug="my-open-cases",
            label="My open cases",
            count=_my_open_cases,
            url=lambda request: f"{reverse('cases:list')}?assignee={request.user.pk}&done=false",
            order=30,
        )
    )
    register(
        Tab(
            slug="cases",
            label="Cases",
            template="cases/cases_tab.html",
            context=_cases_tab,
            order=30,
            count=lambda customer: customer.cases.count(),
        )
    )
    register_link(
        MenuLink(
            label="Create a case", url_name="cases:create", capability="cases.change", order=30
        )
    )
