"""A customer import's record: what was imported, how, and what came of it (issue 5)."""

import csv
import io
from collections.abc import Iterator

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

    class Via(models.TextChoices):
        PAGE = "page", "Import wizard"
        API = "api", "API"

    file_name = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    created_by = models.ForeignKey(
        "workspaces.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(upload_to=import_file_name, max_length=255, blank=True)
    # What made the draft, so what holds its options and list until it starts: the
    # wizard's session, or the check of the API's imports/check/. Blank for a job the
    # command line made (never a draft).
    via = models.CharField(max_length=20, choices=Via.choices, blank=True)
    reading = models.JSONField(default=dict, blank=True)  # how to read it: encoding, delimiter
    # The file's header row, kept from the upload on: a draft's mapping is shown without
    # reading its file again.
    headers = models.JSONField(default=list, blank=True)
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
    # Rows per transaction: a resumed run cuts the rest of the file as the first run did.
    batch_size = models.PositiveIntegerField(default=1000)
    errors = models.JSONField(default=list, blank=True)  # [{"row", "column", "reason"}]
    message = models.CharField(max_length=500, blank=True)  # why a failed job stopped
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Import {self.pk} of {self.file_name}"

    def failed_rows_csv_chunks(self) -> Iterator[str]:
        """The refused rows as they were in the file, plus a Reason column, as CSV text in
        chunks (for a StreamingHttpResponse): read from the database a slice at a time, so
        a file with many bad rows never sits in memory."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([*self.headers, "Reason"])
        yield "\ufeff" + _take(out)
        failures = self.failures.filter(kind=ImportFailure.Kind.ROW).order_by("row")
        for number, failure in enumerate(failures.iterator(chunk_size=2000), start=1):
            writer.writerow(failed_row(self.headers, failure.cells, failure.reason))
            if number % 500 == 0:
                yield _take(out)
        yield _take(out)


def failed_row(headers: list[str], cells: list[str], reason: str) -> list[str]:
    """A refused row for the failed-rows CSV: its cells under their headers, the reason in
    the Reason column, and any cells beyond the last column after it, so none is lost."""
    width = len(headers)
    return [*cells[:width], *[""] * (width - len(cells)), reason, *cells[width:]]


def _take(out: io.StringIO) -> str:
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text


class ImportFailure(models.Model):
    """A row an import refused (kind "row": not imported; its cells and reasons), or a
    customer it imported whom the job's list refused (kind "list"). Written in the same
    transaction as the row's batch, so a resumed import reports each exactly once."""

    class Kind(models.TextChoices):
        ROW = "row", "Row refused"
        LIST = "list", "Refused by the list"

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="failures")
    kind = models.CharField(max_length=4, choices=Kind.choices, default=Kind.ROW)
    row = models.PositiveIntegerField()  # as a spreadsheet numbers it: the header is row 1
    cells = models.JSONField(default=list, blank=True)  # the row as read (kind "row")
    errors = models.JSONField(default=list, blank=True)  # [{"column", "reason"}]
    reason = models.TextField()  # the errors in one sentence: the failed-rows CSV's Reason

    class Meta:
        ordering = ["job", "row"]
        indexes = [models.Index(fields=["job", "kind", "row"])]

    def __str__(self) -> str:
        return f"Row {self.row}: {self.reason}"


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


class ImportCheck(models.Model):
    """A dry run of a draft job's whole file, in the background ("Check all rows" on the
    wizard's steps 4 and 5, the API's `check`): what the import would do with every row,
    and which rows to create look like existing customers, nothing written. It holds for
    the mapping, options and reading it was made with, and no other."""

    Status = ImportJob.Status  # queued, running, done or failed, as an import

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="checks")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    fields = models.JSONField(default=list, blank=True)  # each column's field, "" ignored
    options = models.JSONField(default=dict, blank=True)  # importing.Options as a dict
    reading = models.JSONField(default=dict, blank=True)  # the job's encoding, delimiter
    rows = models.PositiveIntegerField(default=0)  # rows checked so far
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # The first problems ([{"row", "column", "reason"}]); `failed` counts every bad row.
    problems = models.JSONField(default=list, blank=True)
    # Rows to create that look like existing customers (warnings), and the first of them
    # as `likely.LikelyDuplicate`s: [{"row", "name", "customer", "customer_number", ...}].
    likely_duplicates = models.PositiveIntegerField(default=0)
    duplicates = models.JSONField(default=list, blank=True)
    message = models.CharField(max_length=500, blank=True)  # why a failed check stopped
    created_at = models.DateTimeField(auto_now_add=True)
    # When the running check last saved its progress: long silence means its worker died.
    progressed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"Check of import {self.job_id}"
