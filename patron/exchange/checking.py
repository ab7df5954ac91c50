"""The wizard's "Check all rows" and the API's `check`: the import's own dry run over a
draft's whole file, run in the background.

Steps 4 and 5 of the wizard check only the first `jobs.PREVIEW_ROWS` rows in their request,
the API's dry run the first `API_PREVIEW_ROWS`. A check runs the import's dry run (the same
validation, normalization and matching, nothing written) over every row as a task, with
the likely duplicates of every row it would create (`likely`), saving its figures after
each batch so that a page or a client can follow it, and keeps the whole file's counts,
its first problems and its first likely duplicates.
"""

import logging
from dataclasses import asdict
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from patron.exchange import importing, jobs, likely
from patron.exchange.models import ImportCheck, ImportJob

logger = logging.getLogger(__name__)

# The problems a check keeps to show (the count covers all): the import's failed-rows file
# has every bad row, and a million of them would not fit in a page or a JSON column.
PROBLEMS_KEPT = 1000
# Rows between two saves of the check's progress (the import's own batches).
BATCH_ROWS = importing.BATCH_SIZE
# A running check that has saved no progress for this long was stopped (its worker killed
# or restarted): a batch takes about a second, so this is far beyond any slow one.
STALLED_AFTER = timedelta(minutes=10)


class _Check(likely._Preview):
    """The import's dry run with the likely duplicates of every row it would create,
    keeping only the first problems and no refused row's cells, so a file of bad rows costs
    no more memory than a good one: a preview keeps them all for its failed-rows CSV, which
    a check has none of."""

    def __init__(self, **arguments):
        super().__init__(limit=None, kept=likely.KEPT, **arguments)

    def fail(self, *args, **kwargs) -> None:
        super().fail(*args, **kwargs)
        del self.report.errors[PROBLEMS_KEPT:]
        self.report.failed_rows.clear()


def _made_for(job: ImportJob, fields: list[str], options: importing.Options) -> dict:
    return {"fields": list(fields), "options": asdict(options), "reading": dict(job.reading)}


def current_check(
    *, job: ImportJob, fields: list[str], options: importing.Options
) -> ImportCheck | None:
    """The job's latest check, if it was made with this mapping, these options and this
    reading of the file; a check made with others says nothing of what the import would do."""
    check = job.checks.first()
    if check is None:
        return None
    made_for = _made_for(job, fields, options)
    if any(getattr(check, name) != value for name, value in made_for.items()):
        return None
    return check


def import_check_start(
    *, job: ImportJob, fields: list[str], options: importing.Options
) -> ImportCheck:
    """Queue a check of every row of a draft for this mapping and these options (run when
    this transaction commits). One already made or under way for them is answered as is;
    the job's checks for other mappings go."""
    from patron.exchange.tasks import run_import_check

    with transaction.atomic():
        # Tested under the lock: an import started meanwhile (the API's start) wants no check.
        locked = ImportJob.objects.select_for_update().filter(pk=job.pk).first()
        if locked is None or not jobs.is_draft(locked):
            raise ValidationError("This import has already been started.", code="started")
        check = current_check(job=job, fields=fields, options=options)
        if check is not None and check.status != ImportCheck.Status.FAILED and not stalled(check):
            return check
        job.checks.all().delete()
        check = ImportCheck.objects.create(job=job, **_made_for(job, fields, options))
        pk = check.pk
        transaction.on_commit(lambda: run_import_check.enqueue(pk))
    return check


def import_check_create(
    *,
    workspace,
    actor,
    upload,
    options: importing.Options,
    mapping: dict[int | str, str] | None = None,
    encoding: str = "",
    delimiter: str = "",
    customer_list=None,
) -> ImportCheck:
    """The API's `check`: keep an uploaded file as a draft job (with the list its import is
    to fill) and queue the check of every row with this mapping and these options. A file
    that cannot be read, or a mapping naming no column or a wrong one, is refused with the
    reason and nothing is kept."""
    job, table = jobs.import_job_create(
        workspace=workspace,
        actor=actor,
        upload=upload,
        encoding=encoding,
        delimiter=delimiter,
        via=ImportJob.Via.API,
    )
    try:
        fields = jobs.mapped_fields(table.headers, mapping)
        with transaction.atomic():
            if customer_list is not None:
                job.customer_list = customer_list
                job.save(update_fields=["customer_list", "updated_at"])
            return import_check_start(job=job, fields=fields, options=options)
    except BaseException:
        jobs.job_discard(job)
        raise


