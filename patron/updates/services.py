"""Bulk updates from CSV (manual 000 "Update Customers"): upload and preview, then apply.

A file gives customers suppressions, traits or fulfilments. The preview says, row by row,
what applying will change, what is already so, and what is wrong (row, column, reason).
Applying checks every row again in one transaction, since the data may have changed since
the preview: a file with bad rows applies nothing, unless the user chooses to skip them.

The rules are those of patron.marketing.services and patron.campaigns.services (names
matched whatever their case, each trait and suppression once per customer, fulfilments only
under an Active and Started activity, never for a deleted customer), checked for the whole
file at once: a few queries per file, not per row, so files of thousands of rows apply in
seconds. History is recorded as those services record it, one change per customer.
"""

import datetime
import logging
import posixpath
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from patron.campaigns.models import Activity, Fulfilment
from patron.campaigns.services import FULFILMENT_FIELDS
from patron.customers.models import Customer
from patron.history.models import Change
from patron.history.services import change_of, differences, snapshot
from patron.marketing.models import CustomerTrait, Suppression, SuppressionType, Trait
from patron.updates import parsing
from patron.updates.models import BulkUpdate, PreviewChunk
from patron.updates.parsing import ParsedFile, Row

logger = logging.getLogger(__name__)

VIA = "bulk update"
# What a file's customers are read with: their label, state and History's workspace/version.
CUSTOMER_FIELDS = [
    "workspace",
    "number",
    "kind",
    "first_name",
    "middle_name",
    "last_name",
    "company_name",
    "deleted_at",
    "version",
]
# Kept in the result so the result page can show what was skipped and why.
MAX_RESULT_ERRORS = 1000


class Status:
    CHANGE = "change"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass
class RowError:
    row: int
    column: str  # the column's label; "" for the row as a whole
    value: str
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


@dataclass
class Outcome:
    """What one row of the file does: a change, nothing (already so), or errors."""

    row: int
    status: str = Status.ERROR
    text: str = ""
    errors: list[RowError] = field(default_factory=list)
    customer: Customer | None = None
    target: object = None  # the trait, suppression type or activity
    date: datetime.date | None = None
    fulfilment_type: str = ""


@dataclass
class Preview:
    bulk_update: BulkUpdate
    outcomes: list[Outcome]
    parsed: ParsedFile

    @property
    def changes(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == Status.CHANGE]

    @property
    def unchanged(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == Status.UNCHANGED]

    @property
    def bad_rows(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == Status.ERROR]

    @property
    def errors(self) -> list[RowError]:
        return [error for outcome in self.bad_rows for error in outcome.errors]

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows": len(self.outcomes),
            "changes": len(self.changes),
            "unchanged": len(self.unchanged),
            "errors": len(self.bad_rows),
        }


# Reading the file -------------------------------------------------------------------------


def _file_name(name: str) -> str:
    name = posixpath.basename((name or "").replace("\\", "/")).strip()
    return (name or "upload.csv")[:255]


def _parse(bulk_update: BulkUpdate) -> ParsedFile:
    return parsing.parse(bulk_update.content, bulk_update.kind)


def _read(kind: str, content: bytes | str) -> tuple[str, ParsedFile]:
    """The file's text and rows; a file that cannot be read raises ValidationError."""
    if kind not in BulkUpdate.Kind.values:
        raise ValidationError(
            {"kind": f"Choose what the file updates: {', '.join(BulkUpdate.Kind.values)}."}
        )
    if isinstance(content, bytes):
        text = parsing.decode(content)
    else:
        parsing.check_size(len(content.encode()))
        text = content
    return text, parsing.parse(text, kind)


def _keep_file(workspace, kind, file_name, text, parsed, actor, state) -> BulkUpdate:
    bulk_update = BulkUpdate(
        workspace=workspace,
        kind=kind,
        file_name=_file_name(file_name),
        content=text,
        uploaded_by=_user(actor),
        state=state,
        rows=len(parsed.rows),
    )
    bulk_update.full_clean()
    bulk_update.save()
    return bulk_update


@transaction.atomic
def bulk_update_preview(
    *, workspace, kind: str, file_name: str, content: bytes | str, actor
) -> Preview:
    """Keep the uploaded file, say what applying it would do and keep that (its page
    reads it). A file that cannot be read at all (not CSV, too large, a header without a
    needed column) raises ValidationError and nothing is kept."""
    text, parsed = _read(kind, content)
    return _preview_now(workspace, kind, file_name, text, parsed, actor)


def _preview_now(workspace, kind, file_name, text, parsed, actor) -> Preview:
    bulk_update = _keep_file(
        workspace, kind, file_name, text, parsed, actor, BulkUpdate.State.PREVIEWED
    )
    preview = Preview(bulk_update, _evaluate(workspace, kind, parsed), parsed)
    _save_lines(bulk_update, preview.outcomes)
    _save_summary(bulk_update, preview)
    return preview


