"""The Emails tab and the "Send email" left-menu link on the customer page (manual 001)."""

from patron.customers.customer_page import MenuLink, Tab, register, register_link
from patron.mail.services import can_be_emailed


def _emails_tab(request, customer) -> dict:
    return {
        "emails": customer.emails.newest_first().select_related("sender"),
        "can_email": can_be_emailed(customer),
    }


def register_mail_parts() -> None:
    register(
        Tab(
            slug="emails",
            label="Emails",
            template="mail/tabs/emails.html",
            context=_emails_tab,
            order=30,
            count=lambda customer: customer.emails.count(),
        )
    )
    register_link(
        MenuLink(
            label="Send email",
            url_name="mail:compose",
            capability="mail.send",
            shows_for=can_be_emailed,
            order=30,
        )
    )
