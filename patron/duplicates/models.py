"""Duplicate detection (manuals 000 and 003): scans, the pairs they propose, and the pairs a
person has judged not to be duplicates, so those are never proposed again."""

import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.urls import reverse
from django.utils import timezone

from patron.core.models import WorkspaceScoped


class DuplicateScan(WorkspaceScoped):
    """One run of the duplicate scan over a workspace's customers (a background task).

    Progress: `read_count` of `customer_count` customers read, then `compared_count` pairs
    compared. A finished scan's open pairs replace those of the scans before it.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="none when run from the command line",
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    customer_count = models.PositiveIntegerField(default=0, help_text="customers to read")
    read_count = models.PositiveIntegerField(default=0, help_text="customers read so far")
    compared_count = models.PositiveBigIntegerField(default=0, help_text="pairs compared")
    candidate_count = models.PositiveIntegerField(default=0, help_text="likely duplicate pairs")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    via = models.CharField(max_length=20, blank=True, help_text="page, api or command")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Duplicate scan of {self.created_at:%d %b %Y %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("duplicates:scan", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}

    @property
    def percent(self) -> int:
        """Reading is most of what can be counted ahead; comparing shows as the last 10%."""
        if self.state == self.State.DONE:
            return 100
        if not self.customer_count:
            return 0
        return min(90, self.read_count * 90 // self.customer_count)


class Pair(WorkspaceScoped):
    """Two customers in order (customer_a's id below customer_b's), so a pair is one row."""

    customer_a = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    customer_b = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class DuplicateCandidate(Pair):
    """A pair the scan found likely to be one customer, with its score and reasons."""

    class Status(models.TextChoices):
        OPEN = "open", "To review"
        NOT_DUPLICATE = "not_duplicate", "Not a duplicate"
        MERGED = "merged", "Merged"

    scan = models.ForeignKey(
        DuplicateScan, null=True, blank=True, on_delete=models.SET_NULL, related_name="candidates"
    )
    score = models.FloatField(help_text="0 to 1: how likely the two are one customer")
    reasons = models.JSONField(default=list, help_text="why, in words")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "customer_a", "customer_b"], name="unique_duplicate_candidate"
            ),
            models.CheckConstraint(
                condition=models.Q(customer_a__lt=models.F("customer_b")),
                name="duplicate_candidate_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "-score"], name="duplicate_queue_idx")
        ]

    def __str__(self) -> str:
        return f"Possible duplicate: {self.customer_a} and {self.customer_b}"

    def get_absolute_url(self) -> str:
        return reverse("duplicates:pair", args=[self.pk])

    @property
    def reason_text(self) -> str:
        return "; ".join(self.reasons)


class NotDuplicate(Pair):
    """Two customers a person said are different: the scan never proposes them again."""

    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "customer_a", "customer_b"], name="unique_not_duplicate"
            ),
            models.CheckConstraint(
                condition=models.Q(customer_a__lt=models.F("customer_b")),
                name="not_duplicate_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"Not duplicates: {self.customer_a_id} and {self.customer_b_id}"


class ExactJSONEncoder(DjangoJSONEncoder):
    """Keeps a time's microseconds (Django's encoder cuts them to milliseconds), so undo
    puts back the exact value."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


# A merge or undo running this long has lost its worker (bench/merge_bench.py: 1,000
# customers with 200,000 records take seconds).
MERGE_STALE_AFTER = datetime.timedelta(minutes=30)


class CustomerMerge(WorkspaceScoped):
    """Two or more customers made one (issue 6), with all that undoing it needs.

    The survivor took the chosen value of each field; every record hanging off the others
    moved to it, except those it already had (the same list, trait, house account...),
    which were dropped. The others sit in the recycle bin with `merged_into` set. Undo
    puts each field, each moved record and each dropped one back exactly.

    `moved` holds [model label, pk, field, former customer id] rows; `dropped` holds the
    serialized rows removed (with what their delete took along); `survivor_before` and
    `survivor_after` the survivor's changed fields as stored; `candidates` the duplicate
    pairs the merge settled, as they were, and the "not a duplicate" judgements it carried
    over to the survivor.

    A merge that moves many records runs as a background task: it is Queued (with its
    customers and choices) until the task makes it Done, or Failed with the reason. Its
    undo does too: Undoing, then undone (or back to Done with the reason in `error`).
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Merging"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        UNDOING = "undoing", "Undoing"

    survivor = models.ForeignKey(
        "customers.Customer",
        null=True,
        on_delete=models.SET_NULL,
        related_name="merges",
        help_text="none once purged",
    )
    others = models.ManyToManyField(
        "customers.Customer", through="MergedCustomer", related_name="+"
    )
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(max_length=20, blank=True, help_text="page, api or command")
    choices = models.JSONField(default=dict, help_text="field: id of the customer whose value won")
    survivor_before = models.JSONField(default=dict, encoder=ExactJSONEncoder)
    survivor_after = models.JSONField(default=dict, encoder=ExactJSONEncoder)
    moved = models.JSONField(default=list)
    dropped = models.JSONField(default=list, encoder=ExactJSONEncoder)
    candidates = models.JSONField(default=dict, encoder=ExactJSONEncoder)
    summary = models.JSONField(default=list, help_text="what moved and what was dropped, in words")
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.DONE)
    error = models.TextField(blank=True, help_text="why a background merge or undo failed")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Merge {self.pk} into {self.survivor or 'a purged customer'}"

    @property
    def is_pending(self) -> bool:
        """Not run yet (queued, or running in a worker)."""
        return self.state in {self.State.QUEUED, self.State.RUNNING}

    @property
    def is_busy(self) -> bool:
        """A background task is merging or undoing it."""
        return (self.is_pending or self.state == self.State.UNDOING) and not self.is_stale

    @property
    def is_stale(self) -> bool:
        """Running or undoing, but silent for MERGE_STALE_AFTER: its worker died, and its
        transaction changed nothing."""
        return (
            self.state in {self.State.RUNNING, self.State.UNDOING}
            and self.updated_at < timezone.now() - MERGE_STALE_AFTER
        )

    def get_absolute_url(self) -> str:
        return reverse("duplicates:merge_detail", args=[self.pk])

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None


class MergedCustomer(models.Model):
    """One of the customers a merge folded into its survivor; `customer` is none once purged
    (the merge can then no longer be undone), and `number` and `name` say who it was."""

    merge = models.ForeignKey(CustomerMerge, on_delete=models.CASCADE, related_name="members")
    customer = models.ForeignKey(
        "customers.Customer", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    number = models.PositiveIntegerField("customer no.")
    name = models.CharField(max_length=300)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} (no. {self.number})"
