"""The Emails tab and the "Send email" left-menu link on the customer page (manual 001)."""

from django.urls import reverse

from patron.customers.customer_page import (
    MenuLink,
    Tab,
    TimelineEntry,
    register,
    register_link,
    register_timeline,
)
from patron.mail.services import can_be_emailed


def _emails_tab(request, customer) -> dict:
    return {
        "emails": customer.emails.newest_first().select_related("sender"),
        "can_email": can_be_emailed(customer),
    }


def _timeline(customer, limit):
    for email in customer.emails.select_related("sender").order_by("-created_at")[:limit]:
        yield TimelineEntry(
            when=email.created_at,
            kind=f"Email ({email.get_status_display().lower()})",
            title=email.subject,
            url=reverse("mail:detail", args=[email.pk]),
            who=str(email.sender or ""),
        )


def register_mail_parts() -> None:
    register_timeline(_timeline)
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