def bulk_update_upload(
    *, workspace, kind: str, file_name: str, content: bytes | str, actor
) -> BulkUpdate:
    """What the page and the API do with an upload: preview it now or, when it has
    background_rows() rows or more, keep it Previewing and queue a background task to
    preview it (its page follows the task). Unreadable, it raises ValidationError and
    nothing is kept, whatever its size."""
    from patron.updates.tasks import preview_bulk_update

    text, parsed = _read(kind, content)
    with transaction.atomic():
        if len(parsed.rows) < background_rows():
            return _preview_now(workspace, kind, file_name, text, parsed, actor).bulk_update
        bulk_update = _keep_file(
            workspace, kind, file_name, text, parsed, actor, BulkUpdate.State.PREVIEWING
        )
        pk = bulk_update.pk
        transaction.on_commit(lambda: preview_bulk_update.enqueue(pk))
    return bulk_update


class _Gone(Exception):
    """The file was discarded while its preview ran."""


def bulk_update_preview_run(bulk_update_id: int) -> BulkUpdate | None:
    """The background task: evaluate a Previewing file once and keep its preview, saving
    its progress as it goes. A file discarded meanwhile stops it (None); a failure keeps
    no line of it and leaves the file Failed with the reason in `error`."""
    pending = BulkUpdate.objects.filter(pk=bulk_update_id, state=BulkUpdate.State.PREVIEWING)
    bulk_update = pending.select_related("workspace").first()
    if bulk_update is None:
        return None  # discarded, or previewed already (a second delivery of the task)

    def progress(rows: int) -> None:
        if not pending.update(rows_previewed=rows, updated_at=timezone.now()):
            raise _Gone

    try:
        progress(0)
        parsed = _parse(bulk_update)
        preview = Preview(
            bulk_update, _evaluate(bulk_update.workspace, bulk_update.kind, parsed), parsed
        )
        _save_lines(bulk_update, preview.outcomes, progress=progress)
        with transaction.atomic():
            if pending.select_for_update().first() is None:
                raise _Gone
            bulk_update.state = BulkUpdate.State.PREVIEWED
            _save_summary(bulk_update, preview)
    except _Gone:
        PreviewChunk.objects.filter(bulk_update_id=bulk_update_id).delete()
        return None
    except Exception as error:
        if not pending.exists():
            # Discarded meanwhile: its chunks went with it, and one saved after that
            # broke its foreign key.
            PreviewChunk.objects.filter(bulk_update_id=bulk_update_id).delete()
            return None
        if isinstance(error, ValidationError):
            reason = f"The file cannot be previewed: {' '.join(error.messages)}"
        else:
            logger.exception("Previewing bulk update %s failed", bulk_update_id)
            reason = f"Previewing stopped ({error or error.__class__.__name__})."
        PreviewChunk.objects.filter(bulk_update_id=bulk_update_id).delete()
        pending.update(
            state=BulkUpdate.State.FAILED,
            error=f"{reason} Nothing was changed."[:2000],
            rows_previewed=0,
            updated_at=timezone.now(),
        )
    return BulkUpdate.objects.filter(pk=bulk_update_id).first()


# Chunks of lines saved in one statement, and between two saves of a background
# preview's progress (10,000 lines).
CHUNKS_BATCH = 20


def _lines(outcome: Outcome):
    """(status, line) of a row's preview: its change, that it is already so, or each of
    its problems."""
    if outcome.status == Status.ERROR:
        for error in outcome.errors:
            yield PreviewChunk.Status.ERROR, error.as_dict()
    else:
        yield outcome.status, {"row": outcome.row, "text": outcome.text}


def _save_lines(bulk_update: BulkUpdate, outcomes: list[Outcome], *, progress=None) -> None:
    """Keep the preview's lines (in place of any kept before), in chunks of each status."""
    bulk_update.chunks.all().delete()
    pending: dict[str, list] = defaultdict(list)
    numbers: dict[str, int] = defaultdict(int)
    batch: list[PreviewChunk] = []

    def chunk(status: str) -> None:
        batch.append(
            PreviewChunk(
                bulk_update_id=bulk_update.pk,
                status=status,
                number=numbers[status],
                lines=pending.pop(status),
            )
        )
        numbers[status] += 1

    for done, outcome in enumerate(outcomes, 1):
        for status, line in _lines(outcome):
            pending[status].append(line)
            if len(pending[status]) == PreviewChunk.LINES:
                chunk(status)
        if len(batch) >= CHUNKS_BATCH:
            PreviewChunk.objects.bulk_create(batch)
            batch.clear()
            if progress is not None:
                progress(done)
    for status in list(pending):
        chunk(status)
    PreviewChunk.objects.bulk_create(batch)


