"""Customer list pages: the index, a list with its tabs, edit, delete, the "Create customer
list" wizard, lists of fulfilled customers, and a customer's lists."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from patron.core.access import get_in_workspace
from patron.core.forms import add_validation_errors
from patron.customers.customer_page import with_tab_open
from patron.customers.models import Customer
from patron.history.services import changes_for
from patron.lists import queries, rules, services
from patron.lists.forms import (
    DetailsForm,
    FulfilmentsListForm,
    ListForm,
    SuppressionsForm,
    TraitsForm,
)
from patron.lists.models import CustomerList
from patron.marketing.models import SuppressionType, Trait
from patron.workspaces.permissions import requires

TABS = {
    "customers": "Customers",
    "suppressions": "Suppressions",
    "traits": "Traits",
    "activities": "Activities",
    "history": "History",
}
WIZARD = "lists_wizard"
STEPS = ["Name and usage", "Search", "Suppressions", "Traits", "Confirm"]


def _list(request, pk: int, **kwargs) -> CustomerList:
    return get_in_workspace(CustomerList, request.workspace, pk=pk)


def _customer(request, pk: int, **kwargs) -> Customer:
    return get_in_workspace(Customer.objects.current(), request.workspace, pk=pk)


def _whole(text: str | None) -> int | None:
    return int(text) if text and text.isascii() and text.isdecimal() else None


@requires("customers.view")
def list_index(request):
    lists = queries.lists_with_counts(request.workspace)
    return render(request, "lists/index.html", {"lists": lists})


@requires("customers.view", owner=_list)
def list_detail(request, pk: int):
    customer_list = _list(request, pk)
    return render(
        request,
        "lists/detail.html",
        {
            "customer_list": customer_list,
            "tabs": TABS,
            "always": rules.blocking_types(
                rules.Rule(workspace_id=request.workspace.pk, usage=customer_list.usage)
            ),
            "usage_help": CustomerList.USAGE_HELP[customer_list.usage],
        },
    )


@requires("customers.view", owner=_list)
def list_tab(request, pk: int, tab: str):
    customer_list = _list(request, pk)
    if tab not in TABS:
        raise Http404("No such tab.")
    context = {"customer_list": customer_list}
    if tab == "customers":
        entries, previous, following = queries.entries_page(
            customer_list,
            after=_whole(request.GET.get("after")),
            before=_whole(request.GET.get("before")),
        )
        context.update(
            entries=entries,
            previous=previous,
            following=following,
            total=customer_list.entries.filter(customer__deleted_at__isnull=True).count(),
        )
    elif tab == "suppressions":
        context.update(
            named=customer_list.suppressions.all(),
            always=SuppressionType.objects.in_workspace(request.workspace).filter(
                blocks__in=rules.blocks_for(customer_list.usage)
            ),
        )
    elif tab == "traits":
        context["traits"] = customer_list.traits.all()
    elif tab == "activities":
        context["activities"] = customer_list.activities.select_related("campaign")
    else:
        context["changes"] = changes_for(customer_list)[:200]
    return render(request, f"lists/tabs/{tab}.html", context)


@requires("marketing.manage", owner=_list)
def list_edit(request, pk: int):
    customer_list = _list(request, pk)
    form = ListForm(request.POST or None, instance=customer_list, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            services.list_update(
                customer_list=customer_list, actor=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Saved {customer_list}.")
            unqualified = services.unqualified_count(customer_list)
            if unqualified:
                messages.warning(
                    request,
                    f"{unqualified} customers in the list no longer meet its rules; they stay "
                    "until you remove them.",
                )
            return redirect("lists:detail", pk=customer_list.pk)
    return render(request, "lists/form.html", {"form": form, "customer_list": customer_list})


@requires("marketing.manage", owner=_list)
def list_delete(request, pk: int):
    customer_list = _list(request, pk)
    if request.method != "POST":
        count = customer_list.entries.count()
        return render(
            request, "lists/delete.html", {"customer_list": customer_list, "count": count}
        )
    count = services.list_delete(customer_list=customer_list, actor=request.user)
    messages.success(request, f"Deleted the list {customer_list} ({count} customers were in it).")
    return redirect("lists:index")


@requires("marketing.manage", owner=_list)
def list_remove_unqualified(request, pk: int):
    """Remove those who no longer meet the list's rules: asked for, with the count shown."""
    customer_list = _list(request, pk)
    if request.method != "POST":
        count = services.unqualified_count(customer_list)
        return render(
            request,
            "lists/remove_unqualified.html",
            {"customer_list": customer_list, "count": count},
        )
    removed = services.list_remove_unqualified(customer_list=customer_list, actor=request.user)
    messages.success(request, f"Removed {removed} customers who no longer meet the rules.")
    return redirect("lists:detail", pk=customer_list.pk)


