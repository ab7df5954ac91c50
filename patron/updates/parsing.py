"""Reading a bulk-update CSV file: its encoding, its delimiter, its columns.

Customers are named by their customer no. (the number on the customer's page and in
searches), never by the database id: that is the number users see and type.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 100_000
DELIMITERS = ",;\t|"
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool
    help: str
    words: frozenset[str]  # header words that name it, lower case, letters and digits only


CUSTOMER = Column(
    "customer",
    "Customer no.",
    True,
    "The customer no. shown on the customer's page (not the number in its web address).",
    frozenset(
        {"customerno", "customerid", "customernumber", "customer", "custno", "custid", "no", "id"}
    ),
)
TRAIT = Column(
    "trait",
    "Trait",
    True,
    "The trait's name, as in Marketing set-up (capitals do not matter).",
    frozenset({"trait", "traitname", "traits"}),
)
SUPPRESSION = Column(
    "suppression",
    "Suppression",
    True,
    "The suppression type's name, e.g. Do not email (capitals do not matter).",
    frozenset({"suppression", "suppressionname", "suppressiontype", "suppressions", "type"}),
)
SUPPRESSION_DATE = Column(
    "date",
    "Date",
    False,
    "Optional: the date the suppression starts (23/11/2026 or 2026-11-23); today if empty.",
    frozenset({"date", "since", "from", "suppressiondate"}),
)
FULFILMENT_DATE = Column(
    "date",
    "Date",
    True,
    "The date of the fulfilment: 23/11/2026 or 2026-11-23.",
    frozenset({"date", "fulfilmentdate", "fulfillmentdate"}),
)
FULFILMENT_TYPE = Column(
    "type",
    "Type",
    True,
    "What was done, e.g. Send brochure.",
    frozenset({"type", "fulfilmenttype", "fulfillmenttype", "fulfilment", "fulfillment"}),
)
ACTIVITY = Column(
    "activity",
    "Activity",
    False,
    "The activity no. or the activity's name; may be empty when Ref. code is given.",
    frozenset({"activity", "activityno", "activitynumber", "activityname", "activityid"}),
)
REFERENCE_CODE = Column(
    "reference_code",
    "Ref. code",
    False,
    "The activity's reference code, e.g. SPRING27; may be empty when Activity is given.",
    frozenset({"refcode", "referencecode", "ref", "reference", "code", "activityrefcode"}),
)

# The columns of each kind of file, in the order a file without a header gives them.
COLUMNS: dict[str, list[Column]] = {
    "suppressions": [CUSTOMER, SUPPRESSION, SUPPRESSION_DATE],
    "traits": [CUSTOMER, TRAIT],
    "fulfilments": [CUSTOMER, FULFILMENT_DATE, FULFILMENT_TYPE, ACTIVITY, REFERENCE_CODE],
}

SAMPLES: dict[str, list[list[str]]] = {
    "suppressions": [
        ["Customer no.", "Suppression", "Date"],
        ["1043", "Do not email", ""],
        ["1044", "Gone away", "23/11/2026"],
    ],
    "traits": [["Customer no.", "Trait"], ["1043", "Golfer"], ["1044", "Golfer"]],
    "fulfilments": [
        ["Customer no.", "Date", "Type", "Activity", "Ref. code"],
        ["1043", "23/11/2026", "Send brochure", "12", ""],
        ["1044", "2026-11-24", "More information", "", "SPRING27"],
    ],
}


@dataclass
class Row:
    """One record of the file. `number` is its row in a spreadsheet (the header is row 1).
    `values` holds the cells of the file's known columns that the row reaches."""

    number: int
    values: dict[str, str]
    extra: list[str] = field(default_factory=list)


@dataclass
class ParsedFile:
    columns: list[Column]  # the known columns the file has, in the file's order
    rows: list[Row]
    delimiter: str
    has_header: bool
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def delimiter_name(self) -> str:
        return DELIMITER_NAMES[self.delimiter]


def decode(content: bytes) -> str:
    """The file's text: UTF-8 (with or without a byte-order mark), else Windows-1252, the
    encoding of a CSV saved by Excel on Windows."""
    check_size(len(content))
    reject_binary(content)
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError as error:
        raise ValidationError(
            f"The file's text could not be read (byte {error.start + 1}): save it as CSV in UTF-8.",
            code="encoding",
        ) from error


def reject_binary(head: bytes) -> None:
    """Refuse a spreadsheet or other binary file given where a CSV file is expected; `head`
    is the file or its first block."""
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationError(
            "This is a spreadsheet (Excel) file, not CSV: save it as CSV (comma delimited) "
            "and upload that.",
            code="not_csv",
        )
    if b"\x00" in head:
        raise ValidationError(
            "This is not a text file: upload a CSV file (UTF-8 or Windows-1252).",
            code="not_csv",
        )