class KeptLines:
    """A kept preview's lines of one status, as dicts, in the file's order. Sliced (a
    paginator's page, the first N) it reads only the chunks the slice needs; iterated, a
    chunk at a time."""

    def __init__(self, bulk_update: BulkUpdate, status: str):
        self.count = bulk_update.preview["lines"][status]
        self.chunks = PreviewChunk.objects.filter(bulk_update=bulk_update, status=status)

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: slice) -> list[dict]:
        start, stop, _ = index.indices(self.count)
        if start >= stop:
            return []
        first, last = start // PreviewChunk.LINES, (stop - 1) // PreviewChunk.LINES
        chunks = self.chunks.filter(number__range=(first, last)).order_by("number")
        lines = [line for chunk in chunks.values_list("lines", flat=True) for line in chunk]
        offset = first * PreviewChunk.LINES
        return lines[start - offset : stop - offset]

    def __iter__(self):
        chunks = self.chunks.order_by("number").values_list("lines", flat=True)
        for chunk in chunks.iterator(chunk_size=10):
            yield from chunk


def kept_lines(bulk_update: BulkUpdate, status: str) -> KeptLines:
    """The kept preview's lines of a status (PreviewChunk.Status)."""
    return KeptLines(bulk_update, status)


def _save_summary(bulk_update: BulkUpdate, preview: Preview) -> None:
    """Keep the preview's counts and reading of the file (with the state set by the caller)."""
    counts = preview.counts
    bulk_update.preview = {
        "counts": counts,
        # Lines of each status: the changes, the rows already so, the bad rows' problems.
        "lines": {
            PreviewChunk.Status.CHANGE: counts["changes"],
            PreviewChunk.Status.UNCHANGED: counts["unchanged"],
            PreviewChunk.Status.ERROR: sum(len(outcome.errors) for outcome in preview.bad_rows),
        },
        "delimiter": preview.parsed.delimiter,
        "has_header": preview.parsed.has_header,
        "ignored_columns": preview.parsed.ignored_columns,
    }
    bulk_update.previewed_at = timezone.now()
    bulk_update.rows = len(preview.outcomes)
    bulk_update.rows_previewed = len(preview.outcomes)
    bulk_update.save(
        update_fields=["state", "preview", "previewed_at", "rows", "rows_previewed", "updated_at"]
    )


def bulk_update_kept(bulk_update: BulkUpdate) -> BulkUpdate:
    """A previewed file with its preview kept: one uploaded before previews were kept is
    previewed now, once."""
    unkept = (BulkUpdate.State.PREVIEWED, BulkUpdate.State.APPLYING)
    if bulk_update.preview or bulk_update.state not in unkept:
        return bulk_update
    with transaction.atomic():
        locked = BulkUpdate.objects.select_for_update().get(pk=bulk_update.pk)
        # Tested again under the lock: an apply that held it may have applied the file.
        if not locked.preview and locked.state in unkept:
            parsed = _parse(locked)
            preview = Preview(locked, _evaluate(locked.workspace, locked.kind, parsed), parsed)
            _save_lines(locked, preview.outcomes)
            _save_summary(locked, preview)
    return locked


# A file of this many rows or more is previewed, and applied, by a background task
# (PATRON_BULK_UPDATE_BACKGROUND_ROWS): 100,000 rows of traits take about 20 s of CPU to
# apply and 5 s to preview, past what a web request may take; 5,000 take about 1 s.
BACKGROUND_ROWS = 5_000


def background_rows() -> int:
    return getattr(settings, "PATRON_BULK_UPDATE_BACKGROUND_ROWS", BACKGROUND_ROWS)


def bulk_update_request_apply(*, bulk_update: BulkUpdate, skip_bad_rows: bool, actor) -> BulkUpdate:
    """What the page and the API ask: apply the file now or, when it has background_rows()
    rows or more, queue a background task to apply it and answer it Applying (its page
    shows the result once done; a refusal or failure there writes nothing and is kept in
    `error`)."""
    # The rows the upload counted (its choice of a background preview); a file kept before
    # they were counted, by its lines.
    rows = bulk_update.rows or bulk_update.content.count("\n") + 1
    if rows < background_rows():
        return bulk_update_apply(bulk_update=bulk_update, skip_bad_rows=skip_bad_rows, actor=actor)
    return _queue(bulk_update, skip_bad_rows, actor)


@transaction.atomic
def _queue(bulk_update: BulkUpdate, skip_bad_rows: bool, actor) -> BulkUpdate:
    from patron.updates.tasks import run_bulk_update

    bulk_update = BulkUpdate.objects.select_for_update().get(pk=bulk_update.pk)
    _refuse_unless_previewed(bulk_update)
    bulk_update.state = BulkUpdate.State.APPLYING
    bulk_update.skip_bad_rows = skip_bad_rows
    bulk_update.applied_by = _user(actor)
    bulk_update.error = ""
    bulk_update.save(update_fields=["state", "skip_bad_rows", "applied_by", "error", "updated_at"])
    transaction.on_commit(lambda: run_bulk_update.enqueue(bulk_update.pk))
    return bulk_update


