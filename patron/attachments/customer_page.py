"""What attachments add to the customer page: the Attachments tab and "Add Attachment"."""

from django.urls import reverse

from patron.customers.customer_page import (
    MenuLink,
    Tab,
    TimelineEntry,
    register,
    register_link,
    register_timeline,
)


def _timeline(customer, limit):
    for item in customer.attachments.select_related("uploaded_by").order_by("-created_at")[:limit]:
        yield TimelineEntry(
            when=item.created_at,
            kind="Attachment",
            title=item.original_name + (f" ({item.description})" if item.description else ""),
            url=reverse("attachments:detail", args=[item.pk]),
            who=str(item.uploaded_by or ""),
        )


def register_attachment_parts() -> None:
    register_timeline(_timeline)
    register(
        Tab(
            slug="attachments",
            label="Attachments",
            template="attachments/tabs/attachments.html",
            context=lambda request, customer: {
                "attachments": customer.attachments.select_related("uploaded_by")
            },
            order=30,
            count=lambda customer: customer.attachments.count(),
        )
    )
    register_link(
        MenuLink(
            label="Add Attachment",
            url_name="attachments:create",
            capability="attachments.change",
            order=30,
        )
    )
