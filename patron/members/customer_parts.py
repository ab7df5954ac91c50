"""The Members tab and the "Maintain customer salesmen" link on the customer page."""

from patron.customers.customer_page import MenuLink, Tab, register, register_link
from patron.members.models import CustomerMember


def _context(request, customer):
    from patron.members.views import staff_of

    return {
        "links": customer.members.select_related("user"),
        "staff": staff_of(request.workspace),
        "roles": CustomerMember.Role.choices,
    }


def register_member_parts() -> None:
    register(
        Tab(
            slug="members", label="Members", template="members/tab.html", context=_context, order=40
        )
    )
    register_link(
        MenuLink(label="Maintain customer salesmen", url_name="members:salesmen", order=40)
    )