def bulk_update_run(*, bulk_update_id: int) -> BulkUpdate:
    """The background task: apply a queued file with the choice made when it was queued.
    Refused (bad rows since the preview) or failed, it writes nothing: the file is back to
    Previewed with the reason in `error` (and, refused, the preview is what the apply
    found), to apply again."""
    found = None
    try:
        with transaction.atomic():
            bulk_update = BulkUpdate.objects.select_for_update().get(pk=bulk_update_id)
            if bulk_update.state != BulkUpdate.State.APPLYING:
                return bulk_update  # applied already (a second delivery of the task)
            return _apply(
                bulk_update, skip_bad_rows=bulk_update.skip_bad_rows, actor=bulk_update.applied_by
            )
    except ValidationError as error:
        reason = " ".join(error.messages)
        found = error if isinstance(error, RowsHaveErrors) else None
    except Exception as error:  # any failure: the transaction wrote nothing
        logger.exception("Applying bulk update %s failed", bulk_update_id)
        reason = f"Applying stopped ({error or error.__class__.__name__}); nothing was applied."
    with transaction.atomic():
        bulk_update = (
            BulkUpdate.objects.select_for_update()
            .filter(pk=bulk_update_id, state=BulkUpdate.State.APPLYING)
            .first()
        )
        if bulk_update is not None:
            bulk_update.state = BulkUpdate.State.PREVIEWED
            if found is not None:
                _save_lines(bulk_update, found.preview.outcomes)
                _save_summary(bulk_update, found.preview)
            bulk_update.error = reason[:2000]
            bulk_update.save(update_fields=["state", "error", "updated_at"])
    return BulkUpdate.objects.get(pk=bulk_update_id)


class RowsHaveErrors(ValidationError):
    """An apply refused because rows are bad: what it found, kept as the file's preview."""

    def __init__(self, message: str, preview: Preview):
        super().__init__(message, code="has_errors")
        self.preview = preview


def _refuse_unless_previewed(bulk_update: BulkUpdate) -> None:
    if bulk_update.state == BulkUpdate.State.FAILED or (
        bulk_update.state == BulkUpdate.State.PREVIEWING and bulk_update.is_stale
    ):
        raise ValidationError(
            "This file's preview failed, so it cannot be applied: upload it again.",
            code="preview_failed",
        )
    if bulk_update.state == BulkUpdate.State.PREVIEWING:
        raise ValidationError(
            "This file is still being previewed in the background: apply it once its "
            "preview is shown.",
            code="previewing",
        )
    if bulk_update.state == BulkUpdate.State.APPLIED:
        when = timezone.localtime(bulk_update.applied_at)
        raise ValidationError(
            f"This file was already applied on {when:%d/%m/%Y at %H:%M}: upload it again to "
            "apply it again.",
            code="already_applied",
        )
    if bulk_update.is_applying:
        raise ValidationError(
            "This file is being applied in the background: its page shows the result when "
            "it is done.",
            code="applying",
        )


def bulk_update_apply(*, bulk_update: BulkUpdate, skip_bad_rows: bool, actor) -> BulkUpdate:
    """Write every good row of the file, in one transaction, with History. Refused (nothing
    written) when a row is bad and `skip_bad_rows` is false (the preview kept is then what
    this found), or when not previewed, already applied or being applied."""
    try:
        with transaction.atomic():
            locked = BulkUpdate.objects.select_for_update().get(pk=bulk_update.pk)
            _refuse_unless_previewed(locked)
            return _apply(locked, skip_bad_rows=skip_bad_rows, actor=actor)
    except RowsHaveErrors as refused:
        with transaction.atomic():
            locked = BulkUpdate.objects.select_for_update().get(pk=bulk_update.pk)
            if locked.state == BulkUpdate.State.PREVIEWED:
                _save_lines(locked, refused.preview.outcomes)
                _save_summary(locked, refused.preview)
        raise


