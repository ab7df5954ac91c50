"""The Members tab and the "Maintain customer salesmen" link on the customer page."""

from django.urls import reverse

from patron.customers.customer_page import MenuLink, Tab, register, register_link
from patron.customers.models import Customer
from patron.members.models import CustomerMember
from patron.workspaces.dashboard import Tile, register_tile


def _context(request, customer):
    from patron.members.views import staff_of

    return {
        "links": customer.members.select_related("user"),
        "staff": staff_of(request.workspace),
        "roles": CustomerMember.Role.choices,
    }


def _my_customers_count(request) -> int:
    return (
        Customer.objects.in_workspace(request.workspace)
        .searchable()
        .filter(members__user=request.user)
        .distinct()
        .count()
    )


def register_member_parts() -> None:
    register_tile(
        Tile(
            slug="linked-to-me",
            label="Customers linked to me",
            count=_my_customers_count,
            url=lambda request: reverse("members:my_customers"),
            order=10,
        )
    )
    register(
        Tab(
            slug="members",
            label="Members",
            template="members/tab.html",
            context=_context,
            order=40,
            count=lambda customer: customer.members.count(),
        )
    )
    register_link(
        MenuLink(label="Maintain customer salesmen", url_name="members:salesmen", order=40)
    )