def import_start_checked(*, job: ImportJob) -> ImportJob:
    """Queue a checked draft's import with its check's mapping and options, and the list
    the draft was given (the API's `start`), whatever the check found: it only warns."""
    job.refresh_from_db(fields=["status", "options"])  # another request may have started it
    if not jobs.is_draft(job):
        raise ValidationError("This import has already been started.", code="started")
    if job.via != ImportJob.Via.API:
        # The wizard's check has no word of the list its last step would create.
        raise ValidationError(
            "This import is the import wizard's: its last step starts it.", code="wizard"
        )
    check = job.checks.first()
    if check is None:
        raise ValidationError(
            "This import has no check to start it from: its file was never checked.",
            code="not_checked",
        )
    return jobs.import_job_start(
        job=job,
        options=importing.Options(**check.options),
        mapping=dict(enumerate(check.fields)),
        customer_list=job.customer_list,
    )


def check_headers(check: ImportCheck) -> list[str]:
    """The file's headers the check was made with, as its draft keeps them. A draft made
    before drafts kept them (migration exchange/0009; drafts go within a week) has them
    read from its file: none if it cannot be read (the check says why) or is gone."""
    if check.job.headers:
        return check.job.headers
    try:
        return jobs.job_table(check.job).headers
    except (ValidationError, OSError, ValueError):
        return []


def stalled(check: ImportCheck) -> bool:
    """A running check that stopped without a word (its process was killed)."""
    return (
        check.status == ImportCheck.Status.RUNNING
        and check.progressed_at is not None
        and check.progressed_at < timezone.now() - STALLED_AFTER
    )


def under_way(check: ImportCheck | None) -> bool:
    """Queued or running, and not stalled: the page follows it."""
    return (
        check is not None
        and check.status in (ImportCheck.Status.QUEUED, ImportCheck.Status.RUNNING)
        and not stalled(check)
    )


def run_check(check_id: int) -> ImportCheck | None:
    """The task's work. A check deleted meanwhile (its mapping changed, the job started or
    discarded) stops at its next batch; a file that cannot be read fails it with the reason."""
    check = ImportCheck.objects.select_related("job__workspace").filter(pk=check_id).first()
    if check is None or check.status != ImportCheck.Status.QUEUED:
        return check
    checks = ImportCheck.objects.filter(pk=check.pk)
    checks.update(status=ImportCheck.Status.RUNNING, progressed_at=timezone.now())
    importer = None

    def progress(rows: int) -> None:
        # The counts so far, for a client following it; the lists are saved at the end.
        figures = _figures(importer)
        if not checks.update(**figures, rows=rows, progressed_at=timezone.now()):
            raise _Gone

    job = check.job
    try:
        table = jobs.job_table(job)
        importer = _Check(
            workspace=job.workspace,
            table=table,
            mapping=jobs.column_mapping(table.headers, check.fields),
            options=importing.Options(**check.options),
            batch_size=BATCH_ROWS,
        )
        report = importer.run(progress)
    except _Gone:
        return None
    except (ValidationError, ValueError, OSError) as error:
        message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        checks.update(
            status=ImportCheck.Status.FAILED,
            message=message[:500] or error.__class__.__name__,
            finished_at=timezone.now(),
        )
    except Exception as error:
        # A database error, or a bug: said now, rather than as a stalled worker in 10 minutes.
        logger.exception("Import check %s failed", check_id)
        checks.update(
            status=ImportCheck.Status.FAILED,
            message=f"The check stopped at an unexpected error ({error.__class__.__name__}); "
            "it was logged for the administrator. Run it again, or import the file.",
            finished_at=timezone.now(),
        )
    else:
        checks.update(
            **_figures(importer),
            status=ImportCheck.Status.DONE,
            rows=report.rows,
            problems=[asdict(error) for error in report.errors[:PROBLEMS_KEPT]],
            duplicates=[asdict(found) for found in importer.found.kept],
            finished_at=timezone.now(),
        )
    return checks.first()


def _figures(importer: _Check) -> dict[str, int]:
    report = importer.report
    return {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "skipped": report.skipped,
        "failed": report.failed,
        "likely_duplicates": importer.found.count,
    }


def kept_duplicates(check: ImportCheck) -> list[likely.LikelyDuplicate]:
    """The likely duplicates the check kept (the first `likely.KEPT`), in file order."""
    return [likely.LikelyDuplicate.from_kept(found) for found in check.duplicates]


class _Gone(Exception):
    """The check was deleted while it ran: nobody waits for it any more."""
