"""Marketing pages: a customer's traits and suppressions, and their set-up (definitions)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from patron.core.access import get_in_workspace
from patron.core.forms import add_validation_errors
from patron.core.service_views import ServiceCreateView, ServiceDeleteView, ServiceUpdateView
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


class DefinitionList(ServiceCreateView):
    """The workspace's traits or suppression types and a form to add one."""

    capability = "marketing.manage"
    template_name = "marketing/definitions.html"
    success_message = "Added {object}."
    kind: str  # "trait" or "suppression_type", for the template's links
    title: str
    explanation: str

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            rows=self.model.objects.in_workspace(self.request.workspace),
            kind=self.kind,
            title=self.title,
            explanation=self.explanation,
            **kwargs,
        )


class DefinitionEdit(ServiceUpdateView):
    capability = "marketing.manage"
    context_object_name = "row"
    template_name = "marketing/definition_form.html"
    success_message = "Saved {name}."
    kind: str
    title: str

    def get_context_data(self, **kwargs):
        return super().get_context_data(kind=self.kind, title=self.title, **kwargs)


class TraitList(DefinitionList):
    model = Trait
    form_class = TraitForm
    success_url = reverse_lazy("marketing:trait_list")
    kind = "trait"
    title = "Traits"
    explanation = (
        'Things true of a customer ("Golfer", "Owns a boat"). Customer lists can require '
        "them; tick them on a customer with Add/Remove Traits."
    )

    def save(self, data):
        return services.trait_create(
            workspace=self.request.workspace, actor=self.request.user, data=data
        )


class TraitEdit(DefinitionEdit):
    model = Trait
    form_class = TraitForm
    success_url = reverse_lazy("marketing:trait_list")
    kind = "trait"
    title = TraitList.title

    def save(self, data):
        return services.trait_update(trait=self.object, actor=self.request.user, data=data)


class TraitDelete(ServiceDeleteView):
    """A confirmation page that says how many customers and lists lose the trait."""

    capability = "marketing.manage"
    model = Trait
    context_object_name = "trait"
    template_name = "marketing/trait_delete.html"
    success_url = reverse_lazy("marketing:trait_list")
    success_message = "Deleted the trait {object.name}; {removed} customer(s) had it."

    def delete_object(self):
        return services.trait_delete(trait=self.object, actor=self.request.user)

    def get_success_message(self, cleaned_data: dict) -> str:
        return super().get_success_message({"removed": self.deleted})

    def get_context_data(self, **kwargs):
        return super().get_context_data(usage=services.trait_usage(self.object), **kwargs)


class SuppressionTypeList(DefinitionList):
    model = SuppressionType
    form_class = SuppressionTypeForm
    success_url = reverse_lazy("marketing:suppression_type_list")
    kind = "suppression_type"
    title = "Suppression types"
    explanation = (
        "Reasons not to contact a customer. A customer with a suppression is kept off the "
        "customer lists its type blocks, and off any list that names the type."
    )

    def save(self, data):
        return services.suppression_type_create(
            workspace=self.request.workspace, actor=self.request.user, data=data
        )


class SuppressionTypeEdit(DefinitionEdit):
    model = SuppressionType
    form_class = SuppressionTypeForm
    success_url = reverse_lazy("marketing:suppression_type_list")
    kind = "suppression_type"
    title = SuppressionTypeList.title

    def save(self, data):
        return services.suppression_type_update(
            suppression_type=self.object, actor=self.request.user, data=data
        )


class SuppressionTypeDelete(ServiceDeleteView):
    """Says how many customers and lists use the type; the service refuses while any does."""

    capability = "marketing.manage"
    model = SuppressionType
    context_object_name = "suppression_type"
    template_name = "marketing/suppression_type_delete.html"
    success_url = reverse_lazy("marketing:suppression_type_list")
    success_message = "Deleted the suppression type {object.name}."

    def delete_object(self):
        services.suppression_type_delete(suppression_type=self.object, actor=self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            customers=self.object.suppressions.count(),
            lists=self.object.customer_lists.count(),
            **kwargs,
        )
