"""The Portal access tab on a person's page (manual 001: Manage Portal Access)."""

from patron.customers.customer_page import Tab, register
from patron.history.services import changes_for
from patron.portal.models import PortalAccess
from patron.portal.services import grant_refusal


def _portal_tab(request, customer) -> dict:
    access = PortalAccess.objects.filter(customer=customer).first()
    return {
        "access": access,
        "refusal": None if access and access.enabled else grant_refusal(customer),
        "changes": changes_for(access)[:20] if access else [],
    }


def register_portal_parts() -> None:
    register(
        Tab(
            slug="portal",
            label="Portal access",
            template="portal_access/tab.html",
            context=_portal_tab,
            shows_for=lambda customer: not customer.is_organization,
            order=90,
        )
    )