def _apply(bulk_update: BulkUpdate, *, skip_bad_rows: bool, actor) -> BulkUpdate:
    """Apply a file whose row the caller has locked, in the caller's transaction."""
    workspace = bulk_update.workspace
    parsed = _parse(bulk_update)
    outcomes = _evaluate(workspace, bulk_update.kind, parsed, lock=True)
    bad = [outcome for outcome in outcomes if outcome.status == Status.ERROR]
    if bad and not skip_bad_rows:
        raise RowsHaveErrors(
            f"{_rows(len(bad))} of the file {'has' if len(bad) == 1 else 'have'} errors, so "
            "nothing was applied. Fix the file and upload it again, or apply it skipping "
            "the bad rows.",
            Preview(bulk_update, outcomes, parsed),
        )
    changes = [outcome for outcome in outcomes if outcome.status == Status.CHANGE]
    write = {
        BulkUpdate.Kind.TRAITS: _write_traits,
        BulkUpdate.Kind.SUPPRESSIONS: _write_suppressions,
        BulkUpdate.Kind.FULFILMENTS: _write_fulfilments,
    }[bulk_update.kind]
    reason = f"Bulk update from the file {bulk_update.file_name}"[:255]
    customers = write(workspace, changes, actor=_user(actor), reason=reason)
    bulk_update.state = BulkUpdate.State.APPLIED
    bulk_update.applied_at = timezone.now()
    bulk_update.applied_by = _user(actor)
    bulk_update.skip_bad_rows = skip_bad_rows
    bulk_update.error = ""
    bulk_update.result = {
        "created": len(changes),
        "already": sum(1 for outcome in outcomes if outcome.status == Status.UNCHANGED),
        "skipped": len(bad),
        "customers": customers,
        "errors": [error.as_dict() for o in bad for error in o.errors][:MAX_RESULT_ERRORS],
        "applied_by": str(actor) if _user(actor) else "",
    }
    bulk_update.save(
        update_fields=[
            "state",
            "applied_at",
            "applied_by",
            "skip_bad_rows",
            "error",
            "result",
            "updated_at",
        ]
    )
    # The result keeps what the page shows of an applied file; its preview is history.
    bulk_update.chunks.all().delete()
    return bulk_update


@transaction.atomic
def bulk_update_discard(*, bulk_update: BulkUpdate, actor) -> None:
    """Forget a file that was previewed but not applied."""
    bulk_update = BulkUpdate.objects.select_for_update().get(pk=bulk_update.pk)
    if bulk_update.state == BulkUpdate.State.APPLIED:
        raise ValidationError(
            "An applied file is kept as the record of what it changed.", code="applied"
        )
    if bulk_update.is_applying:
        raise ValidationError(
            "This file is being applied in the background: it can be discarded only if that fails.",
            code="applying",
        )
    # Being previewed, its task stops when it finds the file gone.
    bulk_update.delete()


def _rows(count: int) -> str:
    return f"{count} row{'' if count == 1 else 's'}"


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


# Checking the rows ------------------------------------------------------------------------


def _chunks(values: list, size: int | None = None):
    # SQLite takes at most max_query_params (999) values in one query; PostgreSQL 65535.
    size = size or min(connection.features.max_query_params or 10_000, 10_000) - 10
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _fail(outcome: Outcome, column, value: str, reason: str) -> None:
    label = column.label if column is not None else ""
    outcome.errors.append(RowError(outcome.row, label, value, reason))


def _names(known) -> str:
    names = sorted((str(item.name) for item in known), key=str.lower)
    if not names:
        return "none is defined yet"
    shown = ", ".join(names[:12])
    return f"known: {shown}{', ...' if len(names) > 12 else ''}"


def _customer_label(customer: Customer) -> str:
    return f"{customer.number} {customer}"


def _customers(workspace, numbers: set[int], *, lock: bool) -> dict[int, Customer]:
    """The workspace's customers with these numbers; another workspace's are not found."""
    queryset = Customer.objects.in_workspace(workspace).only(*CUSTOMER_FIELDS)
    if lock:
        # Marketing services lock a customer while changing its traits and suppressions;
        # so does this, so History's "old" values stay true.
        queryset = queryset.select_for_update()
    found = {}
    for chunk in _chunks(sorted(numbers)):
        for customer in queryset.filter(number__in=chunk).order_by():
            found[customer.number] = customer
    return found


def _evaluate(workspace, kind: str, parsed: ParsedFile, *, lock: bool = False) -> list[Outcome]:
    outcomes = [Outcome(row=row.number) for row in parsed.rows]
    numbers: dict[int, int] = {}  # row number: customer no.
    for row, outcome in zip(parsed.rows, outcomes, strict=True):
        if row.extra:
            labels = ", ".join(column.label for column in parsing.COLUMNS[kind])
            _fail(
                outcome,
                None,
                row.extra[0],
                f"Unexpected extra value “{row.extra[0]}”: the columns are {labels}. Check "
                f"every row has the same {parsed.delimiter_name}-separated columns.",
            )
        value = row.values.get("customer", "")
        if not value:
            _fail(outcome, parsing.CUSTOMER, value, "Missing: give the customer no.")
            continue
        try:
            numbers[row.number] = parsing.parse_customer_number(value)
        except ValidationError as error:
            _fail(outcome, parsing.CUSTOMER, value, error.messages[0])
    customers = _customers(workspace, set(numbers.values()), lock=lock)
    for row, outcome in zip(parsed.rows, outcomes, strict=True):
        if row.number not in numbers:
            continue
        value = row.values["customer"]
        customer = customers.get(numbers[row.number])
        if customer is None:
            _fail(outcome, parsing.CUSTOMER, value, f"No customer has the customer no. {value}.")
        elif customer.is_deleted:
            _fail(
                outcome,
                parsing.CUSTOMER,
                value,
                f"Customer {_customer_label(customer)} is deleted (in the recycle bin).",
            )
        else:
            outcome.customer = customer
    check = {
        BulkUpdate.Kind.TRAITS: _check_traits,
        BulkUpdate.Kind.SUPPRESSIONS: _check_suppressions,
        BulkUpdate.Kind.FULFILMENTS: _check_fulfilments,
    }[kind]
    check(workspace, parsed.rows, outcomes, lock=lock)
    # Each row is either a change, already so, or bad; a repeated row is bad, so that a
    # file with the same line twice is corrected rather than half-guessed.
    seen: dict[tuple, int] = {}
    for outcome in outcomes:
        if outcome.errors:
            outcome.status = Status.ERROR
            continue
        key = _key(kind, outcome)
        if key in seen:
            _fail(outcome, None, "", f"Repeats row {seen[key]}: remove one of them.")
            outcome.status = Status.ERROR
        else:
            seen[key] = outcome.row
    return outcomes


