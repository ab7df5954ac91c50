"""Sales pages: catalogue and price levels (set-up), a customer's price level, quotes with
their lines editor and printable view, and service contracts."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from patron.core.access import get_in_workspace
from patron.core.forms import add_validation_errors
from patron.core.service_views import ServiceCreateView, ServiceDeleteView, ServiceUpdateView
from patron.customers.customer_page import with_tab_open
from patron.customers.models import Customer
from patron.history.services import changes_for
from patron.sales import services
from patron.sales.financials import quote_totals
from patron.sales.forms import (
    CurrencyForm,
    CustomerPriceLevelForm,
    ItemForm,
    PriceLevelForm,
    QuoteForm,
    QuoteLineForm,
    ServiceContractForm,
    StatusForm,
)
from patron.sales.models import Item, PriceLevel, Quote, QuoteLine, ServiceContract
from patron.sales.queries import (
    QuoteFilter,
    ServiceContractFilter,
    quotes_with_totals,
    with_lines,
)
from patron.workspaces.permissions import requires

PAGE_SIZE = 50


def _posted(request):
    return request.POST if request.method == "POST" else None


def _customer(request, pk: int, **kwargs) -> Customer:
    return get_in_workspace(Customer.objects.current(), request.workspace, pk=pk)


def _organization(request, pk: int, **kwargs) -> Customer:
    return get_in_workspace(Customer.objects.current().organizations(), request.workspace, pk=pk)


def _quote(request, pk: int, **kwargs) -> Quote:
    # A quote of a customer in the recycle bin goes with it.
    quotes = Quote.objects.filter(customer__deleted_at__isnull=True).select_related("customer")
    return get_in_workspace(quotes, request.workspace, pk=pk)


def _line(request, pk: int, **kwargs) -> QuoteLine:
    lines = QuoteLine.objects.filter(quote__customer__deleted_at__isnull=True)
    return get_in_workspace(lines.select_related("quote", "item"), request.workspace, pk=pk)


def _contract(request, pk: int, **kwargs) -> ServiceContract:
    contracts = ServiceContract.objects.filter(customer__deleted_at__isnull=True)
    return get_in_workspace(contracts.select_related("customer"), request.workspace, pk=pk)


def _page(request, queryset):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


# Set-up: items and price levels -----------------------------------------------------------


class ItemList(ServiceCreateView):
    """The catalogue, a form to add an item, and the currency of new quotes."""

    capability = "sales.manage"
    form_class = ItemForm
    template_name = "sales/item_list.html"
    success_url = reverse_lazy("sales:item_list")
    success_message = "Added the item {object}."

    def save(self, data):
        return services.item_create(
            workspace=self.request.workspace, actor=self.request.user, data=data
        )

    def get_context_data(self, **kwargs):
        workspace = self.request.workspace
        return super().get_context_data(
            items=Item.objects.in_workspace(workspace),
            currency_form=CurrencyForm(
                initial={"currency": services.workspace_currency(workspace)}
            ),
            **kwargs,
        )


@require_POST
@requires("sales.manage")
def currency_set(request):
    form = CurrencyForm(request.POST)
    if form.is_valid():
        try:
            settings = services.workspace_currency_set(
                workspace=request.workspace,
                currency=form.cleaned_data["currency"],
                actor=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"New quotes are in {settings.currency}.")
    else:
        messages.error(request, "Give a three-letter ISO 4217 currency code, e.g. GBP.")
    return redirect("sales:item_list")


class DefinitionEdit(ServiceUpdateView):
    """An item or price level, its form and its History (sales/definition_form.html)."""

    capability = "sales.manage"
    template_name = "sales/definition_form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=self.get_title(),
            back=self.success_url,
            changes=changes_for(self.object)[:200],
            **kwargs,
        )


class ItemEdit(DefinitionEdit):
    model = Item
    form_class = ItemForm
    success_url = reverse_lazy("sales:item_list")
    success_message = "Saved the item {code}."

    def get_title(self) -> str:
        return f"Item {self.object}"

    def save(self, data):
        return services.item_update(item=self.object, actor=self.request.user, data=data)


class PriceLevelList(ServiceCreateView):
    capability = "sales.manage"
    form_class = PriceLevelForm
    template_name = "sales/price_level_list.html"
    success_url = reverse_lazy("sales:price_level_list")
    success_message = "Added the price level {object}."

    def save(self, data):
        return services.price_level_create(
            workspace=self.request.workspace, actor=self.request.user, data=data
        )

    def get_context_data(self, **kwargs):
        levels = PriceLevel.objects.in_workspace(self.request.workspace)
        return super().get_context_data(levels=levels, **kwargs)


class PriceLevelEdit(DefinitionEdit):
    model = PriceLevel
    form_class = PriceLevelForm
    success_url = reverse_lazy("sales:price_level_list")
    success_message = "Saved the price level {name}."

    def get_title(self) -> str:
        return f"Price level {self.object.name}"

    def save(self, data):
        return services.price_level_update(
            price_level=self.object, actor=self.request.user, data=data
        )


class PriceLevelDelete(ServiceDeleteView):
    """Says how many customers have the level; the service refuses while any does."""

    capability = "sales.manage"
    model = PriceLevel
    context_object_name = "level"
    template_name = "sales/price_level_delete.html"
    success_url = reverse_lazy("sales:price_level_list")
    success_message = "Deleted the price level {object.name}."

    def delete_object(self):
        services.price_level_delete(price_level=self.object, actor=self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(in_use=self.object.customer_links.count(), **kwargs)


# A customer's price level -----------------------------------------------------------------


@requires("sales.manage", owner=_customer)
def customer_price_level(request, pk: int):
    customer = _customer(request, pk)
    form = CustomerPriceLevelForm(_posted(request), customer=customer)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_price_level_set(
                customer=customer, price_level=form.cleaned_data["price_level"], actor=request.user
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Saved the price level of {customer}.")
            return redirect(with_tab_open(customer, "price-level"))
    return render(
        request,
        "sales/customer_price_level.html",
        {"form": form, "customer": customer, "effective": services.effective_price_level(customer)},
    )


# Quotes -----------------------------------------------------------------------------------


@requires("customers.view")
def quote_list(request):
    quotes = Quote.objects.in_workspace(request.workspace).filter(customer__deleted_at__isnull=True)
    found = QuoteFilter(request.GET or None, quotes, request=request)
    page, query = _page(request, with_lines(found.qs.order_by("-number")))
    page.object_list = quotes_with_totals(page.object_list)
    return render(request, "sales/quote_list.html", {"filter": found, "page": page, "query": query})


@requires("sales.change", owner=_customer)
def quote_create(request, pk: int):
    customer = _customer(request, pk)
    if request.method == "POST":
        form = QuoteForm(request.POST, customer=customer)
        if form.is_valid():
            try:
                quote = services.quote_create(
                    customer=customer, actor=request.user, data=form.cleaned_data
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, f"Created {quote}: add its lines.")
                return redirect("sales:quote_detail", pk=quote.pk)
    else:
        # The form shows what the quote will be filled in with.
        preview = services.quote_preview(customer=customer)
        form = QuoteForm(instance=preview, customer=customer)
    return render(
        request,
        "sales/quote_form.html",
        {"form": form, "customer": customer, "effective": services.effective_price_level(customer)},
    )


def _quote_page(request, quote: Quote, line_form=None, status=200):
    totals = quote_totals(quote.lines.select_related("item").order_by("position", "pk"))
    line_form = line_form or QuoteLineForm(workspace=request.workspace, adding=True)
    return render(
        request,
        "sales/quote_detail.html",
        {
            "quote": quote,
            "totals": totals,
            "line_form": line_form,
            "effective": services.effective_price_level(quote.customer),
            "next_statuses": [
                Quote.Status(s)
                for s in Quote.Status.values
                if s in services.TRANSITIONS[quote.status]
            ],
            "changes": changes_for(quote)[:200],
        },
        status=status,
    )


@requires("customers.view", owner=_quote)
def quote_detail(request, pk: int):
    return _quote_page(request, _quote(request, pk))


@requires("customers.view", owner=_quote)
def quote_print(request, pk: int):
    quote = _quote(request, pk)
    totals = quote_totals(quote.lines.select_related("item").order_by("position", "pk"))
    return render(request, "sales/quote_print.html", {"quote": quote, "totals": totals})


@requires("sales.change", owner=_quote)
def quote_edit(request, pk: int):
    quote = _quote(request, pk)
    form = QuoteForm(_posted(request), instance=quote, customer=quote.customer)
    if request.method == "POST" and form.is_valid():
        try:
            services.quote_update(quote=quote, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Saved {quote}.")
            return redirect("sales:quote_detail", pk=quote.pk)
    return render(
        request, "sales/quote_form.html", {"form": form, "quote": quote, "customer": quote.customer}
    )


@require_POST
@requires("sales.change", owner=_quote)
def quote_status(request, pk: int):
    quote = _quote(request, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            quote = services.quote_set_status(
                quote=quote, status=form.cleaned_data["status"], actor=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{quote} is now {quote.get_status_display()}.")
    else:
        messages.error(request, "Choose a status: Draft, Sent, Accepted, Declined or Expired.")
    return redirect("sales:quote_detail", pk=quote.pk)


@require_POST
@requires("sales.change", owner=_quote)
def quote_line_add(request, pk: int):
    quote = _quote(request, pk)
    form = QuoteLineForm(request.POST, workspace=request.workspace, adding=True)
    if form.is_valid():
        try:
            services.quote_line_add(quote=quote, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, "Added the line.")
            return redirect(f"{quote.get_absolute_url()}#lines")
    return _quote_page(request, quote, line_form=form, status=400)


@requires("sales.change", owner=_line)
def line_edit(request, pk: int):
    line = _line(request, pk)
    form = QuoteLineForm(_posted(request), instance=line, workspace=request.workspace, adding=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.quote_line_update(line=line, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Saved line {line.position}.")
            return redirect(f"{line.quote.get_absolute_url()}#lines")
    return render(
        request, "sales/line_form.html", {"form": form, "line": line, "quote": line.quote}
    )


@require_POST
@requires("sales.change", owner=_line)
def line_delete(request, pk: int):
    line = _line(request, pk)
    try:
        services.quote_line_remove(line=line, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Removed line {line.position}.")
    return redirect(f"{line.quote.get_absolute_url()}#lines")


# Service contracts ------------------------------------------------------------------------


@requires("customers.view")
def contract_list(request):
    contracts = (
        ServiceContract.objects.in_workspace(request.workspace)
        .filter(customer__deleted_at__isnull=True)
        .select_related("customer")
        .prefetch_related("supported_items")
        .order_by("-start_date", "name", "pk")
    )
    found = ServiceContractFilter(request.GET or None, contracts, request=request)
    page, query = _page(request, found.qs)
    return render(
        request, "sales/contract_list.html", {"filter": found, "page": page, "query": query}
    )


@requires("sales.change", owner=_organization)
def contract_create(request, pk: int):
    customer = _organization(request, pk)
    form = ServiceContractForm(_posted(request), workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.contract_create(
                customer=customer, actor=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Added the service contract {contract}.")
            return redirect("sales:contract_detail", pk=contract.pk)
    return render(request, "sales/contract_form.html", {"form": form, "customer": customer})


@requires("customers.view", owner=_contract)
def contract_detail(request, pk: int):
    contract = _contract(request, pk)
    return render(
        request,
        "sales/contract_detail.html",
        {"contract": contract, "changes": changes_for(contract)[:200]},
    )


@requires("sales.change", owner=_contract)
def contract_edit(request, pk: int):
    contract = _contract(request, pk)
    form = ServiceContractForm(_posted(request), instance=contract, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_update(contract=contract, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Saved the service contract {contract.name}.")
            return redirect("sales:contract_detail", pk=contract.pk)
    return render(
        request,
        "sales/contract_form.html",
        {"form": form, "customer": contract.customer, "contract": contract},
    )


@requires("sales.change", owner=_contract)
def contract_delete(request, pk: int):
    contract = _contract(request, pk)
    if request.method != "POST":
        return render(request, "sales/contract_delete.html", {"contract": contract})
    services.contract_delete(contract=contract, actor=request.user)
    messages.success(request, f"Deleted the service contract {contract.name}.")
    return redirect(with_tab_open(contract.customer, "service-contracts"))
