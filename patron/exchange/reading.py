"""Reading an import file row by row: CSV in any common encoding and delimiter, or XLSX.

Rows are generated, never held all at once, so a file of a million rows takes the memory
of one batch. A Table can be read again (preview, then run) since it reopens its file.
"""

import codecs
import csv
import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from patron.updates.parsing import DELIMITER_NAMES, clean_cell, reject_binary, sniff_delimiter

SAMPLE_BYTES = 65_536
MAX_COLUMNS = 1000
# A longer cell is not a customer's detail: refuse it rather than hold it.
csv.field_size_limit(1_048_576)


@dataclass
class Table:
    path: Path
    name: str  # the file's name as the user gave it, for History and the report
    file_format: str  # "csv", "xlsx" or "vcf"
    headers: list[str]
    encoding: str = ""
    delimiter: str = ""

    @property
    def delimiter_name(self) -> str:
        return DELIMITER_NAMES.get(self.delimiter, self.delimiter)

    def check(self) -> int:
        """Read the whole file once, so a file that breaks at its end is refused before
        anything is written; the number of rows."""
        return sum(1 for _ in self.rows())

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(row number as a spreadsheet shows it, cells) for each non-blank row under the
        header; cells are stripped text."""
        records = _records(self)
        header_seen = False
        for number, cells in records:
            if any(cells):
                if header_seen:
                    yield number, cells
                header_seen = True


def _records(table: "Table") -> Iterator[tuple[int, list[str]]]:
    if table.file_format == "csv":
        return _csv_records(table)
    if table.file_format == "vcf":
        return _vcard_records(table)
    return _xlsx_records(table.path)


# A vCard file reads as a table of these columns (the customer fields' own labels, so they
# map themselves), one row per card: row 2 is the first card.
VCARD_HEADERS = [
    "Title", "First name", "Middle name", "Last name", "Company name", "Job title", "Email",
    "Work phone", "Home phone", "Mobile phone", "Fax", "Address 1", "Address 2",
    "City/suburb", "State", "Postcode", "Country", "Date of birth",
]  # fmt: skip


def _vcard_unescape(text: str) -> str:
    out, escaped = [], False
    for char in text:
        if escaped:
            out.append("\n" if char in "nN" else char)
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            out.append(char)
    return "".join(out)


def _vcard_parts(value: str) -> list[str]:
    """A structured value's components (N, ADR, ORG), split on unescaped semicolons."""
    parts, current, escaped = [], [], False
    for char in value:
        if escaped:
            current.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ";":
            parts.append(_vcard_unescape("".join(current)).strip())
            current = []
        else:
            current.append(char)
    parts.append(_vcard_unescape("".join(current)).strip())
    return parts


def _vcard_lines(file) -> Iterator[str]:
    """Logical lines: a line starting with a space or tab continues the one before."""
    current = None
    for raw in file:
        line = raw.rstrip("\r\n")
        if line[:1] in (" ", "\t") and current is not None:
            current += line[1:]
            continue
        if current is not None:
            yield current
        current = line
    if current is not None:
        yield current


def _vcard_phone(row: dict[str, str], types: set[str], number: str) -> None:
    if "fax" in types:
        headers = ["Fax"]
    elif types & {"cell", "mobile", "iphone"}:
        headers = ["Mobile phone"]
    elif "work" in types:
        headers = ["Work phone"]
    elif "home" in types:
        headers = ["Home phone"]
    else:
        headers = ["Mobile phone", "Home phone", "Work phone"]
    free = [header for header in headers if not row[header]]
    if free:
        row[free[0]] = number


def _vcard_address(row: dict[str, str], value: str) -> None:
    if row["Address 1"] or row["Postcode"]:
        return  # the first address only: the parts of two must not mix
    parts = _vcard_parts(value) + [""] * 7
    street = [line.strip() for line in parts[2].split("\n") if line.strip()]
    extended = [parts[1]] if parts[1] else []
    lines = street + extended
    row["Address 1"] = lines[0] if lines else ""
    row["Address 2"] = ", ".join(lines[1:])
    row["City/suburb"], row["State"], row["Postcode"], row["Country"] = parts[3:7]


def _vcard_birthday(value: str) -> str:
    text = _vcard_unescape(value).strip()
    if text.startswith("--"):
        return ""  # no year
    if len(text) >= 8 and text[:8].isdigit():  # 19850315
        return f"{text[:4]}-{text[4:6]}-{text[6:8]}"
    return text[:10]