def _key(kind: str, outcome: Outcome) -> tuple:
    if kind == BulkUpdate.Kind.FULFILMENTS:
        return (
            outcome.customer.pk,
            outcome.target.pk,
            outcome.date,
            outcome.fulfilment_type.lower(),
        )
    # A customer has a trait or a suppression type once, whatever the dates.
    return (outcome.customer.pk, outcome.target.pk)


def _by_name(model, workspace) -> dict[str, object]:
    return {item.name.lower(): item for item in model.objects.in_workspace(workspace)}


def _existing(model, target_field: str, outcomes: list[Outcome], *fields) -> list[dict]:
    ids = sorted({outcome.customer.pk for outcome in outcomes if outcome.customer})
    rows = []
    for chunk in _chunks(ids):
        rows += (
            model.objects.filter(customer_id__in=chunk)
            .order_by()
            .values("customer_id", target_field, *fields)
        )
    return rows


def _check_traits(workspace, rows: list[Row], outcomes: list[Outcome], *, lock: bool) -> None:
    traits = _by_name(Trait, workspace)
    has = {
        (row["customer_id"], row["trait_id"])
        for row in _existing(CustomerTrait, "trait_id", outcomes)
    }
    for row, outcome in zip(rows, outcomes, strict=True):
        value = row.values.get("trait", "")
        trait = traits.get(value.lower())
        if not value:
            _fail(outcome, parsing.TRAIT, value, "Missing: give the trait's name.")
        elif trait is None:
            _fail(
                outcome,
                parsing.TRAIT,
                value,
                f"No trait is named “{value}” ({_names(traits.values())}).",
            )
        if outcome.errors or outcome.customer is None:
            continue
        outcome.target = trait
        who = _customer_label(outcome.customer)
        if (outcome.customer.pk, trait.pk) in has:
            outcome.status = Status.UNCHANGED
            outcome.text = f"{who} already has the trait {trait.name}"
        else:
            outcome.status = Status.CHANGE
            outcome.text = f"Add the trait {trait.name} to {who}"


def _check_suppressions(workspace, rows, outcomes, *, lock: bool) -> None:
    types = _by_name(SuppressionType, workspace)
    has = {
        (row["customer_id"], row["suppression_type_id"]): row["date"]
        for row in _existing(Suppression, "suppression_type_id", outcomes, "date")
    }
    today = timezone.localdate()
    for row, outcome in zip(rows, outcomes, strict=True):
        value = row.values.get("suppression", "")
        suppression_type = types.get(value.lower())
        if not value:
            _fail(outcome, parsing.SUPPRESSION, value, "Missing: give the suppression's name.")
        elif suppression_type is None:
            _fail(
                outcome,
                parsing.SUPPRESSION,
                value,
                f"No suppression type is named “{value}” ({_names(types.values())}).",
            )
        date_text = row.values.get("date", "")
        try:
            outcome.date = parsing.parse_date(date_text) if date_text else today
        except ValidationError as error:
            _fail(outcome, parsing.SUPPRESSION_DATE, date_text, error.messages[0])
        if outcome.errors or outcome.customer is None:
            continue
        outcome.target = suppression_type
        who = _customer_label(outcome.customer)
        since = has.get((outcome.customer.pk, suppression_type.pk))
        if since is not None:
            outcome.status = Status.UNCHANGED
            outcome.text = (
                f"{who} already has the suppression {suppression_type.name} "
                f"(since {since:%d/%m/%Y})"
            )
        else:
            outcome.status = Status.CHANGE
            outcome.text = (
                f"Add the suppression {suppression_type.name} from {outcome.date:%d/%m/%Y} to {who}"
            )


