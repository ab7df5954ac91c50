"""Pages for the staff linked to a customer."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from patron.core.access import get_in_workspace
from patron.customers.models import Customer
from patron.customers.normalize import is_plain_number
from patron.members import services
from patron.members.models import CustomerMember
from patron.workspaces.models import User
from patron.workspaces.permissions import requires


def _customer(request, pk: int, **kwargs) -> Customer:
    return get_in_workspace(Customer.objects.current(), request.workspace, pk=pk)


def _link(request, pk: int, **kwargs) -> CustomerMember:
    return get_in_workspace(
        CustomerMember.objects.select_related("customer"), request.workspace, pk=pk
    )


def staff_of(workspace):
    return User.objects.filter(memberships__workspace=workspace).order_by("full_name", "email")


@requires("customers.change", owner=_customer)
def salesmen(request, pk: int):
    """Manual 004's "Maintain customer salesmen": tick the workspace's sales users."""
    customer = _customer(request, pk)
    candidates = services.sales_users(request.workspace)
    if request.method == "POST":
        ids = [value for value in request.POST.getlist("users") if is_plain_number(value)]
        chosen = candidates.filter(pk__in=ids)
        services.salesmen_set(customer=customer, users=list(chosen), actor=request.user)
        messages.success(request, f"Saved the salesmen of {customer}.")
        return redirect(customer)
    linked = set(
        customer.members.filter(role=CustomerMember.Role.SALESMAN).values_list("user_id", flat=True)
    )
    return render(
        request,
        "members/salesmen.html",
        {"customer": customer, "candidates": candidates, "linked": linked},
    )


@require_POST
@requires("customers.change", owner=_customer)
def member_add(request, pk: int):
    customer = _customer(request, pk)
    user_id = request.POST.get("user", "")
    user = None
    if is_plain_number(user_id):
        user = staff_of(request.workspace).filter(pk=user_id).first()
    role = request.POST.get("role", "")
    if user is None or role not in CustomerMember.Role.values:
        messages.error(request, "Choose a member of staff and a role.")
        return redirect(customer)
    try:
        services.member_link(customer=customer, user=user, role=role, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Linked {user} to {customer}.")
    return redirect(customer)


@require_POST
@requires("customers.change", owner=_link)
def member_remove(request, pk: int):
    link = _link(request, pk)
    services.member_unlink(link=link, actor=request.user)
    messages.success(request, f"Unlinked {link.user} from {link.customer}.")
    return redirect(link.customer)
