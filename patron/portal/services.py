"""Portal access: grant, revoke, the organization-manager right, passwords (generated and
emailed, set by staff, changed by the contact, reset by an emailed link) and "Set empty
passwords" (manual 003). Each change is recorded in the access's History.

A generated password is emailed as the transaction commits, straight to the mail server:
never through SentEmail or the task queue, which keep a message's text in the database.
If that email fails, the password is cleared again (the customer never got it), so "Set
empty passwords" or "Set a new password" sends another one.

`actor` is the staff user, or None for the contact itself in the portal (via="portal").
"""

import logging
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import DEFAULT_MAILER_ALIAS, EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string

from patron.cases import services as case_services
from patron.cases.models import Case
from patron.customers.models import Customer
from patron.history.models import Change
from patron.history.services import differences, record_change, snapshot
from patron.mail.services import email_refusal
from patron.portal.models import PortalAccess, PortalResetToken, token_digest

logger = logging.getLogger(__name__)

# No look-alike characters (0/O, 1/l/I): the password is read from an email and typed.
PASSWORD_CHARS = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 14
RESET_LINK_LIFETIME = timedelta(hours=2)
# Reset links a contact may have waiting at once; more requests send nothing (no flood).
MAX_OPEN_RESET_LINKS = 3
AUDITED = ["enabled", "is_organization_manager", "password_set_at"]


def generate_password() -> str:
    """A random password from a cryptographic generator (Django's get_random_string)."""
    return get_random_string(PASSWORD_LENGTH, PASSWORD_CHARS)


def _site_url(site_url: str | None) -> str:
    return (site_url or settings.PATRON_SITE_URL).rstrip("/")


def _change(access: PortalAccess, before, *, action, actor, via: str, reason: str) -> None:
    record_change(
        instance=access,
        action=action,
        actor=actor,
        fields=differences(before, snapshot(access, AUDITED)),
        via=via,
        reason=reason,
    )


def _locked(access: PortalAccess) -> PortalAccess:
    return PortalAccess.objects.select_for_update().select_related("customer").get(pk=access.pk)


def _mail(customer: Customer, subject: str, body: str) -> None:
    EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[customer.email],
    ).send(using=DEFAULT_MAILER_ALIAS)


def _password_email(access: PortalAccess, password: str, site_url: str) -> tuple[str, str]:
    workspace = access.customer.workspace
    login = f"{site_url}{reverse('portal:login')}"
    return (
        f"Your password for the {workspace} customer portal",
        f"Hello {access.customer.display_name},\n\n"
        f"You can log in to the {workspace} customer portal to raise service requests "
        "and see your quotes.\n\n"
        f"Address: {login}\nEmail: {access.customer.email}\nPassword: {password}\n\n"
        "Change the password once you are in (Change password). If you forget it, "
        '"Forgotten your password?" on the login page emails you a link to set a new one.\n',
    )


def _email_password_on_commit(access: PortalAccess, password: str, site_url: str) -> None:
    """Email the password once the transaction commits; on failure clear it again."""
    password_hash = access.password
    subject, body = _password_email(access, password, site_url)

    def send() -> None:
        try:
            _mail(access.customer, subject, body)
        except Exception as error:  # any failure of the mail server
            logger.warning("Emailing the portal password of access %s failed", access.pk)
            _password_email_failed(access.pk, password_hash, str(error) or type(error).__name__)

    transaction.on_commit(send)


@transaction.atomic
def _password_email_failed(access_pk: int, password_hash: str, error: str) -> None:
    access = PortalAccess.objects.select_for_update().filter(pk=access_pk).first()
    if access is None or access.password != password_hash:
        return  # changed since: the new password stands
    before = snapshot(access, AUDITED)
    access.password = ""
    access.password_set_at = None
    access.save(update_fields=["password", "password_set_at", "updated_at"])
    _change(
        access,
        before,
        action=Change.Action.UPDATE,
        actor=None,
        via="mail",
        reason=f"The password email failed ({error[:120]}); the password was cleared.",
    )


def _set_generated_password(access: PortalAccess, site_url: str | None) -> None:
    password = generate_password()
    access.password = make_password(password)
    access.password_set_at = timezone.now()
    _email_password_on_commit(access, password, _site_url(site_url))


