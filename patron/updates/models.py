"""Bulk updates from CSV (manual 000 "Update Customers"): a file uploaded, previewed, applied."""

from datetime import timedelta

from django.db import models
from django.urls import reverse
from django.utils import timezone

from patron.core.models import WorkspaceScoped

# An apply queued this long ago and still not done lost its worker (it applies in one
# transaction, so nothing of it was written): it may be applied again. A background preview
# silent this long lost its worker too (100,000 rows take it about 5 s of CPU in all).
APPLYING_STALE_AFTER = timedelta(minutes=30)


class BulkUpdate(WorkspaceScoped):
    """One uploaded file of suppressions, traits or fulfilments. It is kept from the upload
    to its preview and its application, so what is applied is exactly what was previewed."""

    class Kind(models.TextChoices):
        SUPPRESSIONS = "suppressions", "Suppressions"
        TRAITS = "traits", "Traits"
        FULFILMENTS = "fulfilments", "Fulfilments"

    class State(models.TextChoices):
        PREVIEWING = "previewing", "Previewing"  # a background task previews it
        FAILED = "failed", "Preview failed"  # why in `error`; it can only be discarded
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
    # Why the last apply in the background wrote nothing (bad rows since the preview...),
    # or why its background preview failed.
    error = models.TextField(blank=True)
    # The preview, evaluated once (at the upload, by a background task for a large file,
    # again when an apply is refused for bad rows) and read by every view of it: {"counts":
    # {"rows", "changes", "unchanged", "errors"}, "lines": {status: how many}, "delimiter",
    # "has_header", "ignored_columns"}; the lines themselves (the bad rows' problems too)
    # are PreviewChunks.
    preview = models.JSONField(default=dict, blank=True)
    previewed_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)  # the file's rows
    rows_previewed = models.PositiveIntegerField(default=0)  # a background preview's progress
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
    def is_previewing(self) -> bool:
        """A background task is previewing it (and has not gone silent)."""
        return self.state == self.State.PREVIEWING and not self.is_stale

    @property
    def is_stale(self) -> bool:
        return (
            self.state in (self.State.APPLYING, self.State.PREVIEWING)
            and self.updated_at < timezone.now() - APPLYING_STALE_AFTER
        )


class PreviewChunk(models.Model):
    """Consecutive lines of a file's kept preview, of one status: what rows change, rows
    already so, or the bad rows' problems (a bad row has a line per problem). Kept in
    chunks of LINES lines, so a page of a preview of 100,000 rows reads one or two chunks
    and keeping them is a few inserts, not one per row."""

    LINES = 500

    class Status(models.TextChoices):
        CHANGE = "change", "Change"
        UNCHANGED = "unchanged", "Already so"
        ERROR = "error", "Error"

    # Indexed by the constraint below, which leads with it.
    bulk_update = models.ForeignKey(
        BulkUpdate, on_delete=models.CASCADE, related_name="chunks", db_index=False
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    number = models.PositiveIntegerField()  # 0 for the first LINES lines of the status
    # [{"row", "text"}] for changes and rows already so (what applying does, or why
    # nothing); [{"row", "column", "value", "reason"}] for problems, in the file's order.
    lines = models.JSONField(default=list)

    class Meta:
        ordering = ["bulk_update", "status", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["bulk_update", "status", "number"], name="updates_one_chunk_per_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} lines {self.number * self.LINES + 1}-"
