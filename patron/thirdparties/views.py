"""Third-party pages: add from the customer, view, edit, delete."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from patron.core.access import get_in_workspace
from patron.core.forms import add_validation_errors
from patron.customers.models import Customer
from patron.thirdparties import services
from patron.thirdparties.forms import ThirdPartyForm
from patron.thirdparties.models import ThirdParty
from patron.workspaces.permissions import requires


def _customer(request, pk: int, **kwargs) -> Customer:
    return get_in_workspace(Customer.objects.current(), request.workspace, pk=pk)


def _third_party(request, pk: int, **kwargs) -> ThirdParty:
    return get_in_workspace(ThirdParty.objects.select_related("customer"), request.workspace, pk=pk)


@requires("customers.change", owner=_customer)
def third_party_add(request, pk: int):
    customer = _customer(request, pk)
    form = ThirdPartyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.third_party_add(customer=customer, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Added the third party to {customer}.")
            return redirect(customer)
    return render(request, "thirdparties/form.html", {"form": form, "customer": customer})


@requires("customers.view", owner=_third_party)
def third_party_detail(request, pk: int):
    return render(request, "thirdparties/detail.html", {"third_party": _third_party(request, pk)})


@requires("customers.change", owner=_third_party)
def third_party_edit(request, pk: int):
    third_party = _third_party(request, pk)
    form = ThirdPartyForm(request.POST or None, instance=third_party)
    if request.method == "POST" and form.is_valid():
        try:
            services.third_party_update(
                third_party=third_party, actor=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, "Saved the third party.")
            return redirect("thirdparties:detail", pk=third_party.pk)
    return render(
        request,
        "thirdparties/form.html",
        {"form": form, "customer": third_party.customer, "third_party": third_party},
    )


@requires("customers.change", owner=_third_party)
def third_party_delete(request, pk: int):
    third_party = _third_party(request, pk)
    if request.method != "POST":
        return render(request, "thirdparties/delete.html", {"third_party": third_party})
    services.third_party_remove(third_party=third_party, actor=request.user)
    messages.success(request, f"Removed {third_party.name}.")
    return redirect(third_party.customer)