def check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise ValidationError(
            f"The file is {content_size(size)}; the largest accepted is "
            f"{content_size(MAX_BYTES)}. Split it into smaller files.",
            code="too_large",
        )


def content_size(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{size / 1024:.0f} KB"


def header_word(cell: str) -> str:
    return re.sub(r"[^a-z0-9]", "", cell.lower())


def sniff_delimiter(text: str) -> str:
    sample = "\n".join(text[:65_536].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        pass
    # One-row files and files with uneven rows: the candidate seen most in the first line.
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: first.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def clean_cell(cell: str) -> str:
    return cell.replace("\xa0", " ").strip()


def _is_header(cells: list[str], columns: list[Column]) -> bool:
    """A first row is a header when it names at least one of the kind's columns and does
    not start with a customer no."""
    known = {word for column in columns for word in column.words}
    if cells and cells[0].isdigit():
        return False
    return any(header_word(cell) in known for cell in cells)


def _header_columns(cells: list[str], columns: list[Column]) -> tuple[list, list[str]]:
    """The column each header cell names (None for one it does not), and the unknown ones."""
    found: list[Column | None] = []
    ignored = []
    seen: dict[str, str] = {}
    for cell in cells:
        column = next((c for c in columns if header_word(cell) in c.words), None)
        if column is not None and column.key in seen:
            raise ValidationError(
                f"The header names the column {column.label} twice (“{seen[column.key]}” and "
                f"“{cell}”): keep one.",
                code="header",
            )
        if column is None and cell:
            ignored.append(cell)
        if column is not None:
            seen[column.key] = cell
        found.append(column)
    missing = [c.label for c in columns if c.required and c.key not in seen]
    if missing:
        raise ValidationError(
            f"The header row has no {' or '.join(missing)} column. Its columns are: "
            f"{', '.join(cell for cell in cells if cell) or '(none)'}; expected: "
            f"{', '.join(c.label for c in columns)}.",
            code="header",
        )
    return found, ignored


def parse(text: str, kind: str) -> ParsedFile:
    """Split the text into rows of the kind's columns. Problems with the whole file (no
    rows, a header without a needed column, too many rows) raise ValidationError; problems
    of one row are left for the validation of that row."""
    columns = COLUMNS[kind]
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records = []
    try:
        # Rows are numbered as a spreadsheet shows them: by record, counting the header and
        # blank rows (a cell with a line break in it is still one row).
        for number, cells in enumerate(reader, start=1):
            cells = [clean_cell(cell) for cell in cells]
            if any(cells):
                records.append((number, cells))
            if len(records) > MAX_ROWS + 1:
                break
    except csv.Error as error:
        raise ValidationError(
            f"The file could not be read as CSV near line {reader.line_num}: {error}.",
            code="csv",
        ) from error
    if not records:
        raise ValidationError("The file has no rows.", code="empty")

    has_header = _is_header(records[0][1], columns)
    ignored: list[str] = []
    if has_header:
        positions, ignored = _header_columns(records[0][1], columns)
        records = records[1:]
        if not records:
            raise ValidationError("The file has a header row but no rows under it.", code="empty")
    else:
        positions = list(columns)
    if len(records) > MAX_ROWS:
        raise ValidationError(
            f"The file has more than {MAX_ROWS:,} rows: split it into smaller files.",
            code="too_many_rows",
        )

    rows = []
    for number, cells in records:
        values: dict[str, str] = {}
        extra = []
        for index, cell in enumerate(cells):
            column = positions[index] if index < len(positions) else None
            if column is not None:
                values[column.key] = cell
            elif cell and not has_header:
                extra.append(cell)
        rows.append(Row(number=number, values=values, extra=extra))
    present = [column for column in columns if column in positions]
    return ParsedFile(
        columns=present,
        rows=rows,
        delimiter=delimiter,
        has_header=has_header,
        ignored_columns=ignored,
    )


# What the app's forms take (LANGUAGE_CODE en-gb: Django's en_GB DATE_INPUT_FORMATS, and
# ISO from date inputs), fixed here so a command reads a file as a page does.
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]


def parse_date(value: str) -> datetime.date:
    """23/11/2026 (day first, as in the UK), 23/11/26, or ISO 2026-11-23."""
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, date_format).date()
        except ValueError:
            continue
    raise ValidationError(
        f"“{value}” is not a date: write it as 23/11/2026 or 2026-11-23.", code="date"
    )


def parse_customer_number(value: str) -> int:
    # Spreadsheets sometimes write whole numbers as 1043.0.
    match = re.fullmatch(r"#?(\d{1,10})(?:\.0+)?", value)
    if not match:
        raise ValidationError(
            f"“{value}” is not a customer no.: give the number shown on the customer's page, "
            "e.g. 1043.",
            code="customer_number",
        )
    return int(match.group(1))


def sample_csv(kind: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(SAMPLES[kind])
    return out.getvalue()
