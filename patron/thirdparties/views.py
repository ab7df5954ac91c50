"""Third-party pages: add from the customer, view, edit, delete."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from patron.core.access import get_in_workspace
from patron.core.forms import add_validation_errors
from patron.core.service_views import ServiceDeleteView, ServiceUpdateView
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


class ThirdPartyEdit(ServiceUpdateView):
    capability = "customers.change"
    queryset = ThirdParty.objects.select_related("customer")
    form_class = ThirdPartyForm
    context_object_name = "third_party"
    template_name = "thirdparties/form.html"
    success_message = "Saved the third party."

    def save(self, data):
        return services.third_party_update(
            third_party=self.object, actor=self.request.user, data=data
        )

    def get_success_url(self) -> str:
        return reverse("thirdparties:detail", args=[self.object.pk])

    def get_context_data(self, **kwargs):
        return super().get_context_data(customer=self.object.customer, **kwargs)


class ThirdPartyDelete(ServiceDeleteView):
    capability = "customers.change"
    queryset = ThirdParty.objects.select_related("customer")
    context_object_name = "third_party"
    template_name = "thirdparties/delete.html"
    success_message = "Removed {object.name}."

    def delete_object(self):
        services.third_party_remove(third_party=self.object, actor=self.request.user)

    def get_success_url(self) -> str:
        return self.object.customer.get_absolute_url()
