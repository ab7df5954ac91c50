"""Cold-call pages: log a call (for a customer, or creating the prospect), view, edit, list."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from patron.calls import services
from patron.calls.forms import ColdCallForm, NewProspectForm
from patron.calls.models import ColdCall
from patron.core.access import get_in_workspace
from patron.core.forms import add_validation_errors
from patron.customers.models import Customer
from patron.workspaces.permissions import requires


def _customer(request, pk: int, **kwargs) -> Customer:
    return get_in_workspace(Customer.objects.current(), request.workspace, pk=pk)


def _call(request, pk: int, **kwargs) -> ColdCall:
    return get_in_workspace(ColdCall.objects.select_related("customer"), request.workspace, pk=pk)


def _log(request, *, customer: Customer | None):
    form = ColdCallForm(request.POST or None)
    prospect = (
        None if customer else NewProspectForm(request.POST or None, workspace=request.workspace)
    )
    valid = form.is_valid() and (prospect is None or prospect.is_valid())
    if request.method == "POST" and valid:
        new_customer = None
        if prospect is not None:
            new_customer = {k: v for k, v in prospect.cleaned_data.items() if v not in (None, "")}
        try:
            call = services.cold_call_log(
                workspace=request.workspace,
                actor=request.user,
                data=form.cleaned_data,
                customer=customer,
                new_customer=new_customer,
            )
        except ValidationError as error:
            _show_errors(error, form, prospect)
        else:
            messages.success(request, f"Logged the call with {call.customer}.")
            return redirect(call.customer)
    return render(
        request, "calls/log.html", {"form": form, "prospect": prospect, "customer": customer}
    )


def _show_errors(error: ValidationError, form, prospect) -> None:
    for field, messages_ in getattr(error, "error_dict", {"__all__": error.error_list}).items():
        if field.startswith("new_customer.") and prospect is not None:
            name = field.removeprefix("new_customer.")
            prospect.add_error(name if name in prospect.fields else None, messages_)
        else:
            add_validation_errors(form, ValidationError({field: messages_}))


@requires("calls.log")
def call_new(request):
    """A cold call to someone new: the prospect is created with the call."""
    return _log(request, customer=None)


@requires("calls.log", owner=_customer)
def call_for_customer(request, pk: int):
    return _log(request, customer=_customer(request, pk))


@requires("customers.view", owner=_call)
def call_detail(request, pk: int):
    return render(request, "calls/detail.html", {"call": _call(request, pk)})


@requires("calls.log", owner=_call)
def call_edit(request, pk: int):
    call = _call(request, pk)
    form = ColdCallForm(request.POST or None, instance=call)
    if request.method == "POST" and form.is_valid():
        try:
            services.cold_call_update(call=call, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, "Saved the call.")
            return redirect("calls:detail", pk=call.pk)
    return render(
        request, "calls/log.html", {"form": form, "call": call, "customer": call.customer}
    )


@requires("calls.log", owner=_call)
def call_delete(request, pk: int):
    call = _call(request, pk)
    if request.method != "POST":
        return render(request, "calls/delete.html", {"call": call})
    services.cold_call_delete(call=call, actor=request.user)
    messages.success(request, "Deleted the call.")
    return redirect(call.customer)


@requires("customers.view")
def call_list(request):
    """Every cold call of the workspace, newest first; `?follow_up=due` for follow-ups due."""
    calls = ColdCall.objects.in_workspace(request.workspace).select_related("customer", "caller")
    if request.GET.get("follow_up") == "due":
        calls = calls.filter(follow_up_on__lte=timezone.localdate()).order_by("follow_up_on")
    page = Paginator(calls, 50).get_page(request.GET.get("page"))
    return render(request, "calls/list.html", {"page": page})
