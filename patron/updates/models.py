"""Bulk updates from CSV (manual 000 "Update Customers"): a file uploaded, previewed, applied."""

from django.db import models

from patron.core.models import WorkspaceScoped


class BulkUpdate(WorkspaceScoped):
    """One uploaded file of suppressions, traits or fulfilments. It is kept from the upload
    to its preview and its application, so what is applied is exactly what was previewed."""

    class Kind(models.TextChoices):
        SUPPRESSIONS = "suppressions", "Suppressions"
        TRAITS = "traits", "Traits"
        FULFILMENTS = "fulfilments", "Fulfilments"

    class State(models.TextChoices):
        PREVIEWED = "previewed", "Previewed"
        APPLIED = "applied", "Applied"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    file_name = models.CharField(max_length=255)
    content = models.TextField()  # the file decoded to text
    state = models.CharField(max_length=10, choices=State.choices, default=State.PREVIEWED)
    uploaded_by = models.ForeignKey(
        "workspaces.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    # What applying did: {"created": n, "already": n, "skipped": n, "customers": n,
    # "errors": [{"row", "column", "value", "reason"}, ...] (the skipped rows), "applied_by"}.
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.file_name}"
