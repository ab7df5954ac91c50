"""Email to customers: sending, the mail server's answer, and bounce reports.

`email_send` records the email and queues its delivery (a django.tasks task, enqueued
once the record is committed); `email_deliver` hands it to the mail server and records
the answer. An address the server refuses for good (5xx), or one reported as bounced,
marks the customer's email invalid: it is never mailed again until it is corrected
(correcting it in customer_update clears the mark).
"""

import logging
import re
import smtplib
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import DEFAULT_MAILER_ALIAS, EmailMessage, make_msgid
from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.utils.dateformat import format as date_format

from patron.customers.models import Customer
from patron.customers.normalize import normalize_email
from patron.history.models import Change
from patron.history.services import record_change
from patron.mail.models import SentEmail

logger = logging.getLogger(__name__)

MAX_BODY = 100_000
# Line breaks (CR, LF and the rest) and other control characters: in a header they would
# start a new header ("header injection"), so the subject and address refuse them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Enhanced status codes that blame the recipient's address (RFC 3463: 5.1.1 no such
# mailbox, 5.1.2 no such domain, ...); 5.1.7 and 5.1.8 blame the sender.
ADDRESS_STATUS = re.compile(rb"^\s*5\.1\.[0-6]\b")
# A bounce date a little ahead of our clock is a clock difference, not the future.
CLOCK_SKEW = timedelta(minutes=5)


def _day(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "j M Y")


def email_refusal(customer: Customer) -> str | None:
    """Why the customer cannot be emailed now, or None when they can."""
    if customer.is_deleted:
        return "This customer is in the recycle bin."
    if not customer.email:
        return f"{customer} has no email address."
    if customer.email_invalid_since:
        return (
            f"{customer}'s email address {customer.email} is invalid since "
            f"{_day(customer.email_invalid_since)} (it bounced or the mail server refused "
            "it). It is not mailed again until the address is corrected."
        )
    return None


def can_be_emailed(customer: Customer) -> bool:
    return email_refusal(customer) is None


def _check(customer: Customer, subject: str, body: str) -> None:
    errors: dict[str, str] = {}
    if CONTROL_CHARACTERS.search(subject):
        errors["subject"] = (
            "The subject must be one line: no line breaks (CR or LF) or control characters."
        )
    elif not subject.strip():
        errors["subject"] = "Give the email a subject."
    if "\x00" in body:
        errors["body"] = "The text cannot contain NUL characters."
    elif not body.strip():
        errors["body"] = "Write the email's text."
    elif len(body) > MAX_BODY:
        errors["body"] = f"Keep the text under {MAX_BODY:,} characters."
    refusal = email_refusal(customer)
    if refusal:
        errors["customer"] = refusal
    elif CONTROL_CHARACTERS.search(customer.email):
        errors["to_address"] = (
            f"{customer}'s email address contains a line break or control character; "
            "correct it before mailing."
        )
    else:
        try:
            normalize_email(customer.email)
        except ValidationError:
            errors["to_address"] = (
                f"{customer}'s email address “{customer.email}” is not a valid address; "
                "correct it before mailing."
            )
    if errors:
        raise ValidationError(errors)


def _message_id() -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "patron.invalid"
    return make_msgid(domain=domain)


def email_send(*, customer: Customer, actor, subject: str, body: str, via: str = "page"):
    """Email a customer: record it, then send it to their address.

    From is DEFAULT_FROM_EMAIL and Reply-To the sender (`actor`), so replies reach them.
    Refused, with the reason on the field, for a subject with a line break (header
    injection), an empty subject or text, and a customer without a usable address (none,
    or marked invalid). Delivery starts once the record is committed; called outside a
    transaction, the email comes back already sent or failed.
    """
    from patron.mail.tasks import deliver_email

    with transaction.atomic():
        customer = Customer.objects.get(pk=customer.pk, workspace_id=customer.workspace_id)
        _check(customer, subject, body)
        email = SentEmail(
            workspace_id=customer.workspace_id,
            customer=customer,
            to_address=customer.email,
            subject=subject.strip(),
            body=body.replace("\r\n", "\n").replace("\r", "\n"),
            sender=actor if getattr(actor, "pk", None) else None,
            message_id=_message_id(),
            via=via,
        )
        email.full_clean()
        email.save()
        pk = email.pk
        transaction.on_commit(lambda: _enqueue(deliver_email, pk))
    email.refresh_from_db()
    return email


def _enqueue(task, pk: int) -> None:
    result = task.enqueue(pk)
    if result.status == TaskResultStatus.FAILED:  # run at once (ImmediateBackend) and broke
        logger.error("Delivering email %s failed: %s", pk, result.errors[-1].traceback)


def _display_address(name: str, address: str) -> str:
    """`Name <address>`, the name kept to printable characters on one line."""
    printable = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    try:
        return str(Address(display_name=" ".join(printable.split()), addr_spec=address))
    except (ValueError, IndexError):
        return address


def _message(email: SentEmail) -> EmailMessage:
    sender = email.sender
    reply_to = [_display_address(str(sender), sender.email)] if sender and sender.email else []
    return EmailMessage(
        subject=email.subject,
        body=email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[_display_address(email.customer.display_name, email.to_address)],
        reply_to=reply_to,
        headers={"Message-ID": email.message_id} if email.message_id else None,
    )


