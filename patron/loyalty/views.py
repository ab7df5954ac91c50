"""Loyalty and house-account pages: Add / Redeem / Adjust points and Select House Accounts
on a customer, and the house accounts' set-up."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from patron.core.access import get_in_workspace
from patron.core.forms import add_validation_errors
from patron.core.service_views import ServiceCreateView, ServiceDeleteView, ServiceUpdateView
from patron.customers.customer_page import with_tab_open
from patron.customers.models import Customer
from patron.loyalty import services
from patron.loyalty.forms import (
    AdjustmentForm,
    CustomerHouseAccountsForm,
    HouseAccountForm,
    PointsForm,
)
from patron.loyalty.models import HouseAccount, LoyaltyEntry
from patron.workspaces.permissions import requires


def _posted(request):
    # Not `request.POST or None`: unticking every account posts nothing, yet is a choice.
    return request.POST if request.method == "POST" else None


def _customer(request, pk: int, **kwargs) -> Customer:
    return get_in_workspace(Customer.objects.current(), request.workspace, pk=pk)


# Points -----------------------------------------------------------------------------------

# What each points page books: (form, title, kind, the service's sign for the number).
POINTS_PAGES = {
    "add": (PointsForm, "Add points", LoyaltyEntry.Kind.EARNED, 1),
    "redeem": (PointsForm, "Redeem points", LoyaltyEntry.Kind.REDEEMED, -1),
    "adjust": (AdjustmentForm, "Adjust points", LoyaltyEntry.Kind.ADJUSTMENT, 1),
}


def _points_page(request, pk: int, page: str):
    customer = _customer(request, pk)
    form_class, title, kind, sign = POINTS_PAGES[page]
    form = form_class(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.loyalty_entry_create(
                customer=customer,
                kind=kind,
                points=sign * form.cleaned_data["points"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            balance = services.loyalty_balance(customer)
            messages.success(
                request,
                f"{entry.get_kind_display()}: {entry.points:+d} points. {customer} now has "
                f"{balance} point{'s' if balance != 1 else ''}.",
            )
            return redirect(with_tab_open(customer, "loyalty"))
    return render(
        request,
        "loyalty/points_form.html",
        {
            "form": form,
            "customer": customer,
            "title": title,
            "page": page,
            "balance": services.loyalty_balance(customer),
        },
    )


@requires("loyalty.change", owner=_customer)
def points_add(request, pk: int):
    return _points_page(request, pk, "add")


@requires("loyalty.change", owner=_customer)
def points_redeem(request, pk: int):
    return _points_page(request, pk, "redeem")


@requires("loyalty.change", owner=_customer)
def points_adjust(request, pk: int):
    return _points_page(request, pk, "adjust")


# A customer's house accounts --------------------------------------------------------------


@requires("loyalty.change", owner=_customer)
def customer_house_accounts(request, pk: int):
    customer = _customer(request, pk)
    form = CustomerHouseAccountsForm(_posted(request), customer=customer)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_house_accounts_set(
                customer=customer,
                house_accounts=form.cleaned_data["house_accounts"],
                actor=request.user,
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Saved the house accounts of {customer}.")
            return redirect(with_tab_open(customer, "house-accounts"))
    return render(
        request, "loyalty/customer_house_accounts.html", {"form": form, "customer": customer}
    )


# Set-up: house accounts -------------------------------------------------------------------


class HouseAccountList(ServiceCreateView):
    """The workspace's house accounts, each with how many customers have it, and a form to
    add one."""

    capability = "service.manage"
    form_class = HouseAccountForm
    template_name = "loyalty/house_accounts.html"
    success_url = reverse_lazy("loyalty:house_account_list")
    success_message = "Added the house account {object}."

    def save(self, data):
        return services.house_account_create(
            workspace=self.request.workspace, actor=self.request.user, data=data
        )

    def get_context_data(self, **kwargs):
        rows = HouseAccount.objects.in_workspace(self.request.workspace)
        return super().get_context_data(
            rows=rows.annotate(customer_count=Count("customer_links")), **kwargs
        )


class HouseAccountEdit(ServiceUpdateView):
    capability = "service.manage"
    model = HouseAccount
    form_class = HouseAccountForm
    context_object_name = "house_account"
    template_name = "loyalty/house_account_form.html"
    success_url = reverse_lazy("loyalty:house_account_list")
    success_message = "Saved the house account {name}."

    def save(self, data):
        return services.house_account_update(
            house_account=self.object, actor=self.request.user, data=data
        )


class HouseAccountDelete(ServiceDeleteView):
    """Says how many customers have the account; the service refuses while any does."""

    capability = "service.manage"
    model = HouseAccount
    context_object_name = "house_account"
    template_name = "loyalty/house_account_delete.html"
    success_url = reverse_lazy("loyalty:house_account_list")
    success_message = "Deleted the house account {object.name}."

    def delete_object(self):
        services.house_account_delete(house_account=self.object, actor=self.request.user)

    def get_context_data(self, **kwargs):
        customer_count = services.house_account_usage(self.object)
        return super().get_context_data(customer_count=customer_count, **kwargs)
