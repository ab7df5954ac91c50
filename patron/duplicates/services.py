"""Writes of duplicate detection: starting and running a scan, and judging a pair.

The scan reads the workspace's customers (outside the recycle bin) a chunk at a time,
hands them to the engine (patron/duplicates/engine.py), compares block by block (in two
processes when there is much to compare) and stores the pairs it finds;
a pair marked "not a duplicate" is remembered and never proposed again.
"""

import os
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.utils import timezone

from patron.customers.models import Customer
from patron.duplicates import engine
from patron.duplicates.models import DuplicateCandidate, DuplicateScan, NotDuplicate
from patron.history.models import Change
from patron.history.services import record_change

# What the engine reads of a customer.
FIELDS = [
    "id",
    "kind",
    "first_name",
    "last_name",
    "company_name",
    "date_of_birth",
    "address_1",
    "address_2",
    "address_3",
    "city",
    "state",
    "postcode",
    "email",
    "work_phone",
    "home_phone",
    "mobile_phone",
]
READ_CHUNK = 5000
# Processes comparing a big scan's pairs (see scan_workers), and the pairs from which
# they are worth forking.
SCAN_WORKERS = 2
PARALLEL_FROM = 200_000
SAVE_BATCH = 1000
# A running scan that has said nothing for this long died with its worker: it no longer
# stops a new scan from starting.
STALE_AFTER = timedelta(minutes=30)


@transaction.atomic
def scan_start(*, workspace, actor, via: str = "page") -> DuplicateScan:
    """Queue a scan of the workspace; refused while another one is queued or running."""
    from patron.duplicates.tasks import run_duplicate_scan

    scans = DuplicateScan.objects.select_for_update().filter(workspace=workspace)
    queued = scans.filter(state=DuplicateScan.State.QUEUED)
    running = scans.filter(
        state=DuplicateScan.State.RUNNING, updated_at__gte=timezone.now() - STALE_AFTER
    )
    if queued.exists() or running.exists():
        raise ValidationError(
            "A duplicate scan is already under way; wait for it to finish.", code="busy"
        )
    scan = scan_create(workspace=workspace, actor=actor, via=via)
    pk = scan.pk
    transaction.on_commit(lambda: run_duplicate_scan.enqueue(pk))
    return scan


def scan_create(*, workspace, actor, via: str) -> DuplicateScan:
    scan = DuplicateScan(
        workspace=workspace,
        requested_by=actor if getattr(actor, "pk", None) else None,
        customer_count=Customer.objects.in_workspace(workspace).current().count(),
        via=via,
    )
    scan.full_clean()
    scan.save()
    return scan


def _customers(workspace):
    """The workspace's customers outside the recycle bin, as dicts, a chunk at a time."""
    last = 0
    rows = Customer.objects.in_workspace(workspace).current().order_by("pk").values(*FIELDS)
    while chunk := list(rows.filter(pk__gt=last)[:READ_CHUNK]):
        yield chunk
        last = chunk[-1]["id"]


def scan_workers(blocks: engine.Blocking) -> int:
    """How many processes compare a scan's pairs: all the cores (at most SCAN_WORKERS)
    once there are PARALLEL_FROM pairs or more to compare; below that forking costs more
    than it saves."""
    if blocks.pair_bound() < PARALLEL_FROM:
        return 1
    return max(1, min(SCAN_WORKERS, _cores()))


