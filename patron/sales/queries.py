"""Reads for sales: quotes with their totals, and the filters of the quote and contract lists."""

import django_filters as filters
from django.db.models import Prefetch

from patron.customers.filters import ForCustomerFilterSet, IntegerFilter
from patron.sales.financials import quote_totals
from patron.sales.models import Item, Quote, QuoteLine, QuoteStatus, ServiceContract


def with_lines(quotes):
    """`quotes` with their customer and ordered lines fetched in one more query each."""
    return quotes.select_related("customer").prefetch_related(
        Prefetch("lines", queryset=QuoteLine.objects.order_by("position", "pk"))
    )


def quotes_with_totals(quotes) -> list[Quote]:
    """The quotes (from `with_lines`, or a page of it), each with `.totals` set."""
    rows = list(quotes)
    for quote in rows:
        quote.totals = quote_totals(quote.lines.all())
    return rows


def quotes_for_contact(contact):
    """The quotes a customer's own person may see (the portal, later): those made for it
    or for its organization, once sent (drafts are still being written)."""
    customers = [contact.pk] + ([contact.organization_id] if contact.organization_id else [])
    return (
        Quote.objects.in_workspace(contact.workspace)
        .filter(customer_id__in=customers, customer__deleted_at__isnull=True)
        .exclude(status=QuoteStatus.DRAFT)
        .order_by("-number")
    )


class QuoteFilter(ForCustomerFilterSet):
    number = IntegerFilter(label="Quote no.")
    status = filters.ChoiceFilter(
        choices=QuoteStatus.choices,
        method="filter_status",
        empty_label="Any",
        help_text="As shown: a draft or sent quote past its valid-until date is Expired.",
    )
    valid_from = filters.DateFilter(
        field_name="valid_until", lookup_expr="gte", label="Valid on or after"
    )
    valid_to = filters.DateFilter(
        field_name="valid_until", lookup_expr="lte", label="Valid until on or before"
    )

    class Meta:
        model = Quote
        fields = []

    def filter_status(self, queryset, name, value):
        from django.db.models import Q
        from django.utils import timezone

        today = timezone.localdate()
        open_states = [QuoteStatus.DRAFT, QuoteStatus.SENT]
        past = Q(status__in=open_states, valid_until__lt=today)
        if value == QuoteStatus.EXPIRED:
            return queryset.filter(Q(status=QuoteStatus.EXPIRED) | past)
        if value in open_states:
            return queryset.filter(status=value).exclude(past)
        return queryset.filter(status=value)


class ServiceContractFilter(ForCustomerFilterSet):
    status = filters.ChoiceFilter(choices=ServiceContract.Status.choices, empty_label="Any")
    item = filters.ModelChoiceFilter(
        field_name="supported_items", queryset=Item.objects.none(), label="Supports item"
    )

    class Meta:
        model = ServiceContract
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        workspace = getattr(request, "workspace", None)
        self.filters["item"].queryset = Item.objects.in_workspace(workspace)
        self.filters["customer"].label = "Organization"
