"""An import job's life around `importing.import_run`: the upload kept in the job, the
start that queues the background task, a resume, and the reads its pages need.

The wizard's pages and the API share these; `importing` stays the one writer of customers.
A job whose `options` are still empty is a draft: its file is uploaded but the wizard has
not started it (a started job always records its options).
"""

from datetime import timedelta
from itertools import islice
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from patron.customers.models import Customer
from patron.exchange import importing
from patron.exchange.mapping import FIELDS, auto_mapping, resolve
from patron.exchange.models import ImportJob, ImportMapping
from patron.exchange.reading import Table, open_table
from patron.history.models import Change
from patron.history.services import create_with_history, record_change, update_with_history
from patron.updates.parsing import header_word

# Big enough for a million-row CSV of twenty columns; a bigger file is split.
MAX_UPLOAD_BYTES = 500 * 1024 * 1024
EXTENSIONS = {".csv", ".txt", ".tsv", ".xlsx", ".vcf", ".vcard"}
# A page checks at most this many rows in its own request (steps 4 and 5), so it answers
# within a second or two whatever the file's size (2,000 rows: 1.2 s on a busy 2-core
# machine); the import, a background task, checks every row and reports every bad one.
PREVIEW_ROWS = 2000
# A draft (uploaded, never started) left this long is deleted by `patron purge_deleted`.
DRAFTS_KEPT_DAYS = 7


def check_upload(name: str, size: int) -> None:
    """Refuse a file by its name and size, before anything is stored."""
    suffix = Path(name).suffix.lower()
    if suffix not in EXTENSIONS:
        raise ValidationError(
            f"“{name}” is not a file the import reads: choose a CSV (.csv), an Excel "
            "workbook (.xlsx) or a vCard file (.vcf).",
            code="file_type",
        )
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            f"The file is {size / 1_048_576:,.0f} MB; the largest accepted is "
            f"{MAX_UPLOAD_BYTES // 1_048_576} MB. Split it into smaller files.",
            code="file_size",
        )


def job_table(job: ImportJob) -> Table:
    """The job's file read as its `reading` says (ValidationError if it cannot be)."""
    return open_table(
        job.file.path,
        name=job.file_name,
        encoding=job.reading.get("encoding", ""),
        delimiter=job.reading.get("delimiter", ""),
    )


def reading_of(table: Table) -> dict[str, str]:
    if table.file_format != "csv":
        return {"encoding": table.encoding} if table.encoding else {}
    return {"encoding": table.encoding, "delimiter": table.delimiter}


@transaction.atomic
def import_job_create(
    *,
    workspace,
    actor,
    upload,
    encoding: str = "",
    delimiter: str = "",
    via: ImportJob.Via = ImportJob.Via.PAGE,
) -> tuple[ImportJob, Table]:
    """Keep an uploaded file in a new draft job, read far enough to know its columns (the
    job keeps how it was read and its headers). A file that cannot be imported is refused
    with the reason and nothing is kept. `via` says what keeps the draft's options until
    it starts: the wizard (PAGE) or its check (the API's, API)."""
    check_upload(upload.name, upload.size)
    job = ImportJob(
        workspace=workspace,
        created_by=actor if getattr(actor, "pk", None) else None,
        file_name=Path(upload.name).name[:255],
        status=ImportJob.Status.QUEUED,
        via=via,
    )
    job.save()
    job.file.save(Path(upload.name).name, upload, save=True)
    try:
        table = open_table(
            job.file.path, name=job.file_name, encoding=encoding, delimiter=delimiter
        )
    except ValidationError:
        job_discard(job)
        raise
    _keep_reading(job, table)
    return job, table


def import_job_reread(*, job: ImportJob, encoding: str, delimiter: str) -> Table:
    """Read a draft's file again with another encoding or delimiter (step 2's selects)."""
    table = open_table(job.file.path, name=job.file_name, encoding=encoding, delimiter=delimiter)
    _keep_reading(job, table)
    return table


def _keep_reading(job: ImportJob, table: Table) -> None:
    # The headers too, so that a draft's mapping can be shown without reading its file.
    job.reading = reading_of(table)
    job.headers = list(table.headers)
    job.save(update_fields=["reading", "headers", "updated_at"])


def job_discard(job: ImportJob) -> None:
    """Remove a draft and its file (a new upload replaces it)."""
    if job.file:
        job.file.delete(save=False)
    job.delete()


