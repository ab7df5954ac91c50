"""Loyalty and house-account pages: Add / Redeem / Adjust points and Select House Accounts
on a customer, and the house accounts' set-up."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render

from patron.core.access import get_in_workspace
from patron.core.forms import add_validation_errors
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


def _house_account(request, pk: int, **kwargs) -> HouseAccount:
    return get_in_workspace(HouseAccount, request.workspace, pk=pk)


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


@requires("service.manage")
def house_account_list(request):
    form = HouseAccountForm(_posted(request))
    form.instance.workspace = request.workspace
    if request.method == "POST" and form.is_valid():
        try:
            created = services.house_account_create(
                workspace=request.workspace, actor=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Added the house account {created}.")
            return redirect("loyalty:house_account_list")
    rows = HouseAccount.objects.in_workspace(request.workspace).annotate(
        customer_count=Count("customer_links")
    )
    return render(request, "loyalty/house_accounts.html", {"form": form, "rows": rows})


@requires("service.manage", owner=_house_account)
def house_account_edit(request, pk: int):
    account = _house_account(request, pk)
    form = HouseAccountForm(_posted(request), instance=account)
    if request.method == "POST" and form.is_valid():
        try:
            services.house_account_update(
                house_account=account, actor=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Saved the house account {form.cleaned_data['name']}.")
            return redirect("loyalty:house_account_list")
    return render(
        request, "loyalty/house_account_form.html", {"form": form, "house_account": account}
    )


@requires("service.manage", owner=_house_account)
def house_account_delete(request, pk: int):
    account = _house_account(request, pk)
    if request.method != "POST":
        return render(
            request,
            "loyalty/house_account_delete.html",
            {"house_account": account, "customer_count": services.house_account_usage(account)},
        )
    try:
        services.house_account_delete(house_account=account, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Deleted the house account {account.name}.")
    return redirect("loyalty:house_account_list")