def _vcard_row(properties: list[tuple[str, set[str], str]]) -> list[str]:
    row = dict.fromkeys(VCARD_HEADERS, "")
    full_name = ""
    for name, types, value in properties:
        if name == "N" and not row["Last name"]:
            parts = _vcard_parts(value) + [""] * 4
            row["Last name"], row["First name"], row["Middle name"], row["Title"] = parts[:4]
        elif name == "ORG" and not row["Company name"]:
            row["Company name"] = _vcard_parts(value)[0]
        elif name == "TITLE" and not row["Job title"]:
            row["Job title"] = _vcard_unescape(value)
        elif name == "EMAIL" and not row["Email"]:
            row["Email"] = _vcard_unescape(value).removeprefix("mailto:")
        elif name == "TEL":
            _vcard_phone(row, types, _vcard_unescape(value).removeprefix("tel:"))
        elif name == "ADR":
            _vcard_address(row, value)
        elif name == "BDAY" and not row["Date of birth"]:
            row["Date of birth"] = _vcard_birthday(value)
        elif name == "FN":
            full_name = _vcard_unescape(value).strip()
    if full_name and not (row["Last name"] or row["First name"] or row["Company name"]):
        row["First name"], _, row["Last name"] = full_name.rpartition(" ")
    return [row[header] for header in VCARD_HEADERS]


def _vcard_records(table: "Table") -> Iterator[tuple[int, list[str]]]:
    """vCards 3.0 and 4.0 (RFC 2426, RFC 6350), as phones and address books export them."""
    yield 1, list(VCARD_HEADERS)
    with table.path.open(encoding=table.encoding, errors="replace", newline="") as file:
        properties: list[tuple[str, set[str], str]] | None = None
        number = 1
        for line in _vcard_lines(file):
            head, colon, value = line.partition(":")
            if not colon:
                continue
            name, *params = head.split(";")
            name = name.rsplit(".", 1)[-1].upper()  # "item1.EMAIL" is an EMAIL
            if name == "BEGIN" and value.strip().upper() == "VCARD":
                properties = []
            elif name == "END" and properties is not None:
                number += 1
                yield number, [clean_cell(cell) for cell in _vcard_row(properties)]
                properties = None
            elif properties is not None:
                types = set()
                for param in params:
                    key, equals, listed = param.partition("=")
                    words = listed if equals and key.upper() == "TYPE" else key
                    types.update(word.strip('"').lower() for word in words.split(","))
                properties.append((name, types, value))


def _detect_encoding(path: Path) -> str:
    """UTF-8 (a byte-order mark is dropped) when the whole file decodes as UTF-8, else
    Windows-1252, what Excel on Windows saves. Read in blocks: memory stays flat."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as file:
        try:
            while block := file.read(1_048_576):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def _csv_records(table: Table) -> Iterator[tuple[int, list[str]]]:
    with table.path.open(encoding=table.encoding, errors="replace", newline="") as file:
        reader = csv.reader(file, delimiter=table.delimiter)
        try:
            for number, cells in enumerate(reader, start=1):
                yield number, [clean_cell(cell) for cell in cells]
        except csv.Error as error:
            raise ValidationError(
                f"The file could not be read as CSV near line {reader.line_num}: {error}.",
                code="csv",
            ) from error


def _xlsx_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 1043.0 is what the user typed as 1043
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return clean_cell(str(value))


def _xlsx_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ValidationError(
            f"The file could not be read as an Excel workbook (.xlsx): {error}.", code="xlsx"
        ) from error
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_xlsx_cell(value) for value in values]
            while cells and not cells[-1]:
                cells.pop()
            yield number, cells
    finally:
        workbook.close()


def open_table(
    path: str | Path, *, name: str = "", encoding: str = "", delimiter: str = ""
) -> Table:
    """The file's format, encoding, delimiter and header row; ValidationError for a file
    that cannot be imported. `encoding` and `delimiter` override the detected ones."""
    path = Path(path)
    name = name or path.name
    with path.open("rb") as file:
        head = file.read(SAMPLE_BYTES)
    if not head.strip():
        raise ValidationError("The file is empty.", code="empty")
    if head.startswith(b"PK\x03\x04"):
        table = Table(path=path, name=name, file_format="xlsx", headers=[])
    else:
        reject_binary(head)
        encoding = encoding or _detect_encoding(path)
        try:
            sample = head.decode(encoding, errors="ignore")
        except LookupError as error:
            raise ValidationError(f"“{encoding}” is not an encoding.", code="encoding") from error
        if sample.lstrip("\ufeff \r\n").upper().startswith("BEGIN:VCARD"):
            table = Table(path=path, name=name, file_format="vcf", headers=[], encoding=encoding)
        else:
            table = Table(
                path=path,
                name=name,
                file_format="csv",
                headers=[],
                encoding=encoding,
                delimiter=delimiter or sniff_delimiter(sample.lstrip("\ufeff")),
            )
    records = _records(table)
    header = next((cells for _, cells in records if any(cells)), None)
    records.close()
    if header is None:
        raise ValidationError("The file has no rows.", code="empty")
    if len(header) > MAX_COLUMNS:
        raise ValidationError(
            f"The file has {len(header):,} columns; an import takes at most {MAX_COLUMNS:,}.",
            code="too_many_columns",
        )
    table.headers = header
    if next(table.rows(), None) is None:
        raise ValidationError("The file has a header row but no rows under it.", code="empty")
    return table