def is_draft(job: ImportJob) -> bool:
    return job.status == ImportJob.Status.QUEUED and not job.options


def drafts_purge(*, older_than_days: int = DRAFTS_KEPT_DAYS) -> int:
    """Delete the drafts left for more than `older_than_days` (a file uploaded to the
    wizard, which was then left) and their files, which hold customers' details. How many."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    drafts = ImportJob.objects.filter(
        status=ImportJob.Status.QUEUED, options={}, updated_at__lt=cutoff
    )
    purged = 0
    for job in drafts.iterator():
        job_discard(job)
        purged += 1
    return purged


def column_mapping(headers: list[str], fields: list[str]) -> dict[int, str]:
    """Every column by position to its field, "" to ignore it: exact even when two columns
    share a header."""
    return {index: fields[index] if index < len(fields) else "" for index in range(len(headers))}


def mapped_fields(headers: list[str], mapping: dict[int | str, str] | None) -> list[str]:
    """Each column's field ("" ignored) as the import would map it: the automatic mapping
    with `mapping`'s overrides. ValidationError (code "mapping") says what is wrong."""
    try:
        resolved = resolve(headers, mapping)
    except ValueError as error:
        raise ValidationError(str(error), code="mapping") from error
    if not resolved:
        raise ValidationError(
            "No column of the file is mapped to a customer field: map at least one.",
            code="mapping",
        )
    return [resolved.get(index, "") for index in range(len(headers))]


def import_job_start(
    *,
    job: ImportJob,
    options: importing.Options,
    mapping: dict[int | str, str] | None,
    customer_list=None,
) -> ImportJob:
    """Queue a draft's import as a background task (run when this transaction commits).
    The options, mapping and list are recorded in the job, which the task reads."""
    from patron.exchange.tasks import run_import

    table = job_table(job)
    mapped_fields(table.headers, mapping)  # refused with what is wrong before anything
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if not is_draft(job):
            raise ValidationError("This import has already been started.", code="started")
        # A check of every row is of no use once the import runs; one under way stops.
        job.checks.all().delete()
        # The service records everything a run (and a resume) reads: options, the whole
        # mapping by position, how to read the file, the list.
        job = importing.import_job_create(
            workspace=job.workspace,
            actor=job.created_by,
            table=table,
            mapping=mapping,
            options=options,
            job=job,
            customer_list=customer_list,
        )
        pk = job.pk
        transaction.on_commit(lambda: run_import.enqueue(pk))
    return job


def can_resume(job: ImportJob) -> bool:
    """A failed (or killed, still "running") job goes on where it stopped."""
    return job.status in (
        ImportJob.Status.FAILED,
        ImportJob.Status.RUNNING,
    )


def import_job_resume(*, job: ImportJob) -> ImportJob:
    from patron.exchange.tasks import run_import

    if not can_resume(job):
        raise ValidationError("Only an import that stopped can be resumed.", code="not_stopped")
    pk = job.pk
    transaction.on_commit(lambda: run_import.enqueue(pk))
    return job


def run_job(job_id: int) -> ImportJob:
    """The task's work: import (or resume) the job's file. A file that cannot be read at
    all fails the job with the reason; nothing is written then."""
    job = ImportJob.objects.select_related("workspace", "created_by").get(pk=job_id)
    if job.status == ImportJob.Status.DONE or is_draft(job):
        return job
    try:
        if job.next_row > 1 or job.status != ImportJob.Status.QUEUED:
            importing.import_resume(job)
        else:
            importing.import_run(workspace=job.workspace, actor=job.created_by, job=job)
    except (ValidationError, ValueError) as error:
        message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        ImportJob.objects.filter(pk=job.pk).exclude(status=ImportJob.Status.DONE).update(
            status=ImportJob.Status.FAILED, message=message[:500]
        )
    job.refresh_from_db()
    return job


def capped(table: Table, rows: int) -> Table:
    """The table's first `rows` rows only: what a page can check in its own request."""

    class Capped(Table):
        def rows(self, **options):
            return islice(Table.rows(self, **options), rows)

    return Capped(**{name: getattr(table, name) for name in table.__dataclass_fields__})


def has_more_rows(table: Table, than: int) -> bool:
    return next(islice(table.rows(), than, None), None) is not None


