"""Customer pages: thin adapters that parse input, call a service or query, and render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from patron.core import keyset
from patron.core.access import get_in_workspace
from patron.core.forms import add_validation_errors
from patron.customers import services
from patron.customers.customer_page import links_for, tabs_for
from patron.customers.filters import CustomerFilter
from patron.customers.forms import CustomerForm
from patron.customers.models import BulkDeletion, Customer
from patron.customers.normalize import display_phone, is_plain_number
from patron.customers.queries import global_search
from patron.duplicates.queries import likely_duplicates
from patron.workspaces.permissions import requires

PAGE_SIZE = 50


def _customers(request, *, related: bool = True):
    """The current workspace's customers outside the recycle bin, in the chosen store, with
    their organization and category (`related`)."""
    queryset = Customer.objects.in_workspace(request.workspace).current()
    if request.store:
        queryset = queryset.filter(stores=request.store)
    return queryset.select_related("organization", "category") if related else queryset


def _customer(request, pk: int) -> Customer:
    return get_in_workspace(Customer, request.workspace, pk=pk)


def _owner(request, pk: int, **kwargs) -> Customer:
    return _customer(request, pk)


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _keyset_page(request, queryset) -> keyset.Page:
    """A page of a customer search: after the cursor of a Next/Previous link, else by page
    number within the first rows, never OFFSET deep into a million."""
    number = request.GET.get("page", "")
    try:
        return keyset.paginate(
            queryset,
            size=PAGE_SIZE,
            cursor=request.GET.get("cursor"),
            number=int(number) if is_plain_number(number) and len(number) < 9 else None,
        )
    except keyset.InvalidCursor as error:
        raise Http404(str(error)) from error


def customer_search(request, data, *, mine: bool = False) -> CustomerFilter:
    """The search of the customer list; the export of a search runs exactly this one."""
    customers = _customers(request)
    if mine:  # "My customers": those I am linked to as a member (account manager, salesman...)
        customers = customers.filter(members__user=request.user).distinct()
    return CustomerFilter(data, customers, request=request)


@requires("customers.view")
def customer_list(request, kind: str | None = None, mine: bool = False):
    data = request.GET.copy()
    if kind:
        data["kind"] = kind
    customer_filter = customer_search(request, data, mine=mine)
    noun = "organizations" if kind == Customer.Kind.ORGANIZATION else "customers"
    export = data.copy()
    export.pop("page", None)
    export.pop("cursor", None)
    if mine:
        export["mine"] = "yes"
    context = {
        "filter": customer_filter,
        "page": _keyset_page(request, customer_filter.qs) if customer_filter.is_valid() else None,
        "kind": kind,
        "title": f"My {noun}" if mine else noun.capitalize(),
        "advanced": any(k not in {"page", "ordering", "q", "kind"} for k in request.GET),
        "export_query": export.urlencode(),
    }
    template = "customers/_results.html" if request.htmx else "customers/customer_list.html"
    return render(request, template, context)


# What a suggestion shows (its name, number and email), not the whole record.
SUGGESTION_FIELDS = ["kind", "first_name", "middle_name", "last_name", "company_name"]
SUGGESTION_FIELDS += ["number", "email"]


@requires("customers.view")
def search_suggestions(request):
    """The banner's type-ahead: a few matches as the user types."""
    text = request.GET.get("q", "")
    matches = []
    if len(text.strip()) >= 2 or is_plain_number(text.strip()):
        region = request.workspace.default_region
        customers = _customers(request, related=False).searchable()
        found = global_search(customers, text, region, workspace=request.workspace)
        matches = keyset.first(found.only(*SUGGESTION_FIELDS), 8)
    # A fragment of the banner: it needs none of the page's context (the workspace, the
    # role's capabilities, the messages), whose context processors cost 0.5 ms of CPU.
    html = render_to_string("customers/_suggestions.html", {"matches": matches, "q": text})
    return HttpResponse(html)


def _form_for(request, instance: Customer) -> CustomerForm:
    form = CustomerForm(
        request.POST or None, request.FILES or None, instance=instance, workspace=request.workspace
    )
    if instance.pk and not form.is_bound:
        for name in Customer.PHONE_FIELDS:  # stored in E.164, shown the way people write them
            form.initial[name] = display_phone(
                getattr(instance, name), request.workspace.default_region
            )
    return form