def _activities(workspace, rows: list[Row], *, lock: bool) -> list[Activity]:
    names = {row.values.get("activity", "").lower() for row in rows} - {""}
    codes = {row.values.get("reference_code", "").lower() for row in rows} - {""}
    numbers = {int(name) for name in names if name.isdigit() and len(name) < 10}
    queryset = Activity.objects.in_workspace(workspace).annotate(
        lower_name=Lower("name"), lower_code=Lower("reference_code")
    )
    if len(names) + len(codes) < 500:
        queryset = queryset.filter(
            Q(number__in=numbers) | Q(lower_name__in=names) | Q(lower_code__in=codes)
        )
    if lock:
        # As fulfilment_create does: a step changed at the same moment cannot slip through.
        queryset = queryset.select_for_update()
    return list(queryset.order_by("number"))


def _not_running(activity: Activity) -> str:
    return (
        f"Activity {activity} is {activity.get_status_display()} and "
        f"{activity.get_step_display()}: only an Active activity at step Started can be "
        "fulfilled. Change its step to Started (and make it Active) first."
    )


def _check_fulfilments(workspace, rows, outcomes, *, lock: bool) -> None:
    activities = _activities(workspace, rows, lock=lock)
    by_number = {activity.number: activity for activity in activities}
    by_name: dict[str, list[Activity]] = defaultdict(list)
    by_code = {}
    for activity in activities:
        by_name[activity.lower_name].append(activity)
        if activity.lower_code:
            by_code[activity.lower_code] = activity
    existing = {
        (row["customer_id"], row["activity_id"], row["date"], row["fulfilment_type"].lower())
        for row in _existing(Fulfilment, "activity_id", outcomes, "date", "fulfilment_type")
    }
    for row, outcome in zip(rows, outcomes, strict=True):
        date_text = row.values.get("date", "")
        if not date_text:
            _fail(outcome, parsing.FULFILMENT_DATE, date_text, "Missing: give the date.")
        else:
            try:
                outcome.date = parsing.parse_date(date_text)
            except ValidationError as error:
                _fail(outcome, parsing.FULFILMENT_DATE, date_text, error.messages[0])
        kind = row.values.get("type", "")
        if not kind:
            _fail(
                outcome,
                parsing.FULFILMENT_TYPE,
                kind,
                "Missing: say what was done, e.g. Send brochure.",
            )
        elif len(kind) > 100:
            _fail(
                outcome,
                parsing.FULFILMENT_TYPE,
                kind[:20] + "...",
                f"The type is {len(kind)} characters long; at most 100 are allowed.",
            )
        outcome.fulfilment_type = kind
        activity = _activity_of(row, outcome, by_number, by_name, by_code)
        if outcome.errors or outcome.customer is None:
            continue
        outcome.target = activity
        who = _customer_label(outcome.customer)
        key = (outcome.customer.pk, activity.pk, outcome.date, kind.lower())
        what = f"{kind} under activity {activity} on {outcome.date:%d/%m/%Y}"
        if key in existing:
            outcome.status = Status.UNCHANGED
            outcome.text = f"{who} already has the fulfilment {what}"
        else:
            outcome.status = Status.CHANGE
            outcome.text = f"Add the fulfilment {what} for {who}"


def _activity_of(row: Row, outcome: Outcome, by_number, by_name, by_code) -> Activity | None:
    """The activity a row names by number or name, and/or by reference code."""
    value = row.values.get("activity", "")
    code = row.values.get("reference_code", "")
    if not value and not code:
        _fail(
            outcome,
            parsing.ACTIVITY,
            value,
            "Missing: give the activity (its no. or name) or its Ref. code.",
        )
        return None
    named = coded = None
    if value:
        matches = by_name.get(value.lower(), [])
        if value.isdigit() and int(value) in by_number:
            named = by_number[int(value)]
        elif len(matches) == 1:
            named = matches[0]
        elif len(matches) > 1:
            numbers = ", ".join(str(activity.number) for activity in matches)
            _fail(
                outcome,
                parsing.ACTIVITY,
                value,
                f"{len(matches)} activities are named “{value}” (nos. {numbers}): give the "
                "activity no. or its Ref. code instead.",
            )
            return None
        else:
            what = "activity no." if value.isdigit() else "activity named"
            _fail(outcome, parsing.ACTIVITY, value, f"No {what} “{value}”.")
            return None
    if code:
        coded = by_code.get(code.lower())
        if coded is None:
            _fail(
                outcome,
                parsing.REFERENCE_CODE,
                code,
                f"No activity has the reference code “{code}”.",
            )
            return None
    if named and coded and named.pk != coded.pk:
        _fail(
            outcome,
            parsing.REFERENCE_CODE,
            code,
            f"The reference code {code} is activity {coded}'s, but the Activity column says "
            f"{named}: the row names two activities.",
        )
        return None
    activity = named or coded
    if not activity.is_running:
        column = parsing.ACTIVITY if named else parsing.REFERENCE_CODE
        _fail(outcome, column, value if named else code, _not_running(activity))
        return None
    return activity