def _reply_text(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return f"{code} {text}".strip()


def email_deliver(*, sent_email_id: int) -> str:
    """Hand a queued email to the mail server and record its answer; returns the status.

    Each email is attempted once: a second run (a retried task) finds it claimed and
    leaves it. No database transaction is held while the mail server answers.
    """
    attempt = timezone.now()
    claimed = SentEmail.objects.filter(
        pk=sent_email_id, status=SentEmail.Status.QUEUED, last_attempt_at__isnull=True
    ).update(last_attempt_at=attempt, updated_at=attempt)
    email = SentEmail.objects.select_related("customer", "sender").filter(pk=sent_email_id).first()
    if email is None or not claimed:
        return email.status if email else "gone"
    address_refused = False
    try:
        _message(email).send(using=DEFAULT_MAILER_ALIAS)
    except smtplib.SMTPRecipientsRefused as refused:
        code, text = next(iter(refused.recipients.values()), (0, b""))
        error = f"The mail server refused {email.to_address}: {_reply_text(code, text)}"
        address_refused = code >= 500
    except smtplib.SMTPSenderRefused as refused:
        reply = _reply_text(refused.smtp_code, refused.smtp_error)
        error = f"The mail server refused the sender: {reply}"
    except smtplib.SMTPResponseException as refused:
        reply = _reply_text(refused.smtp_code, refused.smtp_error)
        error = f"The mail server refused the email: {reply}"
        raw = refused.smtp_error if isinstance(refused.smtp_error, bytes) else b""
        address_refused = refused.smtp_code >= 500 and bool(ADDRESS_STATUS.match(raw))
    except (smtplib.SMTPException, OSError, ValueError) as failure:
        error = f"Could not send: {failure or type(failure).__name__}"
    else:
        email.status, email.sent_at, email.error = SentEmail.Status.SENT, timezone.now(), ""
        email.save(update_fields=["status", "sent_at", "error", "updated_at"])
        return email.status
    with transaction.atomic():
        email.status, email.error = SentEmail.Status.FAILED, error
        email.save(update_fields=["status", "error", "updated_at"])
        if address_refused:
            _mark_invalid(
                workspace_id=email.workspace_id,
                address=email.to_address,
                since=attempt,
                actor=email.sender,
                via=email.via,
                reason=error,
            )
    return email.status


def _mark_invalid(*, workspace_id: int, address: str, since: datetime, actor, via, reason) -> int:
    """Mark every customer of the workspace with this address invalid; how many were."""
    marked = 0
    for customer in Customer.objects.filter(
        workspace_id=workspace_id, email=address, email_invalid_since__isnull=True
    ):
        # A queryset update, so an edit in progress is not overwritten; only if the
        # address is still the one that failed.
        if Customer.objects.filter(
            pk=customer.pk, email=address, email_invalid_since__isnull=True
        ).update(email_invalid_since=since, updated_at=timezone.now()):
            record_change(
                instance=customer,
                action=Change.Action.UPDATE,
                actor=actor,
                fields=[
                    {
                        "field": "email_invalid_since",
                        "label": "Email invalid since",
                        "old": "",
                        "new": date_format(timezone.localtime(since), "Y-m-d H:i"),
                    }
                ],
                via=via,
                reason=reason[:255],
            )
            marked += 1
    return marked


@dataclass(frozen=True)
class BounceResult:
    address: str
    customers_marked: int
    email: SentEmail | None  # the last email to the address, now bounced


@transaction.atomic
def bounce_record(
    *, workspace, address: str, bounced_at: datetime | None = None, actor, via: str = "api"
) -> BounceResult:
    """A report that mail to `address` bounced (manual 002's invalid email).

    Every customer of the workspace with that address is marked invalid since the bounce
    (a History entry each; one already marked keeps its date), and the last email sent to
    it becomes bounced. Other workspaces are untouched.
    """
    try:
        address = normalize_email(address or "")
    except ValidationError as error:
        raise ValidationError({"email": error.messages}) from error
    if not address:
        raise ValidationError({"email": "Give the address that bounced."})
    now = timezone.now()
    when = bounced_at or now
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if when > now + CLOCK_SKEW:
        raise ValidationError({"date": "The bounce date cannot be in the future."})
    marked = _mark_invalid(
        workspace_id=workspace.pk,
        address=address,
        since=when,
        actor=actor,
        via=via,
        reason="Bounce reported",
    )
    email = (
        SentEmail.objects.in_workspace(workspace)
        .filter(to_address=address, status__in=[SentEmail.Status.SENT, SentEmail.Status.BOUNCED])
        .order_by("-sent_at", "-pk")
        .first()
    )
    if email is not None and email.status == SentEmail.Status.SENT:
        email.status, email.bounced_at = SentEmail.Status.BOUNCED, when
        email.error = f"Reported as bounced on {_day(when)}."
        email.save(update_fields=["status", "bounced_at", "error", "updated_at"])
    return BounceResult(address=address, customers_marked=marked, email=email)