def _new_password(
    access: PortalAccess,
    password: str | None,
    *,
    actor,
    via: str,
    reason: str,
    site_url: str | None = None,
) -> PortalAccess:
    """Keep the hash of `password` (None: of a generated one, emailed on commit) and
    record the change. The caller has locked the row and checked the password."""
    before = snapshot(access, AUDITED)
    if password is None:
        _set_generated_password(access, site_url)
    else:
        access.password = make_password(password)
        access.password_set_at = timezone.now()
    access.save()
    _change(access, before, action=Change.Action.UPDATE, actor=actor, via=via, reason=reason)
    return access


def grant_refusal(customer: Customer) -> str | None:
    """Why `customer` cannot be given portal access (and a password by email) now."""
    if customer.is_deleted:
        return f"{customer} is in the recycle bin."
    if customer.is_organization:
        return "An organization cannot log in to the portal: give its contacts access."
    if not customer.email:
        return f"{customer} has no email address: add one first (it is their portal login)."
    refusal = email_refusal(customer)
    if refusal:
        return refusal
    twin = (
        PortalAccess.objects.filter(
            workspace_id=customer.workspace_id, enabled=True, customer__email=customer.email
        )
        .exclude(customer=customer)
        .select_related("customer")
        .first()
    )
    if twin:
        return (
            f"{twin.customer} (customer no. {twin.customer.number}) already logs in to the "
            f"portal as {customer.email}: one address, one login."
        )
    return None


@transaction.atomic
def portal_access_grant(
    *, customer: Customer, actor, via: str = "page", site_url: str | None = None
) -> PortalAccess:
    """Give a contact portal access with a generated password, emailed to it (only the
    password's hash is kept). Granting again to a revoked contact enables it afresh."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    refusal = grant_refusal(customer)
    if refusal:
        raise ValidationError({"customer": refusal})
    access = PortalAccess.objects.filter(customer=customer).first()
    if access and access.enabled:
        raise ValidationError(
            {
                "customer": f"{customer} already has portal access: set a new password to "
                "send another."
            }
        )
    created = access is None
    if created:
        access = PortalAccess(workspace_id=customer.workspace_id, customer=customer)
        before = {}
    else:
        access = _locked(access)
        before = snapshot(access, AUDITED)
    access.enabled = True
    _set_generated_password(access, site_url)
    access.full_clean()
    access.save()
    _change(
        access,
        before,
        action=Change.Action.CREATE if created else Change.Action.UPDATE,
        actor=actor,
        via=via,
        reason=f"Portal access granted; a generated password was emailed to {customer.email}.",
    )
    return access


def portal_access_for_new_customer(*, customer: Customer, actor, via: str) -> None:
    """customer_create calls this: a workspace may give every new person with an email
    portal access at once ("grant portal access to every new customer with an email")."""
    if not customer.workspace.portal_access_for_new_customers:
        return
    if customer.is_organization or grant_refusal(customer):
        return
    portal_access_grant(customer=customer, actor=actor, via=via)


def portal_access_for_import(*, job, actor) -> None:
    """The same for the customers an import created, once its batches are in (one grant
    and one email each). The import runs this before it calls itself done, and those
    already given access are passed over, so a resumed import goes on where a stopped one
    left off."""
    from patron.exchange.jobs import imported_customers

    if not job.workspace.portal_access_for_new_customers:
        return
    created = imported_customers(job, created_only=True).filter(portal_access__isnull=True)
    for customer in created.select_related("workspace").order_by("pk").iterator():
        with transaction.atomic():
            portal_access_for_new_customer(customer=customer, actor=actor, via="import")


@transaction.atomic
def portal_access_revoke(*, access: PortalAccess, actor, via: str = "page") -> PortalAccess:
    """Take portal access away: the password and any reset links go, and an open portal
    session ends with its next request."""
    access = _locked(access)
    if not access.enabled:
        return access
    before = snapshot(access, AUDITED)
    access.enabled = False
    access.password = ""
    access.password_set_at = None
    access.save()
    access.tokens.filter(used_at__isnull=True).update(used_at=timezone.now())
    _change(
        access,
        before,
        action=Change.Action.UPDATE,
        actor=actor,
        via=via,
        reason="Portal access revoked.",
    )
    return access


@transaction.atomic
def portal_access_set_manager(
    *, access: PortalAccess, is_organization_manager: bool, actor, via: str = "page"
) -> PortalAccess:
    """Give or take the right to see and cancel the requests of the organization's other
    contacts (manual 001)."""
    access = _locked(access)
    if is_organization_manager and not access.customer.organization_id:
        raise ValidationError(
            {
                "is_organization_manager": f"{access.customer} is not a contact of an "
                "organization: link it to one first."
            }
        )
    before = snapshot(access, AUDITED)
    access.is_organization_manager = is_organization_manager
    access.save()
    _change(access, before, action=Change.Action.UPDATE, actor=actor, via=via, reason="")
    return access


def _check_new_password(password: str, customer: Customer, field_name: str) -> None:
    """Django's AUTH_PASSWORD_VALIDATORS; the customer's names and email count as the
    user's attributes (a password like the email is refused)."""
    try:
        validate_password(password, user=customer)
    except ValidationError as error:
        raise ValidationError({field_name: error.messages}) from error


