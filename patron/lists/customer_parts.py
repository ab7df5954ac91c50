"""The Customer Lists tab and the "Add/remove from a customer list" link on the customer page."""

from django.db.models import Count, IntegerField, OuterRef, Subquery

from patron.customers.customer_page import MenuLink, Tab, register, register_link
from patron.lists.models import ListEntry


def _entries(request, customer) -> dict:
    sizes = (
        ListEntry.objects.filter(customer_list=OuterRef("customer_list"))
        .order_by()
        .values("customer_list")
        .annotate(n=Count("pk"))
        .values("n")
    )
    entries = (
        customer.list_entries.select_related("customer_list")
        .annotate(list_size=Subquery(sizes, output_field=IntegerField()))
        .order_by("customer_list__name")
    )
    return {"entries": entries}


def register_list_parts() -> None:
    register(
        Tab(
            slug="lists",
            label="Customer Lists",
            template="lists/customer_tab.html",
            context=_entries,
            order=60,
            count=lambda customer: customer.list_entries.count(),
        )
    )
    register_link(
        MenuLink(
            label="Add/remove from a customer list",
            url_name="lists:for_customer",
            capability="marketing.change",
            order=60,
        )
    )
