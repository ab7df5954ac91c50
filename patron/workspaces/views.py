from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from patron.customers.normalize import is_plain_number
from patron.workspaces.dashboard import tiles_for
from patron.workspaces.middleware import SESSION_STORE, SESSION_WORKSPACE
from patron.workspaces.models import Membership
from patron.workspaces.permissions import requires


def _back(request, default: str = "home"):
    target = request.POST.get("next") or request.headers.get("referer", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(default)


@require_POST
def switch_workspace(request):
    membership = get_object_or_404(
        Membership, user=request.user, workspace_id=request.POST.get("workspace") or 0
    )
    request.session[SESSION_WORKSPACE] = membership.workspace_id
    request.session.pop(SESSION_STORE, None)
    messages.success(request, f"Now working in {membership.workspace}.")
    return redirect("home")


@require_POST
@requires("customers.view")
def switch_store(request):
    """Company view (all stores) or one store's view (manual 002)."""
    store_id = request.POST.get("store") or ""
    if store_id:
        store = get_object_or_404(
            request.workspace.stores, pk=store_id if is_plain_number(store_id) else 0
        )
        request.session[SESSION_STORE] = store.pk
    else:
        request.session.pop(SESSION_STORE, None)
    return _back(request)


@requires("customers.view")
def home(request):
    """The dashboard: tiles with counts, and the customers changed most recently."""
    from patron.customers.models import Customer

    recent = (
        Customer.objects.in_workspace(request.workspace)
        .current()
        .select_related("organization")
        .order_by("-updated_at")[:10]
    )
    return render(request, "workspaces/home.html", {"tiles": tiles_for(request), "recent": recent})


@require_POST
def preferences(request):
    """The user's own settings: for now, whether customer pages show the dashboard panel."""
    request.user.hide_customer_panel = request.POST.get("hide_customer_panel") == "on"
    request.user.save(update_fields=["hide_customer_panel"])
    return _back(request)