@requires("customers.change")
def customer_create(request):
    kind = request.GET.get("kind", Customer.Kind.PERSON)
    instance = Customer(kind=kind if kind in Customer.Kind.values else Customer.Kind.PERSON)
    organization_id = request.GET.get("organization", "")
    if is_plain_number(organization_id):  # "Add contact" on an organization's page
        instance.organization = get_in_workspace(
            Customer.objects.organizations(), request.workspace, pk=organization_id
        )
    form = _form_for(request, instance)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        # Likely duplicates are shown before saving; "Save anyway" saves all the same.
        if not request.POST.get("save_anyway"):
            duplicates = likely_duplicates(request.workspace, form.service_data())
        if not duplicates:
            try:
                customer = services.customer_create(
                    workspace=request.workspace, actor=request.user, data=form.service_data()
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, f"Created {customer} (customer no. {customer.number}).")
                return redirect(customer)
    context = {"form": form, "customer": None, "duplicates": duplicates}
    return render(request, "customers/customer_form.html", context)


@requires("customers.change", owner=_owner)
def customer_edit(request, pk: int):
    customer = _customer(request, pk)
    form = _form_for(request, customer)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_update(
                customer=customer,
                actor=request.user,
                data=form.service_data(),
                expected_version=form.cleaned_data.get("version"),
            )
        except services.EditConflict as conflict:
            form.add_error(None, str(conflict))
            form.conflict = conflict.changes
            # Seeing what changed, a second save is a deliberate choice to overwrite it.
            data = form.data.copy()
            data["version"] = conflict.current_version
            form.data = data
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Saved {customer}.")
            return redirect(customer)
    return render(request, "customers/customer_form.html", {"form": form, "customer": customer})


@requires("customers.view", owner=_owner)
def customer_detail(request, pk: int):
    customer = _customer(request, pk)
    region = request.workspace.default_region
    phones = [
        (
            Customer._meta.get_field(name).verbose_name,
            display_phone(getattr(customer, name), region),
        )
        for name in Customer.PHONE_FIELDS
    ]
    tabs = tabs_for(customer)
    # ?tab=suppressions opens that tab (after a save from it); the first one otherwise.
    slugs = [tab.slug for tab in tabs]
    open_tab = request.GET.get("tab") if request.GET.get("tab") in slugs else slugs[0]
    return render(
        request,
        "customers/customer_detail.html",
        {
            "customer": customer,
            "phones": phones,
            "tabs": tabs,
            "open_tab": open_tab,
            "panel": None
            if request.user.hide_customer_panel
            else [(tab, tab.count(customer)) for tab in tabs_for(customer) if tab.count],
            "menu_links": links_for(customer, request.membership),
        },
    )


@requires("customers.view", owner=_owner)
def customer_tab(request, pk: int, tab: str):
    customer = _customer(request, pk)
    chosen = next((t for t in tabs_for(customer) if t.slug == tab), None)
    if chosen is None:
        raise Http404("No such tab.")
    context = {"customer": customer, **chosen.context(request, customer)}
    return render(request, chosen.template, context)


def _action(service, done: str):
    def view(request, pk: int):
        customer = _customer(request, pk)
        service(customer=customer, actor=request.user)
        messages.success(request, done.format(customer=customer))
        return redirect(customer)

    return require_POST(view)


customer_archive = requires("customers.change", owner=_owner)(
    _action(services.customer_archive, "Archived {customer}: it no longer shows in searches.")
)
customer_unarchive = requires("customers.change", owner=_owner)(
    _action(services.customer_unarchive, "{customer} is back in searches.")
)
customer_restore = requires("customers.delete", owner=_owner)(
    _action(services.customer_restore, "Restored {customer} from the recycle bin.")
)


def _confirm(request, customer, *, action: str, explanation: str):
    return render(
        request,
        "customers/confirm.html",
        {"customer": customer, "action": action, "explanation": explanation},
    )


@requires("customers.void", owner=_owner)
def customer_void(request, pk: int):
    customer = _customer(request, pk)
    if request.method != "POST":
        return _confirm(
            request,
            customer,
            action="Void",
            explanation=("A void customer is kept with all its history but is out of use."),
        )
    services.customer_void(customer=customer, actor=request.user)
    messages.success(request, f"{customer} is now void.")
    return redirect(customer)


@requires("customers.delete", owner=_owner)
def customer_delete(request, pk: int):
    customer = _customer(request, pk)
    if request.method != "POST":
        return _confirm(
            request,
            customer,
            action="Delete",
            explanation=(
                "The customer moves to the recycle bin, where it can be restored for "
                f"{_purge_days()} days before it is deleted for good."
            ),
        )
    services.customer_delete(customer=customer, actor=request.user)
    messages.success(request, f"Moved {customer} to the recycle bin.")
    return redirect(reverse("customers:recycle_bin"))