@transaction.atomic
def portal_password_set(
    *,
    access: PortalAccess,
    actor,
    password: str = "",
    via: str = "page",
    site_url: str | None = None,
) -> PortalAccess:
    """Staff set a new password on the record: the one typed (checked by the password
    validators; staff tell it to the customer), or, left blank, a generated one emailed."""
    access = _locked(access)
    if not access.enabled:
        raise ValidationError({"password": "Portal access is revoked: grant it again instead."})
    if password:
        _check_new_password(password, access.customer, "password")
        reason = "A new password was set by staff."
    else:
        refusal = email_refusal(access.customer)
        if refusal:
            raise ValidationError({"password": refusal})
        reason = f"A generated password was emailed to {access.customer.email}."
    return _new_password(
        access, password or None, actor=actor, via=via, reason=reason, site_url=site_url
    )


@transaction.atomic
def portal_password_change(
    *, access: PortalAccess, old_password: str, new_password: str
) -> PortalAccess:
    """The contact changes its own password in the portal."""
    access = _locked(access)
    if not access.check_password(old_password):
        raise ValidationError({"old_password": "Your current password is not right."})
    _check_new_password(new_password, access.customer, "new_password")
    return _new_password(
        access,
        new_password,
        actor=None,
        via="portal",
        reason=f"{access.customer} changed the password in the portal.",
    )