def estimated_rows(job: ImportJob) -> int | None:
    """How many rows the file has, counted cheaply for a progress bar: lines of a CSV,
    cards of a vCard, the sheet's size of a workbook. None if the file is gone. Kept in
    the cache: the progress page asks every second, and 500 MB take a second to count."""
    if not job.file:
        return None
    try:
        size = job.file.size
    except OSError:
        return None
    key = f"patron:import-rows:{job.pk}:{job.file.name}:{size}"
    rows = cache.get(key)
    if rows is None:
        rows = _count_rows(job)
        if rows is not None:
            cache.set(key, rows, 24 * 3600)
    return rows


def _count_rows(job: ImportJob) -> int | None:
    try:
        path = Path(job.file.path)
        with path.open("rb") as file:
            head = file.read(4)
            file.seek(0)
            if head.startswith(b"PK\x03\x04"):
                from openpyxl import load_workbook

                workbook = load_workbook(path, read_only=True)
                try:
                    return max(0, (workbook.worksheets[0].max_row or 1) - 1)
                finally:
                    workbook.close()
            lines = cards = 0
            last = b"\n"
            while block := file.read(1_048_576):
                lines += block.count(b"\n")
                cards += block.upper().count(b"BEGIN:VCARD")
                last = block[-1:]
            lines += last != b"\n"
            return cards if cards else max(0, lines - 1)
    except (OSError, ValueError, KeyError):
        return None


def imported_customers(job: ImportJob, *, created_only: bool = False) -> QuerySet[Customer]:
    """The customers this import created (or changed, unless `created_only`), by their
    History entries' reason ("Imported from <file> (import N)")."""
    changes = Change.objects.filter(
        workspace_id=job.workspace_id,
        content_type=ContentType.objects.get_for_model(Customer),
        via=importing.VIA,
        reason__endswith=f"(import {job.pk})",
    )
    if created_only:
        changes = changes.filter(action=Change.Action.CREATE)
    changes = changes.values("object_id")
    return Customer.objects.in_workspace(job.workspace).current().filter(pk__in=changes)


# Saved mappings: {"column header": "field"}, applied by header to the next file.

MAPPING_FIELDS = ["name", "mapping"]


def _clean_mapping(mapping) -> dict[str, str]:
    if not isinstance(mapping, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in mapping.items()
    ):
        raise ValidationError(
            {"mapping": 'Give the mapping as {"column header": "field"}.'}, code="invalid"
        )
    errors = [
        f"“{value}” is not a customer field."
        for value in mapping.values()
        if value and value not in FIELDS
    ]
    if errors:
        raise ValidationError({"mapping": [*errors[:1], f"The fields are: {', '.join(FIELDS)}."]})
    return dict(mapping)


@transaction.atomic
def mapping_create(*, workspace, actor, name: str, mapping: dict, via: str = "page"):
    """Save a column mapping by name (unique in the workspace, whatever the case)."""
    saved = ImportMapping(
        workspace=workspace,
        name=name.strip(),
        mapping=_clean_mapping(mapping),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    return create_with_history(instance=saved, actor=actor, fields=MAPPING_FIELDS, via=via)


@transaction.atomic
def mapping_update(*, saved: ImportMapping, actor, data: dict, via: str = "page"):
    saved = ImportMapping.objects.select_for_update().get(pk=saved.pk)
    if "mapping" in data:
        data = {**data, "mapping": _clean_mapping(data["mapping"])}
    if "name" in data:
        data = {**data, "name": data["name"].strip()}
    return update_with_history(
        instance=saved, actor=actor, data=data, fields=MAPPING_FIELDS, via=via
    )


@transaction.atomic
def mapping_delete(*, saved: ImportMapping, actor, via: str = "page") -> None:
    record_change(instance=saved, action=Change.Action.DELETE, actor=actor, via=via)
    saved.delete()


def mapping_for_headers(saved: ImportMapping, headers: list[str]) -> list[str]:
    """A saved mapping applied to a file: each column's field by its header; a column the
    saved mapping does not name keeps its automatic field."""
    by_header = {header_word(header): name for header, name in saved.mapping.items()}
    automatic = auto_mapping(headers)
    fields = []
    for index, header in enumerate(headers):
        word = header_word(header)
        fields.append(by_header[word] if word in by_header else automatic.get(index, ""))
    return fields
