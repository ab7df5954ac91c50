"""What attachments add to the customer page: the Attachments tab and "Add Attachment"."""

from patron.customers.customer_page import MenuLink, Tab, register, register_link


def register_attachment_parts() -> None:
    register(
        Tab(
            slug="attachments",
            label="Attachments",
            template="attachments/tabs/attachments.html",
            context=lambda request, customer: {
                "attachments": customer.attachments.select_related("uploaded_by")
            },
            order=30,
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
