"""Reads of customer lists: the index with counts, a page of a list's customers, searches."""

from django.db.models import Count, Q, QuerySet
from django.http import QueryDict

from patron.customers.filters import CustomerFilter
from patron.customers.models import Customer
from patron.lists.models import CustomerList, ListEntry

PAGE_SIZE = 100


def lists_with_counts(workspace) -> QuerySet[CustomerList]:
    """The workspace's lists, each with `customer_count` (customers outside the recycle
    bin), counted in one grouped query."""
    return CustomerList.objects.in_workspace(workspace).annotate(
        customer_count=Count("entries", filter=Q(entries__customer__deleted_at__isnull=True))
    )


def customer_search(request, params: str | QueryDict | dict) -> CustomerFilter:
    """The advanced customer search (patron.customers.filters) over the workspace's
    customers outside the recycle bin; `params` as a query string or a mapping."""
    if isinstance(params, str):
        data = QueryDict(params)
    elif isinstance(params, QueryDict):
        data = params
    else:
        data = QueryDict(mutable=True)
        for key, value in params.items():
            if isinstance(value, list | tuple):
                data.setlist(key, [str(v) for v in value])
            elif value is not None:
                data[key] = str(value)
    customers = Customer.objects.in_workspace(request.workspace).current()
    return CustomerFilter(data, customers, request=request)


def search_params(customer_filter: CustomerFilter) -> str:
    """The search as a query string of its filled-in criteria, to keep with the list."""
    data = QueryDict(mutable=True)
    for name in customer_filter.filters:
        values = [v for v in customer_filter.data.getlist(name) if v not in ("", None)]
        if values and name != "ordering":
            data.setlist(name, values)
    return data.urlencode()


def entries_page(
    customer_list: CustomerList, *, after: int | None = None, before: int | None = None
) -> tuple[list[ListEntry], int | None, int | None]:
    """One page of the list's customers in customer-id order, found by key (the last id
    seen), so page 10,000 costs what page 1 costs. Returns (entries, previous, next): the
    `before` and `after` ids of the neighbouring pages, None when there is none."""
    entries = (
        ListEntry.objects.filter(customer_list=customer_list, customer__deleted_at__isnull=True)
        .select_related("customer", "added_by")
        .order_by("customer_id")
    )
    if before is not None:
        rows = list(
            entries.filter(customer_id__lt=before).order_by("-customer_id")[: PAGE_SIZE + 1]
        )
        more_before = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE][::-1]
        more_after = True
    else:
        if after is not None:
            entries = entries.filter(customer_id__gt=after)
        rows = list(entries[: PAGE_SIZE + 1])
        more_after = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        more_before = after is not None
    previous = rows[0].customer_id if rows and more_before else None
    following = rows[-1].customer_id if rows and more_after else None
    return rows, previous, following
