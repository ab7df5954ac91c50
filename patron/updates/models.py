"""Bulk updates from CSV (manual 000 "Update Customers"): a file uploaded, previewed, applied."""

from datetime import timedelta

from django.db import models
from django.urls import reverse
from django.utils import timezone

from patron.core.models import WorkspaceScoped

# An apply queued this long ago and still not done lost its worker (it applies in one
# transaction, so nothing of it was written): it may be applied again.
APPLYING_STALE_AFTER = timedelta(minutes=30)


class BulkUpdate(WorkspaceScoped):
    """One uploaded file of suppressions, traits or fulfilments. It is kept from the upload
    to its preview and its application, so what is applied is exactly what was previewed."""

    class Kind(models.TextChoices):
        SUPPRESSIONS = "suppressions", "Suppressions"
        TRAITS = "traits", "Traits"
        FULFILMENTS = "fulfilments", "Fulfilments"

    class State(models.TextChoices):
        PREVIEWED = "previewed", "Previewed"
        APPLYING = "applying", "Applying"  # a background task applies it
        APPLIED = "applied", "Applied"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    file_name = models.CharField(max_length=255)
    content = models.TextField()  # the file decoded to text
    state = models.CharField(max_length=10, choices=State.choices, default=State.PREVIEWED)
    uploaded_by = models.ForeignKey(
        "workspaces.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    # Asked to apply it, with which choice: kept for the background task that applies it.
    applied_by = models.ForeignKey(
        "workspaces.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    skip_bad_rows = models.BooleanField(default=False)
    # Why the last apply in the background wrote nothing (bad rows since the preview...).
    error = models.TextField(blank=True)
    # What applying did: {"created": n, "already": n, "skipped": n, "customers": n,
    # "errors": [{"row", "column", "value", "reason"}, ...] (the skipped rows), "applied_by"}.
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.file_name}"

    def get_absolute_url(self) -> str:
        return reverse("updates:detail", args=[self.pk])

    @property
    def is_applying(self) -> bool:
        """A background task is applying it (and has not gone silent)."""
        return self.state == self.State.APPLYING and not self.is_stale

    @property
    def is_stale(self) -> bool:
        return (
            self.state == self.State.APPLYING
            and self.updated_at < timezone.now() - APPLYING_STALE_AFTER
        )
