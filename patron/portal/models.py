"""The customer portal (manuals 001 and 003): a contact's access to /portal/, the links
that reset its password, and the failed logins that slow down guessing.

Only hashes are stored: the password through Django's hashers, the reset token as a
SHA-256 digest. A contact logs in with its customer record's email address.
"""

import hashlib

from django.contrib.auth.hashers import check_password, is_password_usable
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from patron.core.models import WorkspaceScoped


class PortalAccess(WorkspaceScoped):
    """A contact (a customer of kind person) who may log in to the portal.

    `password` holds a hash, or "" while the contact has none yet ("Set empty passwords"
    gives it one). An organization manager also sees and cancels the requests of the other
    contacts of its organization (manual 001).
    """

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="portal_access"
    )
    enabled = models.BooleanField("portal access", default=True)
    password = models.CharField(max_length=128, blank=True, editable=False)
    is_organization_manager = models.BooleanField(
        "organization manager",
        default=False,
        help_text="Also sees and cancels the requests of the organization's other contacts.",
    )
    password_set_at = models.DateTimeField("password set", null=True, blank=True, editable=False)
    last_login_at = models.DateTimeField("last login", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "portal access"
        verbose_name_plural = "portal access"
        indexes = [models.Index(fields=["workspace", "enabled"], name="portal_access_enabled_idx")]

    def __str__(self) -> str:
        return f"Portal access of {self.customer}"

    @property
    def has_password(self) -> bool:
        return bool(self.password) and is_password_usable(self.password)

    def check_password(self, raw_password: str) -> bool:
        return self.has_password and check_password(raw_password, self.password)

    def history_value(self, field_name: str) -> str | None:
        if field_name == "password_set_at":
            value = self.password_set_at
            return timezone.localtime(value).strftime("%d %b %Y %H:%M") if value else ""
        return None

    def clean(self) -> None:
        if not self.customer_id:
            return
        customer = self.customer
        if customer.workspace_id != self.workspace_id:
            raise ValidationError({"customer": "Choose a customer of this workspace."})
        if customer.is_organization:
            raise ValidationError(
                {"customer": "An organization cannot log in: give its contacts access."}
            )


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class PortalResetToken(WorkspaceScoped):
    """An emailed link that sets a new password once, before `expires_at`."""

    access = models.ForeignKey(PortalAccess, on_delete=models.CASCADE, related_name="tokens")
    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Reset link for {self.access.customer}"

    @property
    def usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()


class PortalLoginFailure(models.Model):
    """A refused portal login, counted per email and address and per address to slow down
    password guessing. Old rows are deleted as new ones come."""

    email = models.CharField(max_length=254)
    ip = models.CharField(max_length=45)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["ip", "created_at"], name="portal_failure_ip_idx"),
            models.Index(fields=["email", "ip", "created_at"], name="portal_failure_email_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.email} from {self.ip}"
