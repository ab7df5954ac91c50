"""Export of customers to CSV, XLSX and vCard (DESIGN.md, "Data exchange").

Every writer takes an iterator of customers and produces its file piece by piece, so an
export of a million customers never holds them all in memory. The header row uses the
customer fields' own names ("Customer no.", "Mobile phone"...), the ones the import maps
back by itself.
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from openpyxl import Workbook

from patron.customers.models import Customer

CHUNK_SIZE = 2000

# A spreadsheet runs a cell starting with one of these as a formula (or, for tab and CR,
# may drop them and run what follows); OWASP's "CSV injection".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "vcf": "text/vcard; charset=utf-8",
}
FORMATS = tuple(CONTENT_TYPES)


def neutralize(value: Any) -> Any:
    """A text a spreadsheet would run as a formula, quoted so it shows as text.

    Numbers, dates and booleans stay what they are: -5 is a number, not a formula.
    E.164 phones ("+442079460018") are text starting with "+", so they are quoted too.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Customer], Any]


def _label(name: str) -> str:
    return capfirst(Customer._meta.get_field(name).verbose_name)


def _field(name: str) -> Column:
    field = Customer._meta.get_field(name)
    if field.choices:
        return Column(_label(name), lambda c: getattr(c, f"get_{name}_display")() or "")
    if field.get_internal_type() == "BooleanField":
        return Column(_label(name), lambda c: "Yes" if getattr(c, name) else "No")
    return Column(_label(name), lambda c: getattr(c, name))


def _local(moment: datetime | None) -> datetime | None:
    # Spreadsheets know no time zones: the workspace's wall-clock time, to the second.
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)


COLUMNS: list[Column] = [
    *map(_field, ["number", "kind", "title", "title_other"]),
    *map(_field, ["first_name", "middle_name", "last_name", "date_of_birth"]),
    *map(_field, ["address_1", "address_2", "address_3", "city", "state", "postcode"]),
    *map(_field, ["country", "status", "customer_type", "is_external", "external_ref"]),
    *map(_field, ["contact_method", "company_name", "job_title"]),
    *map(_field, ["work_phone", "home_phone", "mobile_phone", "fax", "email"]),
    *map(_field, ["gender", "marital_status"]),
    Column("Organization no.", lambda c: c.organization.number if c.organization else None),
    Column("Organization", lambda c: c.organization.company_name if c.organization else ""),
    _field("job"),
    Column("Category", lambda c: c.category.name if c.category else ""),
    Column("Tags", lambda c: "; ".join(sorted(tag.name for tag in c.tags.all()))),
    *map(_field, ["flag", "marketing_opt_out", "workflow_state"]),
    Column("Created", lambda c: _local(c.created_at)),
    Column("Updated", lambda c: _local(c.updated_at)),
]
HEADERS = [column.header for column in COLUMNS]


def stream(queryset: QuerySet[Customer]) -> Iterator[Customer]:
    """The customers with what the columns read, fetched CHUNK_SIZE at a time."""
    return (
        queryset.select_related("organization", "category")
        .prefetch_related(None)  # only what the columns read (a caller's may be more)
        .prefetch_related("tags")
        .iterator(chunk_size=CHUNK_SIZE)
    )


def rows(customers: Iterable[Customer]) -> Iterator[list[Any]]:
    """Each customer's cells, neutralized, in the order of HEADERS."""
    for customer in customers:
        yield [neutralize(column.value(customer)) for column in COLUMNS]


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def write_csv(customers: Iterable[Customer], rows_per_chunk: int = 500) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, so Excel reads accents right; a chunk per 500 rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(HEADERS)
    for count, row in enumerate(rows(customers), start=1):
        writer.writerow([_csv_cell(value) for value in row])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def write_xlsx(customers: Iterable[Customer], file: IO[bytes]) -> None:
    """An Excel workbook written row by row (openpyxl's write-only mode) into `file`."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Customers")
    sheet.append(HEADERS)
    for row in rows(customers):
        sheet.append(row)
    workbook.save(file)


# vCard 3.0 (RFC 2426): text escapes these, and lines fold at 75 octets.
def _escape(text: str) -> str:
    text = text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _fold(line: str) -> str:
    """The line in pieces of at most 75 octets, never splitting a UTF-8 character."""
    pieces, current, size, limit = [], [], 0, 75
    for char in line:
        octets = len(char.encode())
        if size + octets > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, 74  # a continuation starts with a space
        current.append(char)
        size += octets
    pieces.append("".join(current))
    return "\r\n ".join(pieces) + "\r\n"


def vcard(customer: Customer) -> str:
    """One customer as a vCard 3.0."""
    c = customer
    organization = c.company_name or (c.organization.company_name if c.organization else "")
    if c.is_organization:
        name = ""
    else:
        name = ";".join(
            _escape(part) for part in (c.last_name, c.first_name, c.middle_name, c.display_title)
        )
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"N:{name or ';;;'};", f"FN:{_escape(str(c))}"]
    if organization:
        lines.append(f"ORG:{_escape(organization)}")
    if c.job_title:
        lines.append(f"TITLE:{_escape(c.job_title)}")
    phones = [
        ("WORK,VOICE", c.work_phone),
        ("HOME,VOICE", c.home_phone),
        ("CELL,VOICE", c.mobile_phone),
        ("WORK,FAX", c.fax),
    ]
    lines += [f"TEL;TYPE={kind}:{number}" for kind, number in phones if number]
    if c.email:
        lines.append(f"EMAIL;TYPE=INTERNET:{_escape(c.email)}")
    street = "\n".join(line for line in (c.address_1, c.address_2, c.address_3) if line)
    address = (street, c.city, c.state, c.postcode, c.country)
    if any(address):
        place = "WORK" if c.is_organization else "HOME"
        lines.append(f"ADR;TYPE={place}:;;" + ";".join(_escape(part) for part in address))
    if c.date_of_birth:
        lines.append(f"BDAY:{c.date_of_birth.isoformat()}")
    lines.append(f"NOTE:{_escape(f'Customer no. {c.number}')}")
    lines.append("END:VCARD")
    return "".join(_fold(line) for line in lines)


def write_vcf(customers: Iterable[Customer], cards_per_chunk: int = 200) -> Iterator[bytes]:
    """A .vcf file of one vCard per customer, a chunk per 200 cards."""
    cards = []
    for customer in customers:
        cards.append(vcard(customer))
        if len(cards) == cards_per_chunk:
            yield "".join(cards).encode()
            cards = []
    yield "".join(cards).encode()


def file_name(stem: str, file_format: str) -> str:
    return f"{stem}-{timezone.localdate().isoformat()}.{file_format}"
