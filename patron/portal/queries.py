"""What a contact sees in the portal. Everything else answers 404 there."""

from django.db.models import Q

from patron.cases.models import Case
from patron.portal.models import PortalAccess


def requests_for(access: PortalAccess):
    """The requests (cases) a contact sees: its own; an organization manager also those of
    the organization and of its other contacts (manual 001)."""
    customer = access.customer
    mine = Q(customer_id=customer.pk)
    if access.is_organization_manager and customer.organization_id:
        organization = customer.organization_id
        mine |= Q(customer_id=organization) | Q(customer__organization_id=organization)
    return (
        Case.objects.in_workspace(customer.workspace_id)
        .current()
        .filter(mine)
        .select_related("customer")
        .order_by("-logged_at", "-number")
    )
