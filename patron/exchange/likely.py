"""Rows an import would create that look like customers already in the workspace (issue 6):
warnings shown before the import starts, by the duplicate engine that the customer form
uses. They are not errors: the import still creates those customers."""

from collections.abc import Callable
from dataclasses import dataclass

from patron.customers.models import Customer
from patron.duplicates.queries import likely_duplicates_of_many
from patron.duplicates.services import FIELDS
from patron.exchange import importing
from patron.exchange.importing import Options
from patron.exchange.reading import Table

CHECKED_ROWS = 2000  # new rows compared with the workspace's customers, at most


@dataclass
class LikelyDuplicate:
    """Row `row` of the file, which would create `name`, looks like `customer`."""

    row: int
    name: str
    customer: Customer
    score: float
    reasons: list[str]

    def __str__(self) -> str:
        return (
            f"Row {self.row} ({self.name}) looks like #{self.customer.number} "
            f"{self.customer}: {'; '.join(self.reasons)}"
        )


class NewRows:
    """Hears of the rows a preview would create and keeps the first `limit` of them."""

    def __init__(self, limit: int = CHECKED_ROWS):
        self.limit = limit
        self.rows: list[tuple[int, str, dict]] = []
        self.more = False  # rows beyond the limit were not kept

    def __call__(self, number: int, customer: Customer) -> None:
        if len(self.rows) >= self.limit:
            self.more = True
            return
        values = {name: getattr(customer, name) for name in FIELDS if name != "id"}
        self.rows.append((number, customer.display_name, values))


def likely_duplicates(workspace, new_rows: NewRows) -> list[LikelyDuplicate]:
    """Each kept new row that likely duplicates an existing customer, with its likeliest."""
    found = likely_duplicates_of_many(
        workspace, [values for _, _, values in new_rows.rows], limit=1
    )
    return [
        LikelyDuplicate(number, name, *matches[0])
        for (number, name, _), matches in zip(new_rows.rows, found, strict=True)
        if matches
    ]


class _Preview(importing._Importer):
    """The import's own preview, telling `new_rows` of each row it would create."""

    def __init__(self, *, new_rows: NewRows, **arguments):
        super().__init__(actor=None, dry_run=True, **arguments)
        self.new_rows = new_rows

    def create(self, number, cells, customer, invalid, batch) -> bool:
        created = super().create(number, cells, customer, invalid, batch)
        if created:
            self.new_rows(number, customer)
        return created


def import_preview(
    *,
    workspace,
    table: Table,
    mapping: dict[int | str, str] | None = None,
    options: Options | None = None,
    progress: Callable[[int], None] | None = None,
    limit: int = CHECKED_ROWS,
) -> tuple[importing.Report, list[LikelyDuplicate], bool]:
    """`importing.import_preview` (the same arguments), plus the likely duplicates among the
    first `limit` rows it would create, and whether it would create more than those."""
    new_rows = NewRows(limit)
    report = _Preview(
        workspace=workspace,
        table=table,
        mapping=mapping,
        options=options or Options(),
        new_rows=new_rows,
    ).run(progress)
    return report, likely_duplicates(workspace, new_rows), new_rows.more
