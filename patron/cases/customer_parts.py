"""The Cases tab, the "Create a case" left-menu link and the timeline's cases on the
customer page (manual 000)."""

from django.urls import reverse

from patron.customers.customer_page import (
    MenuLink,
    Tab,
    TimelineEntry,
    register,
    register_link,
    register_timeline,
)


def _cases(customer):
    return customer.cases.select_related("reason_code", "assignee")


def _timeline(customer, limit):
    for case in customer.cases.select_related("created_by").order_by("-logged_at")[:limit]:
        yield TimelineEntry(
            when=case.logged_at,
            kind="Case",
            title=f"Case {case.number}: {case.subject} ({case.get_status_display()})",
            url=reverse("cases:detail", args=[case.pk]),
            who=str(case.created_by or ""),
        )


def register_case_parts() -> None:
    register_timeline(_timeline)
    register(
        Tab(
            slug="cases",
            label="Cases",
            template="cases/cases_tab.html",
            context=lambda request, customer: {"cases": _cases(customer)},
            order=30,
            count=lambda customer: customer.cases.count(),
        )
    )
    register_link(
        MenuLink(
            label="Create a case", url_name="cases:create", capability="cases.change", order=30
        )
    )