def _cores() -> int:
    """The cores this process may run on (fewer than the machine's in a container)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def scan_run(*, scan_id: int) -> DuplicateScan:
    """Run a scan: read and block, compare, then store its pairs in one transaction.

    The customers are read a chunk at a time into the engine's compact Blocking (never as
    model instances); a big scan compares its blocks in SCAN_WORKERS forked processes.

    The open pairs of earlier scans are replaced (a pair may have been edited away);
    pairs judged "not a duplicate" or merged stay, and are not proposed again.
    """
    scan = DuplicateScan.objects.select_related("workspace").get(pk=scan_id)
    if scan.is_finished:
        return scan
    jobs = _Progress(scan.pk)
    jobs.update(state=DuplicateScan.State.RUNNING, started_at=timezone.now(), error="")
    try:
        blocks = engine.Blocking()
        for chunk in _customers(scan.workspace):
            for row in chunk:
                blocks.add(engine.prepare(row))
            jobs.update(read_count=len(blocks.records))
        read = len(blocks.records)
        blocks.close()
        judged = set(
            NotDuplicate.objects.in_workspace(scan.workspace).values_list(
                "customer_a_id", "customer_b_id"
            )
        ) | set(
            DuplicateCandidate.objects.in_workspace(scan.workspace)
            .exclude(status=DuplicateCandidate.Status.OPEN)
            .values_list("customer_a_id", "customer_b_id")
        )
        workers = scan_workers(blocks)
        if workers > 1 and not connection.in_atomic_block:
            # The forked workers never use the database; closed, no socket is shared.
            connections.close_all()
        matches = list(
            engine.find_duplicates(
                blocks,
                exclude=lambda a, b: (a, b) in judged,
                progress=lambda n: jobs.update(compared_count=n),
                workers=workers,
            )
        )
        del blocks
        _store(scan, matches)
    except Exception as error:
        jobs.update(
            state=DuplicateScan.State.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    jobs.update(
        state=DuplicateScan.State.DONE,
        read_count=read,
        candidate_count=len(matches),
        finished_at=timezone.now(),
    )
    scan.refresh_from_db()
    return scan


class _Progress:
    """Writes a scan's progress; each write also says the scan is alive (updated_at)."""

    def __init__(self, pk: int):
        self.rows = DuplicateScan.objects.filter(pk=pk)

    def update(self, **values) -> None:
        self.rows.update(updated_at=timezone.now(), **values)


@transaction.atomic
def _store(scan: DuplicateScan, matches: list[engine.Match]) -> None:
    DuplicateCandidate.objects.in_workspace(scan.workspace).filter(
        status=DuplicateCandidate.Status.OPEN
    ).delete()
    DuplicateCandidate.objects.bulk_create(
        (
            DuplicateCandidate(
                workspace_id=scan.workspace_id,
                scan=scan,
                customer_a_id=match.a,
                customer_b_id=match.b,
                score=match.score,
                reasons=match.reasons,
            )
            for match in matches
        ),
        batch_size=SAVE_BATCH,
    )


def _other(customer: Customer) -> str:
    return f"{customer} (customer no. {customer.number})"


@transaction.atomic
def candidate_not_duplicate(
    *, candidate: DuplicateCandidate, actor, via: str = "page"
) -> DuplicateCandidate:
    """Say the pair are two different customers: remembered, in History on both."""
    candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status != DuplicateCandidate.Status.OPEN:
        raise ValidationError(
            f"This pair was already judged: {candidate.get_status_display().lower()}.",
            code="already_judged",
        )
    NotDuplicate.objects.get_or_create(
        workspace_id=candidate.workspace_id,
        customer_a_id=candidate.customer_a_id,
        customer_b_id=candidate.customer_b_id,
        defaults={"marked_by": actor if getattr(actor, "pk", None) else None},
    )
    candidate.status = DuplicateCandidate.Status.NOT_DUPLICATE
    candidate.decided_by = actor if getattr(actor, "pk", None) else None
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    first, second = candidate.customer_a, candidate.customer_b
    for customer, other in ((first, second), (second, first)):
        record_change(
            instance=customer,
            action=Change.Action.UPDATE,
            actor=actor,
            fields=[
                {
                    "field": "not_duplicate_of",
                    "label": "Not a duplicate of",
                    "old": "",
                    "new": _other(other),
                }
            ],
            via=via,
            reason="Marked not a duplicate in the duplicates review",
        )
    return candidate
