"""The wizard's "Check all rows": the import's own dry run over a draft's whole file, run
in the background.

Steps 4 and 5 of the wizard check only the first `jobs.PREVIEW_ROWS` rows in their request.
A check runs the import's dry run (`importing.import_preview`'s: the same validation,
normalization and matching, nothing written) over every row as a task, saving its row
count after each batch so the page can follow it, and keeps the whole file's counts and
its first problems.
"""

from dataclasses import asdict
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from patron.exchange import importing, jobs
from patron.exchange.models import ImportCheck, ImportJob

# The problems a check keeps to show (the count covers all): the import's failed-rows file
# has every bad row, and a million of them would not fit in a page or a JSON column.
PROBLEMS_KEPT = 1000
# Rows between two saves of the check's progress (the import's own batches).
BATCH_ROWS = importing.BATCH_SIZE
# A running check that has saved no progress for this long was stopped (its worker killed
# or restarted): a batch takes about a second, so this is far beyond any slow one.
STALLED_AFTER = timedelta(minutes=10)


class _Check(importing._Importer):
    """The import's dry run (what `importing.import_preview` runs) keeping only the first
    problems and no refused row's cells, so a file of bad rows costs no more memory than
    a good one: a preview keeps them all for its failed-rows CSV, which a check has none of."""

    def __init__(self, **arguments):
        super().__init__(actor=None, dry_run=True, **arguments)

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

    if not jobs.is_draft(job):
        raise ValidationError("This import has already been started.", code="started")
    with transaction.atomic():
        ImportJob.objects.select_for_update().filter(pk=job.pk).first()
        check = current_check(job=job, fields=fields, options=options)
        if check is not None and check.status != ImportCheck.Status.FAILED and not stalled(check):
            return check
        job.checks.all().delete()
        check = ImportCheck.objects.create(job=job, **_made_for(job, fields, options))
        pk = check.pk
        transaction.on_commit(lambda: run_import_check.enqueue(pk))
    return check


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

    def progress(rows: int) -> None:
        if not checks.update(rows=rows, progressed_at=timezone.now()):
            raise _Gone

    job = check.job
    try:
        table = jobs.job_table(job)
        report = _Check(
            workspace=job.workspace,
            table=table,
            mapping=jobs.column_mapping(table.headers, check.fields),
            options=importing.Options(**check.options),
            batch_size=BATCH_ROWS,
        ).run(progress)
    except _Gone:
        return None
    except (ValidationError, ValueError, OSError) as error:
        message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        checks.update(
            status=ImportCheck.Status.FAILED,
            message=message[:500] or error.__class__.__name__,
            finished_at=timezone.now(),
        )
    else:
        checks.update(
            status=ImportCheck.Status.DONE,
            rows=report.rows,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            skipped=report.skipped,
            failed=report.failed,
            problems=[asdict(error) for error in report.errors[:PROBLEMS_KEPT]],
            finished_at=timezone.now(),
        )
    return checks.first()


class _Gone(Exception):
    """The check was deleted while it ran: nobody waits for it any more."""