def _purge_days() -> int:
    from django.conf import settings

    return settings.PATRON_PURGE_AFTER_DAYS


@requires("customers.delete")
def recycle_bin(request):
    deleted = (
        Customer.objects.in_workspace(request.workspace)
        .deleted()
        .select_related("merged_into")
        .order_by("-deleted_at")
    )
    return render(
        request,
        "customers/recycle_bin.html",
        {"page": _page(request, deleted), "purge_days": _purge_days()},
    )


@requires("customers.release", owner=_owner)
def customer_release(request, pk: int):
    customer = _customer(request, pk)
    if request.method != "POST":
        return _confirm(
            request,
            customer,
            action="Release",
            explanation=(
                "Are you sure you want to release this customer? The accounts department will "
                "then check it and approve or decline it."
            ),
        )
    return _run_transition(request, services.customer_release, customer, "Released {customer}.")


@require_POST
@requires("customers.approve", owner=_owner)
def customer_approve(request, pk: int):
    customer = _customer(request, pk)
    return _run_transition(request, services.customer_approve, customer, "Approved {customer}.")


@requires("customers.approve", owner=_owner)
def customer_decline(request, pk: int):
    customer = _customer(request, pk)
    reason_error = ""
    if request.method == "POST":
        try:
            services.customer_decline(
                customer=customer, actor=request.user, reason=request.POST.get("reason", "")
            )
        except ValidationError as error:
            reason_error = " ".join(error.messages)
        else:
            messages.success(request, f"Declined {customer}: it is back to New.")
            return redirect(customer)
    return render(
        request,
        "customers/confirm.html",
        {
            "customer": customer,
            "action": "Decline",
            "explanation": "The customer goes back to New, with your reason shown on it.",
            "ask_reason": True,
            "reason": request.POST.get("reason", ""),
            "reason_error": reason_error,
        },
    )


def _run_transition(request, service, customer: Customer, done: str):
    try:
        service(customer=customer, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done.format(customer=customer))
    return redirect(customer)


def _query_search(request, query: str) -> CustomerFilter:
    """The list's search from its query string (the list's Delete link carries it)."""
    data = QueryDict(query)
    return customer_search(request, data, mine=data.get("mine") == "yes")


@requires("customers.delete")
def bulk_delete(request):
    """Delete Customers (manual 000): the search, its count, a confirmation, then the job."""
    query = request.POST.get("query", "") if request.method == "POST" else request.GET.urlencode()
    search = _query_search(request, query)
    context = {"query": query, "error": ""}
    if not search.is_valid():
        context["error"] = f"Some search criteria are not valid: {search.errors.as_text()}"
        return render(request, "customers/bulk_delete_confirm.html", context, status=400)
    if request.method == "POST":
        try:
            expected = int(request.POST.get("expected_count", ""))
            deletion = services.bulk_delete_start(
                workspace=request.workspace,
                actor=request.user,
                customers=search.qs,
                query=query,
                expected_count=expected,
            )
        except ValueError:
            context["error"] = "Confirm the number of customers to delete."
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
        else:
            return redirect(deletion)
    context["count"] = search.qs.order_by().values("pk").distinct().count()
    context["purge_days"] = _purge_days()
    status = 400 if context["error"] else 200
    return render(request, "customers/bulk_delete_confirm.html", context, status=status)


@requires("customers.delete")
def bulk_deletions(request):
    """Every deletion by search, newest first, with its state and counts."""
    deletions = BulkDeletion.objects.in_workspace(request.workspace).select_related("requested_by")
    return render(request, "customers/bulk_deletions.html", {"page": _page(request, deletions)})


def _bulk_deletion(request, pk: int, **kwargs) -> BulkDeletion:
    return get_in_workspace(BulkDeletion, request.workspace, pk=pk)


@requires("customers.delete", owner=_bulk_deletion)
def bulk_deletion(request, pk: int):
    """A bulk deletion's progress; htmx polls the progress part while it runs."""
    deletion = _bulk_deletion(request, pk)
    if request.method == "POST":  # run a stopped deletion again
        try:
            services.bulk_delete_resume(deletion=deletion)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(deletion)
    template = (
        "customers/_bulk_deletion_progress.html" if request.htmx else "customers/bulk_deletion.html"
    )
    return render(request, template, {"deletion": deletion, "purge_days": _purge_days()})
