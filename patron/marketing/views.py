"""Marketing pages: a customer's traits and suppressions, and their set-up (definitions)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from patron.core.access import get_in_workspace
from patron.core.forms import add_validation_errors
from patron.customers.customer_page import with_tab_open
from patron.customers.models import Customer
from patron.marketing import services
from patron.marketing.forms import (
    CustomerTraitsForm,
    SuppressionForm,
    SuppressionTypeForm,
    TraitForm,
)
from patron.marketing.models import Suppression, SuppressionType, Trait
from patron.workspaces.permissions import requires


def _posted(request):
    # Not `request.POST or None`: unticking every trait posts nothing, yet is a choice.
    return request.POST if request.method == "POST" else None


def _customer(request, pk: int, **kwargs) -> Customer:
    return get_in_workspace(Customer.objects.current(), request.workspace, pk=pk)


def _suppression(request, pk: int, **kwargs) -> Suppression:
    return get_in_workspace(
        Suppression.objects.filter(customer__deleted_at__isnull=True).select_related(
            "customer", "suppression_type"
        ),
        request.workspace,
        pk=pk,
    )


def _trait(request, pk: int, **kwargs) -> Trait:
    return get_in_workspace(Trait, request.workspace, pk=pk)


def _suppression_type(request, pk: int, **kwargs) -> SuppressionType:
    return get_in_workspace(SuppressionType, request.workspace, pk=pk)


# On the customer --------------------------------------------------------------------------


@requires("marketing.change", owner=_customer)
def customer_suppression_add(request, pk: int):
    customer = _customer(request, pk)
    form = SuppressionForm(_posted(request), customer=customer)
    if request.method == "POST" and form.is_valid():
        try:
            services.suppression_add(
                customer=customer,
                suppression_type=form.cleaned_data["suppression_type"],
                date=form.cleaned_data["date"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(
                request, f"Added the suppression {form.cleaned_data['suppression_type']}."
            )
            return redirect(with_tab_open(customer, "suppressions"))
    return render(request, "marketing/suppression_form.html", {"form": form, "customer": customer})


@requires("marketing.change", owner=_suppression)
def suppression_delete(request, pk: int):
    suppression = _suppression(request, pk)
    customer = suppression.customer
    if request.method != "POST":
        return render(request, "marketing/suppression_delete.html", {"suppression": suppression})
    services.suppression_delete(suppression=suppression, actor=request.user)
    messages.success(request, f"Deleted the suppression {suppression.suppression_type}.")
    return redirect(with_tab_open(customer, "suppressions"))


@requires("marketing.change", owner=_customer)
def customer_traits(request, pk: int):
    customer = _customer(request, pk)
    form = CustomerTraitsForm(_posted(request), customer=customer)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_traits_set(
                customer=customer, traits=form.cleaned_data["traits"], actor=request.user
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Saved the traits of {customer}.")
            return redirect(with_tab_open(customer, "traits"))
    return render(request, "marketing/customer_traits.html", {"form": form, "customer": customer})


# Set-up: the definitions ------------------------------------------------------------------

# What each set-up page is about: (model, form, services, title, explanation).
KINDS = {
    "trait": (
        Trait,
        TraitForm,
        (services.trait_create, services.trait_update),
        "Traits",
        'Things true of a customer ("Golfer", "Owns a boat"). Customer lists can require '
        "them; tick them on a customer with Add/Remove Traits.",
    ),
    "suppression_type": (
        SuppressionType,
        SuppressionTypeForm,
        (services.suppression_type_create, services.suppression_type_update),
        "Suppression types",
        "Reasons not to contact a customer. A customer with a suppression is kept off the "
        "customer lists its type blocks, and off any list that names the type.",
    ),
}


def _definitions(request, kind: str):
    model, form_class, (create, _), title, explanation = KINDS[kind]
    form = form_class(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            created = create(
                workspace=request.workspace, actor=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Added {created}.")
            return redirect(f"marketing:{kind}_list")
    return render(
        request,
        "marketing/definitions.html",
        {
            "form": form,
            "rows": model.objects.in_workspace(request.workspace),
            "kind": kind,
            "title": title,
            "explanation": explanation,
        },
    )


def _definition_edit(request, kind: str, row):
    _, form_class, (_, update), title, _ = KINDS[kind]
    form = form_class(_posted(request), instance=row)
    if request.method == "POST" and form.is_valid():
        try:
            update(**{kind: row, "actor": request.user, "data": form.cleaned_data})
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Saved {form.cleaned_data['name']}.")
            return redirect(f"marketing:{kind}_list")
    return render(
        request,
        "marketing/definition_form.html",
        {"form": form, "row": row, "kind": kind, "title": title},
    )


@requires("marketing.manage")
def trait_list(request):
    return _definitions(request, "trait")


@requires("marketing.manage", owner=_trait)
def trait_edit(request, pk: int):
    return _definition_edit(request, "trait", _trait(request, pk))


@requires("marketing.manage", owner=_trait)
def trait_delete(request, pk: int):
    """A confirmation page that says how many customers and lists lose the trait."""
    trait = _trait(request, pk)
    if request.method != "POST":
        return render(
            request,
            "marketing/trait_delete.html",
            {"trait": trait, "usage": services.trait_usage(trait)},
        )
    removed = services.trait_delete(trait=trait, actor=request.user)
    messages.success(request, f"Deleted the trait {trait.name}; {removed} customer(s) had it.")
    return redirect("marketing:trait_list")


@requires("marketing.manage")
def suppression_type_list(request):
    return _definitions(request, "suppression_type")


@requires("marketing.manage", owner=_suppression_type)
def suppression_type_edit(request, pk: int):
    return _definition_edit(request, "suppression_type", _suppression_type(request, pk))


@requires("marketing.manage", owner=_suppression_type)
def suppression_type_delete(request, pk: int):
    suppression_type = _suppression_type(request, pk)
    if request.method != "POST":
        return render(
            request,
            "marketing/suppression_type_delete.html",
            {
                "suppression_type": suppression_type,
                "customers": suppression_type.suppressions.count(),
                "lists": suppression_type.customer_lists.count(),
            },
        )
    try:
        services.suppression_type_delete(suppression_type=suppression_type, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Deleted the suppression type {suppression_type.name}.")
    return redirect("marketing:suppression_type_list")
