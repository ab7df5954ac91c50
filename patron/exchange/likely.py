"""Rows an import would create that look like customers already in the workspace (issue 6):
warnings shown before the import starts, by the duplicate engine that the customer form
uses. They are not errors: the import still creates those customers.

The import's dry run looks them up batch by batch as it goes (one query per 50 new rows,
`likely_duplicates_of_many`), keeping the first few and counting all, so a whole file's
check costs no more memory at a million rows than at a thousand."""

from collections.abc import Callable
from dataclasses import MISSING, Field, dataclass, field, fields
from typing import get_origin

from django.urls import reverse

from patron.customers.models import Customer
from patron.duplicates.queries import likely_duplicates_of_many
from patron.duplicates.services import FIELDS
from patron.exchange import importing
from patron.exchange.importing import Options
from patron.exchange.reading import Table

# A page's or the API's own check (in its request) compares at most this many new rows.
CHECKED_ROWS = 2000
# The likely duplicates a check keeps to show; it counts them all.
KEPT = 1000


@dataclass
class LikelyDuplicate:
    """Row `row` of the file, which would create `name`, looks like the existing customer
    `customer` (its id): as found, so that it can be kept as JSON and shown later."""

    row: int
    name: str
    customer: int
    customer_number: int
    customer_name: str
    score: float
    reasons: list[str]

    def __str__(self) -> str:
        return (
            f"Row {self.row} ({self.name}) looks like #{self.customer_number} "
            f"{self.customer_name}: {'; '.join(self.reasons)}"
        )

    @property
    def url(self) -> str:
        return reverse("customers:detail", args=[self.customer])

    @classmethod
    def from_kept(cls, kept: dict) -> "LikelyDuplicate":
        """One kept as JSON (a check's `duplicates`), maybe by a version of this class
        with other fields: a field it has no longer is ignored, one it had not yet is
        empty (its default, 0, "" or [])."""
        return cls(
            **{
                item.name: kept[item.name] if item.name in kept else _empty(item)
                for item in fields(cls)
            }
        )


def _empty(item: Field) -> object:
    if item.default is not MISSING:
        return item.default
    if item.default_factory is not MISSING:
        return item.default_factory()
    kind = get_origin(item.type) or item.type
    return kind() if kind in (int, float, str, list, dict) else None


@dataclass
class Found:
    """The likely duplicates among the rows an import would create: the first `kept`,
    how many in all, and whether rows to create were left uncompared (past a limit)."""

    kept: list[LikelyDuplicate] = field(default_factory=list)
    count: int = 0
    complete: bool = True


class _Preview(importing._Importer):
    """The import's dry run, also comparing each batch's rows to create with the workspace's
    customers once the batch is planned (when a row merged into an earlier one of the
    batch has been), up to `limit` rows to create in all (None: every one)."""

    def __init__(self, *, limit: int | None = None, kept: int = KEPT, **arguments):
        super().__init__(actor=None, dry_run=True, **arguments)
        self.limit = limit
        self.kept = kept
        self.found = Found()
        self.to_compare: list[tuple[int, Customer]] = []  # the batch's rows to create
        self.compared = 0

    def create(self, number, cells, customer, invalid, batch) -> bool:
        created = super().create(number, cells, customer, invalid, batch)
        if created:
            if self.limit is not None and self.compared + len(self.to_compare) >= self.limit:
                self.found.complete = False
            else:
                self.to_compare.append((number, customer))
        return created

    def plan(self, rows, batch, prepared=None) -> None:
        super().plan(rows, batch, prepared)
        self.compare()

    def compare(self) -> None:
        """The batch's rows to create, looked up together; the first found are kept."""
        rows, self.to_compare = self.to_compare, []
        if not rows:
            return
        self.compared += len(rows)
        values = [
            {name: getattr(customer, name) for name in FIELDS if name != "id"}
            for _, customer in rows
        ]
        matches = likely_duplicates_of_many(self.workspace, values, limit=1)
        for (number, customer), found in zip(rows, matches, strict=True):
            if not found:
                continue
            self.found.count += 1
            if len(self.found.kept) < self.kept:
                existing, score, reasons = found[0]
                self.found.kept.append(
                    LikelyDuplicate(
                        row=number,
                        name=customer.display_name,
                        customer=existing.pk,
                        customer_number=existing.number,
                        customer_name=str(existing),
                        score=round(score, 3),
                        reasons=list(reasons),
                    )
                )


def import_preview(
    *,
    workspace,
    table: Table,
    mapping: dict[int | str, str] | None = None,
    options: Options | None = None,
    progress: Callable[[int], None] | None = None,
    limit: int | None = CHECKED_ROWS,
    kept: int = KEPT,
    batch_size: int = importing.BATCH_SIZE,
) -> tuple[importing.Report, Found]:
    """`importing.import_preview` (the same arguments), plus the likely duplicates among the
    first `limit` rows it would create (None: all of them), the first `kept` of them."""
    preview = _Preview(
        workspace=workspace,
        table=table,
        mapping=mapping,
        options=options or Options(),
        limit=limit,
        kept=kept,
        batch_size=batch_size,
    )
    return preview.run(progress), preview.found