def portal_reset_request(*, email: str, site_url: str | None = None) -> None:
    """Email a single-use link, valid RESET_LINK_LIFETIME, to the contact(s) logging in as
    `email`. Says nothing back: the answer is the same whether or not the address has
    access, so the page cannot be used to find out who does."""
    email = email.strip().lower()
    if not email:
        return
    now = timezone.now()
    accesses = PortalAccess.objects.filter(
        enabled=True, customer__email=email, customer__deleted_at__isnull=True
    ).select_related("customer", "customer__workspace")
    for access in accesses:
        if email_refusal(access.customer):
            continue
        with transaction.atomic():
            access = _locked(access)
            if access.tokens.filter(used_at__isnull=True, expires_at__gt=now).count() >= (
                MAX_OPEN_RESET_LINKS
            ):
                continue
            token = secrets.token_urlsafe(32)
            PortalResetToken.objects.create(
                workspace_id=access.workspace_id,
                access=access,
                digest=token_digest(token),
                expires_at=now + RESET_LINK_LIFETIME,
            )
            record_change(
                instance=access,
                action=Change.Action.UPDATE,
                actor=None,
                via="portal",
                reason="A password reset link was asked for and emailed.",
            )
            link = f"{_site_url(site_url)}{reverse('portal:reset', args=[token])}"
            hours = int(RESET_LINK_LIFETIME.total_seconds() // 3600)
            subject = f"Set a new password for the {access.customer.workspace} customer portal"
            body = (
                f"Hello {access.customer.display_name},\n\n"
                f"Open this link within {hours} hours to set a new password:\n{link}\n\n"
                "It works once. If you did not ask for it, ignore this email: your "
                "password stays as it is.\n"
            )
            customer = access.customer
            transaction.on_commit(lambda c=customer, s=subject, b=body: _mail_quietly(c, s, b))


def _mail_quietly(customer: Customer, subject: str, body: str) -> None:
    try:
        _mail(customer, subject, body)
    except Exception:  # the page answers the same either way
        logger.warning("Emailing a portal reset link to customer %s failed", customer.pk)


def reset_token_access(token: str) -> PortalAccess | None:
    """The access a reset link is for, while it is usable; None otherwise."""
    found = (
        PortalResetToken.objects.filter(digest=token_digest(token), access__enabled=True)
        .select_related("access__customer")
        .first()
    )
    return found.access if found and found.usable else None


@transaction.atomic
def portal_password_reset(*, token: str, new_password: str) -> PortalAccess:
    """Set a new password through an emailed link; the link (and any other open one of
    the same contact) then stops working."""
    found = (
        PortalResetToken.objects.select_for_update()
        .filter(digest=token_digest(token), access__enabled=True)
        .first()
    )
    if found is None or not found.usable:
        raise ValidationError(
            "This link has expired or was already used: ask for a new one on the login page."
        )
    access = _locked(found.access)
    _check_new_password(new_password, access.customer, "new_password")
    access.tokens.filter(used_at__isnull=True).update(used_at=timezone.now())
    return _new_password(
        access,
        new_password,
        actor=None,
        via="portal",
        reason=f"{access.customer} set a new password through an emailed link.",
    )


@dataclass
class EmptyPasswordsResult:
    given: int = 0
    skipped: list[str] = field(default_factory=list)  # "Name: why", for those left empty


@transaction.atomic
def portal_set_empty_passwords(
    *, workspace, actor, via: str = "page", site_url: str | None = None
) -> EmptyPasswordsResult:
    """Manual 003's maintenance action: every contact with portal access but no password
    gets a generated one, emailed to it. Those that cannot be emailed are reported."""
    result = EmptyPasswordsResult()
    empty = (
        PortalAccess.objects.in_workspace(workspace)
        .select_for_update()
        .filter(enabled=True, password="", customer__deleted_at__isnull=True)
        .select_related("customer", "customer__workspace")
        .order_by("pk")
    )
    for access in empty:
        refusal = email_refusal(access.customer)
        if refusal:
            result.skipped.append(f"{access.customer}: {refusal}")
            continue
        _new_password(
            access,
            None,
            actor=actor,
            via=via,
            reason=f"Set empty passwords: a generated password was emailed to "
            f"{access.customer.email}.",
            site_url=site_url,
        )
        result.given += 1
    return result


@transaction.atomic
def portal_settings_update(
    *, workspace, portal_access_for_new_customers: bool, actor, via: str = "page"
) -> None:
    """The workspace's portal setting, recorded in the workspace's History."""
    workspace = type(workspace).objects.select_for_update().get(pk=workspace.pk)
    old = workspace.portal_access_for_new_customers
    if old == portal_access_for_new_customers:
        return
    workspace.portal_access_for_new_customers = portal_access_for_new_customers
    workspace.save(update_fields=["portal_access_for_new_customers"])
    label = "Grant portal access to every new customer with an email"
    Change.objects.create(
        workspace=workspace,
        content_type=ContentType.objects.get_for_model(workspace),
        object_id=workspace.pk,
        action=Change.Action.UPDATE,
        fields=[
            {
                "field": "portal_access_for_new_customers",
                "label": label,
                "old": "Yes" if old else "No",
                "new": "Yes" if portal_access_for_new_customers else "No",
            }
        ],
        actor=actor if getattr(actor, "pk", None) else None,
        via=via,
    )


# Logging in --------------------------------------------------------------------------------


def portal_login_recorded(*, access: PortalAccess) -> None:
    PortalAccess.objects.filter(pk=access.pk).update(last_login_at=timezone.now())


# Requests (cases) raised in the portal -----------------------------------------------------


@transaction.atomic
def portal_request_raise(*, access: PortalAccess, subject: str, description: str) -> Case:
    """The contact raises a service request: a case with the contact as its customer."""
    case = case_services.case_create(
        customer=access.customer,
        actor=None,
        data={"subject": subject, "description": description},
        via="portal",
    )
    record_change(
        instance=case,
        action=Change.Action.UPDATE,
        actor=None,
        via="portal",
        reason=f"Raised by {access.customer} in the customer portal.",
    )
    return case


@transaction.atomic
def portal_request_cancel(*, access: PortalAccess, case: Case) -> Case:
    """Cancel an open request (the caller found it among those the contact may see): it is
    closed, and History says who cancelled it in the portal."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.is_done:
        raise ValidationError(
            f"Request {case.number} is already {case.get_status_display().lower()}."
        )
    case = case_services.case_update(
        case=case, actor=None, data={"status": Case.Status.CLOSED}, via="portal"
    )
    record_change(
        instance=case,
        action=Change.Action.UPDATE,
        actor=None,
        via="portal",
        reason=f"Cancelled by {access.customer} in the customer portal.",
    )
    return case
