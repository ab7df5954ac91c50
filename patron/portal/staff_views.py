"""Staff pages for the portal: the customer's Portal access tab's actions, and the
workspace's portal set-up with "Set empty passwords" (manual 003)."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from patron.core.access import get_in_workspace
from patron.customers.customer_page import with_tab_open
from patron.customers.models import Customer
from patron.portal import services
from patron.portal.forms import ManagerForm, PortalSettingsForm, StaffPasswordForm
from patron.portal.models import PortalAccess
from patron.workspaces.permissions import requires

TAB = "portal"


def _customer(request, pk: int, **kwargs) -> Customer:
    return get_in_workspace(Customer.objects.current(), request.workspace, pk=pk)


def _access(request, pk: int) -> PortalAccess:
    return get_in_workspace(PortalAccess, request.workspace, customer_id=pk)


def _site_url(request) -> str:
    return request.build_absolute_uri("/")


def _tab_action(*, on_access: bool = True):
    """A POST from the Portal access tab: `act(request, access or customer)` does it and
    returns the message; a refusal shows its reason. Back to the tab either way."""

    def decorator(act):
        @require_POST
        @requires("portal.manage", owner=_customer)
        @wraps(act)
        def view(request, pk: int):
            customer = _customer(request, pk)
            try:
                message = act(request, _access(request, pk) if on_access else customer)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, message)
            return redirect(with_tab_open(customer, TAB))

        return view

    return decorator


@_tab_action(on_access=False)
def grant(request, customer) -> str:
    services.portal_access_grant(customer=customer, actor=request.user, site_url=_site_url(request))
    return f"{customer} has portal access; a generated password is emailed to {customer.email}."


@_tab_action()
def revoke(request, access) -> str:
    services.portal_access_revoke(access=access, actor=request.user)
    return f"{access.customer} can no longer log in to the portal."


@_tab_action()
def set_password(request, access) -> str:
    form = StaffPasswordForm(request.POST)
    password = form.cleaned_data["password"] if form.is_valid() else ""
    services.portal_password_set(
        access=access, actor=request.user, password=password, site_url=_site_url(request)
    )
    if password:
        return f"New portal password set for {access.customer}: tell it to them."
    return f"A generated portal password is emailed to {access.customer.email}."


@_tab_action()
def set_manager(request, access) -> str:
    form = ManagerForm(request.POST)
    manager = form.is_valid() and form.cleaned_data["is_organization_manager"]
    services.portal_access_set_manager(
        access=access, is_organization_manager=manager, actor=request.user
    )
    customer = access.customer
    if manager:
        return f"{customer} now sees the requests of everyone at {customer.organization}."
    return f"{customer} now sees only their own requests."


@requires("workspace.manage")
def portal_settings(request):
    """The workspace's portal set-up and its maintenance action, Set empty passwords."""
    workspace = request.workspace
    form = PortalSettingsForm(
        request.POST if request.POST.get("action") == "settings" else None,
        initial={"portal_access_for_new_customers": workspace.portal_access_for_new_customers},
    )
    if request.method == "POST" and request.POST.get("action") == "set_empty_passwords":
        result = services.portal_set_empty_passwords(
            workspace=workspace, actor=request.user, site_url=_site_url(request)
        )
        given = result.given
        messages.success(
            request,
            f"Set empty passwords: {given} contact{'s' if given != 1 else ''} got a generated "
            "password by email.",
        )
        for skipped in result.skipped:
            messages.warning(request, f"Left without a password: {skipped}")
        return redirect("portal_access:settings")
    if request.method == "POST" and form.is_valid():
        services.portal_settings_update(
            workspace=workspace,
            portal_access_for_new_customers=form.cleaned_data["portal_access_for_new_customers"],
            actor=request.user,
        )
        messages.success(request, "Portal settings saved.")
        return redirect("portal_access:settings")
    accesses = PortalAccess.objects.in_workspace(workspace).filter(enabled=True)
    return render(
        request,
        "portal_access/settings.html",
        {
            "form": form,
            "with_access": accesses.count(),
            "without_password": accesses.filter(password="").count(),
        },
    )
