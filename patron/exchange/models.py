"""A customer import's record: what was imported, how, and what came of it (issue 5)."""

from django.db import models
from django.db.models.functions import Lower

from patron.core.models import WorkspaceScoped


def import_file_name(job: "ImportJob", file_name: str) -> str:
    # The file is kept under its job's workspace, out of any URL the site serves, so a
    # queued job can run from it and a killed one resume.
    return f"imports/{job.workspace_id}/{file_name}"


class ImportJob(WorkspaceScoped):
    """One run of `importing.import_run`. Its counts move on with each committed batch, so
    a page can show progress; the finished job keeps the report and the failed rows."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    file_name = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    created_by = models.ForeignKey(
        "workspaces.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(upload_to=import_file_name, max_length=255, blank=True)
    reading = models.JSONField(default=dict, blank=True)  # how to read it: encoding, delimiter
    options = models.JSONField(default=dict, blank=True)  # importing.Options as a dict
    # The list an "Import Customer List" fills; its rules decide who joins.
    customer_list = models.ForeignKey(
        "lists.CustomerList", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mapping = models.JSONField(default=dict, blank=True)  # {"column header": "field"}
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    joined_list = models.PositiveIntegerField(default=0)
    refused_by_list = models.PositiveIntegerField(default=0)
    # The data row (counting from 1 after the header) the run goes on from: committed in
    # the same transaction as each batch, so a killed run resumes exactly where it stopped.
    next_row = models.PositiveIntegerField(default=1)
    errors = models.JSONField(default=list, blank=True)  # [{"row", "column", "reason"}]
    failed_rows_csv = models.TextField(blank=True)  # original columns + Reason
    message = models.CharField(max_length=500, blank=True)  # why a failed job stopped
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Import {self.pk} of {self.file_name}"


class ImportMapping(WorkspaceScoped):
    """A column mapping saved by name to reuse with the next file from the same source."""

    name = models.CharField(max_length=100)
    mapping = models.JSONField(default=dict)  # {"column header": "field"}
    created_by = models.ForeignKey(
        "workspaces.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "workspace",
                Lower("name"),
                name="unique_import_mapping_name",
                violation_error_message="A saved mapping with this name already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.name
