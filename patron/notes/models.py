"""Notes on a customer, each with an optional scheduled call-back (manuals 000, 001, 002)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from patron.core.models import WorkspaceQuerySet, WorkspaceScoped
from patron.workspaces.models import Membership


class NoteQuerySet(WorkspaceQuerySet):
    def in_entry_order(self) -> "NoteQuerySet":
        """Oldest first: the most recent note is at the bottom (manual 002)."""
        return self.order_by("created_at", "pk")

    def open_callbacks(self) -> "NoteQuerySet":
        """Call-backs still to make, for customers outside the recycle bin, due first."""
        return self.filter(
            callback_at__isnull=False, callback_done=False, customer__deleted_at__isnull=True
        ).order_by("callback_at", "pk")


class Note(WorkspaceScoped):
    """Background information about a customer, written by a user.

    A note may schedule a call-back: someone (`callback_for`, the author by default) is to
    call the customer back at `callback_at`, and marks it done once they have. The body is
    free text kept exactly as written; pages always show it escaped.
    """

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="notes"
    )
    subject = models.CharField("short description", max_length=200)
    body = models.TextField("note", blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    callback_at = models.DateTimeField(
        "call back at", null=True, blank=True, help_text="Leave empty for no call-back."
    )
    callback_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="callbacks",
        verbose_name="call back by",
        help_text="Who makes the call; the note's author by default.",
    )
    callback_done = models.BooleanField("call-back done", default=False)
    done_at = models.DateTimeField("done at", null=True, blank=True, editable=False)

    objects = NoteQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["workspace", "customer", "created_at"], name="note_customer_idx"),
            models.Index(
                fields=["workspace", "callback_for", "callback_done", "callback_at"],
                name="note_callback_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("notes:detail", args=[self.pk])

    @property
    def has_callback(self) -> bool:
        return self.callback_at is not None

    @property
    def is_overdue(self) -> bool:
        return self.has_callback and not self.callback_done and self.callback_at < timezone.now()

    def history_value(self, field_name: str) -> str | None:
        """Call-back times read in History in the site's time zone, as on the page."""
        if field_name == "callback_at" and self.callback_at:
            return timezone.localtime(self.callback_at).strftime("%d %b %Y %H:%M")
        if field_name == "callback_done" and not self.has_callback:
            return ""  # no call-back: "done: No" would only be noise
        return None

    def clean(self) -> None:
        """The rules that span fields or rows; runs on every path through full_clean()."""
        errors: dict[str, str] = {}
        if self.customer_id and self.customer.workspace_id != self.workspace_id:
            errors["customer"] = "Choose a customer of this workspace."
        if (
            self.callback_for_id
            and not Membership.objects.filter(
                workspace_id=self.workspace_id, user_id=self.callback_for_id
            ).exists()
        ):
            errors["callback_for"] = "Choose a member of this workspace."
        if self.callback_done and self.callback_at is None:
            errors["callback_done"] = "There is no call-back to mark done: set its time first."
        if errors:
            raise ValidationError(errors)


class CalendarFeed(models.Model):
    """A member's private iCalendar address for their call-backs in one workspace.

    Calendar apps cannot log in, so the address itself is the secret. Only the token's
    SHA-256 is stored (as for API tokens): the address is shown once, and resetting it
    issues a new one, after which the old one answers 404.
    """

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    issued_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"Call-back calendar of {self.membership}"
