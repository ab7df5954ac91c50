"""The TM Responses tab and the "Run telemarket" link on the customer page (manual 000)."""

from django.urls import reverse

from patron.customers.customer_page import (
    MenuLink,
    Tab,
    TimelineEntry,
    register,
    register_link,
    register_timeline,
)


def _timeline(customer, limit):
    latest = customer.tm_responses.select_related("telemarket", "agent").order_by("-updated_at")
    for response in latest[:limit]:
        yield TimelineEntry(
            when=response.updated_at,
            kind="Telemarket",
            title=f"{response.telemarket.name}: {response.get_state_display()}",
            url=reverse("telemarketing:response_detail", args=[response.pk]),
            who=str(response.agent or ""),
        )


def register_telemarketing_parts() -> None:
    register_timeline(_timeline)
    register(
        Tab(
            slug="tm-responses",
            label="TM Responses",
            template="telemarketing/tab.html",
            context=lambda request, customer: {
                "responses": customer.tm_responses.select_related(
                    "telemarket", "step_reached"
                ).order_by("telemarket__name")
            },
            order=56,
            count=lambda customer: customer.tm_responses.count(),
        )
    )
    register_link(
        MenuLink(
            label="Run telemarket",
            url_name="telemarketing:customer_telemarkets",
            capability="marketing.change",
            order=56,
        )
    )