@require_POST
@requires("marketing.change", owner=_list)
def list_remove_customer(request, pk: int):
    """The remove operation of a list's Customers tab and of a customer's Customer Lists tab."""
    customer_list = _list(request, pk)
    customer_id = _whole(request.POST.get("customer"))
    if customer_id is None:
        raise Http404("No customer given.")
    customer = get_in_workspace(Customer, request.workspace, pk=customer_id)
    if services.list_remove_customer(
        customer_list=customer_list, customer=customer, actor=request.user
    ):
        messages.success(request, f"Removed {customer} from {customer_list}.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("lists:detail", args=[customer_list.pk])
    return redirect(target)


# The "Create customer list" wizard (manual 000, steps 1-5). Its answers wait in the
# session until the last step creates the list.


def _state(request) -> dict:
    return request.session.get(WIZARD, {})


def _save_state(request, **changes) -> None:
    request.session[WIZARD] = {**_state(request), **changes}


def _rule(request, state: dict) -> rules.Rule:
    return rules.Rule(
        workspace_id=request.workspace.pk,
        usage=state.get("usage", ""),
        suppression_type_ids=frozenset(state.get("suppressions", [])),
        trait_ids=frozenset(state.get("traits", [])),
    )


def _wizard(request, step: int, context: dict):
    return render(
        request,
        "lists/wizard.html",
        {"step": step, "steps": STEPS, "state": _state(request), **context},
    )


@requires("marketing.manage")
def wizard(request, step: int = 1):
    state = _state(request)
    if step == 1 and request.method == "GET" and "continue" not in request.GET:
        request.session.pop(WIZARD, None)
        state = {}
    if step > 1 and "name" not in state:
        return redirect("lists:create")
    workspace = request.workspace
    if step == 1:
        form = DetailsForm(request.POST or None, initial=state, workspace=workspace)
        if request.method == "POST" and form.is_valid():
            _save_state(request, **form.cleaned_data)
            return redirect("lists:create_step", step=2)
        help_items = [
            (label, CustomerList.USAGE_HELP[value]) for value, label in CustomerList.Usage.choices
        ]
        return _wizard(request, 1, {"form": form, "usage_help": help_items})
    if step == 2:
        data = request.POST if request.method == "POST" else state.get("search", "")
        search = queries.customer_search(request, data)
        matched = None
        if request.method == "POST" and search.is_valid():
            if "count" in request.POST:
                matched = search.qs.count()
            else:
                _save_state(request, search=queries.search_params(search))
                return redirect("lists:create_step", step=3)
        return _wizard(request, 2, {"filter": search, "matched": matched})
    if step == 3:
        form = SuppressionsForm(
            request.POST or None,
            initial={"suppressions": state.get("suppressions", [])},
            workspace=workspace,
            usage=state["usage"],
        )
        if request.method == "POST" and form.is_valid():
            _save_state(request, suppressions=[t.pk for t in form.cleaned_data["suppressions"]])
            return redirect("lists:create_step", step=4)
        return _wizard(request, 3, {"form": form})
    if step == 4:
        form = TraitsForm(
            request.POST or None, initial={"traits": state.get("traits", [])}, workspace=workspace
        )
        if request.method == "POST" and form.is_valid():
            _save_state(request, traits=[t.pk for t in form.cleaned_data["traits"]])
            return redirect("lists:create_step", step=5)
        return _wizard(request, 4, {"form": form})
    if step != 5:
        raise Http404("No such step.")
    search = queries.customer_search(request, state.get("search", ""))
    if not search.is_valid():
        messages.error(request, "The search is no longer valid; change it.")
        return redirect("lists:create_step", step=2)
    rule = _rule(request, state)
    if request.method == "POST":
        data = {
            "name": state["name"],
            "description": state.get("description", ""),
            "usage": state.get("usage", ""),
            "suppressions": list(
                SuppressionType.objects.in_workspace(workspace).filter(
                    pk__in=rule.suppression_type_ids
                )
            ),
            "traits": list(Trait.objects.in_workspace(workspace).filter(pk__in=rule.trait_ids)),
        }
        try:
            customer_list, added, refused = services.list_create_from_search(
                workspace=workspace,
                actor=request.user,
                data=data,
                customers=search.qs,
                search=state.get("search", ""),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(f"{reverse('lists:create')}?continue=1")
        request.session.pop(WIZARD, None)
        messages.success(
            request,
            f"Created the list {customer_list} with {added} customers ({refused} left out).",
        )
        return redirect("lists:detail", pk=customer_list.pk)
    return _wizard(
        request,
        5,
        {
            "counts": rules.counts(search.qs, rule),
            "always": rules.blocking_types(rules.Rule(workspace_id=workspace.pk, usage=rule.usage)),
            "named": SuppressionType.objects.in_workspace(workspace).filter(
                pk__in=rule.suppression_type_ids
            ),
            "traits": Trait.objects.in_workspace(workspace).filter(pk__in=rule.trait_ids),
            "usage_label": CustomerList.Usage(rule.usage).label,
        },
    )


@requires("marketing.manage")
def list_from_fulfilments(request):
    initial = {}
    activity_id = _whole(request.GET.get("activity"))
    if activity_id is not None:
        initial["activity"] = activity_id
    form = FulfilmentsListForm(request.POST or None, initial=initial, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        activity = data.pop("activity")
        try:
            customer_list, added, refused = services.list_from_fulfilments(
                activity=activity, actor=request.user, data=data
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(
                request,
                f"Created the list {customer_list} with {added} fulfilled customers "
                f"({refused} left out by the list's rules).",
            )
            return redirect("lists:detail", pk=customer_list.pk)
    usage_help = [
        (label, CustomerList.USAGE_HELP[value]) for value, label in CustomerList.Usage.choices
    ]
    return render(request, "lists/fulfilments.html", {"form": form, "usage_help": usage_help})


@requires("marketing.change", owner=_customer)
def customer_lists(request, pk: int):
    """ "Add/remove from a customer list": every list with a tick; those the customer
    cannot join are disabled, with the reasons."""
    customer = _customer(request, pk)
    lists = list(
        CustomerList.objects.in_workspace(request.workspace).prefetch_related(
            "suppressions", "traits"
        )
    )
    current = set(customer.list_entries.values_list("customer_list", flat=True))
    reasons = rules.reasons_by_list(customer, lists)
    rows = [
        {"list": item, "ticked": item.pk in current, "reasons": why}
        for item, why in zip(lists, reasons, strict=True)
    ]
    errors = []
    if request.method == "POST":
        chosen = {_whole(v) for v in request.POST.getlist("lists")}
        wanted = [item for item in lists if item.pk in chosen]
        try:
            joined, left = services.customer_lists_set(
                customer=customer, lists=wanted, actor=request.user
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request,
                f"{customer}: added to {len(joined)} lists, removed from {len(left)}.",
            )
            return redirect(with_tab_open(customer, "lists"))
    return render(
        request, "lists/customer_lists.html", {"customer": customer, "rows": rows, "errors": errors}
    )
