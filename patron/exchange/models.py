"""A customer import's record: what was imported, how, and what came of it (issue 5)."""

from django.db import models

from patron.core.models import WorkspaceScoped


class ImportJob(WorkspaceScoped):
    """One run of `importing.import_run`. Its counts move on with each committed batch, so
    a page can show progress; the finished job keeps the report and the failed rows."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    file_name = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    created_by = models.ForeignKey(
        "workspaces.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    options = models.JSONField(default=dict, blank=True)  # importing.Options as a dict
    mapping = models.JSONField(default=dict, blank=True)  # {"column header": "field"}
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"row", "column", "reason"}]
    failed_rows_csv = models.TextField(blank=True)  # original columns + Reason
    message = models.CharField(max_length=500, blank=True)  # why a failed job stopped
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Import {self.pk} of {self.file_name}"