# Writing ----------------------------------------------------------------------------------


def _customer_change(customer: Customer, fields, actor, reason: str) -> Change:
    """The customer's History entry of what the file added, as record_change writes it."""
    return change_of(
        instance=customer,
        action=Change.Action.UPDATE,
        actor=actor,
        fields=fields,
        via=VIA,
        reason=reason,
    )


def _by_customer(changes: list[Outcome]) -> dict[int, list[Outcome]]:
    grouped: dict[int, list[Outcome]] = defaultdict(list)
    for outcome in changes:
        grouped[outcome.customer.pk].append(outcome)
    return grouped


def _write_traits(workspace, changes: list[Outcome], *, actor, reason: str) -> int:
    CustomerTrait.objects.bulk_create(
        CustomerTrait(workspace=workspace, customer=o.customer, trait=o.target) for o in changes
    )
    grouped = _by_customer(changes)
    # Each customer's traits before and after, as marketing's services record them.
    names: dict[int, list[str]] = defaultdict(list)
    for row in _existing(CustomerTrait, "trait__name", changes):
        names[row["customer_id"]].append(row["trait__name"])
    history = []
    for customer_id, outcomes in grouped.items():
        added = {o.target.name for o in outcomes}
        after = sorted(names[customer_id], key=str.lower)
        before = [name for name in after if name not in added]
        fields = [
            {
                "field": "traits",
                "label": "Traits",
                "old": ", ".join(before),
                "new": ", ".join(after),
            }
        ]
        customer = outcomes[0].customer
        history.append(_customer_change(customer, fields, actor, reason))
    Change.objects.bulk_create(history)
    return len(grouped)


def _suppressions_text(rows: list[dict]) -> str:
    # As marketing.services._suppressions_text: newest first, then by name.
    rows = sorted(rows, key=lambda row: row["suppression_type__name"])
    rows = sorted(rows, key=lambda row: row["date"], reverse=True)
    return ", ".join(
        f"{row['suppression_type__name']} since {row['date']:%d/%m/%Y}"
        + (f" ({row['note']})" if row["note"] else "")
        for row in rows
    )


def _write_suppressions(workspace, changes: list[Outcome], *, actor, reason: str) -> int:
    before: dict[int, list[dict]] = defaultdict(list)
    for row in _existing(Suppression, "suppression_type__name", changes, "date", "note"):
        before[row["customer_id"]].append(row)
    Suppression.objects.bulk_create(
        Suppression(
            workspace=workspace, customer=o.customer, suppression_type=o.target, date=o.date
        )
        for o in changes
    )
    history = []
    for customer_id, outcomes in _by_customer(changes).items():
        old = before[customer_id]
        new = old + [
            {"suppression_type__name": o.target.name, "date": o.date, "note": ""} for o in outcomes
        ]
        fields = [
            {
                "field": "suppressions",
                "label": "Suppressions",
                "old": _suppressions_text(old),
                "new": _suppressions_text(new),
            }
        ]
        customer = outcomes[0].customer
        history.append(_customer_change(customer, fields, actor, reason))
    Change.objects.bulk_create(history)
    return len(history)


def _write_fulfilments(workspace, changes: list[Outcome], *, actor, reason: str) -> int:
    fulfilments = Fulfilment.objects.bulk_create(
        Fulfilment(
            workspace=workspace,
            customer=o.customer,
            activity=o.target,
            date=o.date,
            fulfilment_type=o.fulfilment_type,
            created_by=actor,
        )
        for o in changes
    )
    if any(fulfilment.pk is None for fulfilment in fulfilments):
        raise RuntimeError("The database did not return the new fulfilments' ids.")
    # Each fulfilment's own History (as fulfilment_create records it), and one line per
    # customer saying what the file added.
    history = [
        change_of(
            instance=fulfilment,
            action=Change.Action.CREATE,
            actor=actor,
            fields=differences({}, snapshot(fulfilment, FULFILMENT_FIELDS)),
            via=VIA,
            reason=reason,
        )
        for fulfilment in fulfilments
    ]
    added: dict[int, list[Fulfilment]] = defaultdict(list)
    customers = {}
    for fulfilment in fulfilments:
        added[fulfilment.customer_id].append(fulfilment)
        customers[fulfilment.customer_id] = fulfilment.customer
    for customer_id, items in added.items():
        fields = [
            {
                "field": "fulfilments",
                "label": "Fulfilments added",
                "old": "",
                "new": "; ".join(str(fulfilment) for fulfilment in items),
            }
        ]
        history.append(_customer_change(customers[customer_id], fields, actor, reason))
    Change.objects.bulk_create(history)
    return len(added)
