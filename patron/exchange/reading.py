"""Reading an import file row by row: CSV in any common encoding and delimiter, XLSX, or
vCard.

Rows are generated, never held all at once, so a file of a million rows takes the memory
of one batch. A Table can be read again (preview, then run) since it reopens its file.

A file is checked before its first row is used: `open_table` reads all of a text file once
(its encoding, NUL bytes, lines longer than a cell may be) and the directory of a workbook
(its parts' sizes and compression ratios), so a hostile file is refused in a second or two
with memory bounded, and nothing is written. What each kind of file gives:

- CSV: every cell as text, as written. "=cmd|' /C calc'!A0" is stored as that text: it is
  never run here, pages escape it, and Patron's exports quote such cells for spreadsheets.
- XLSX: the first sheet's values. A formula cell gives the value the spreadsheet last
  calculated and saved with the file (what the user saw), never the formula and never a
  value Patron computes; a workbook saved by a program that does not calculate has no such
  value, and the cell reads as empty.
- vCard 2.1, 3.0 and 4.0 as phones and address books export them (see `_vcard_records`).
"""

import codecs
import csv
import datetime
import quopri
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from django.core.exceptions import ValidationError
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from patron.updates.parsing import DELIMITER_NAMES, clean_cell, reject_binary, sniff_delimiter

SAMPLE_BYTES = 65_536
MAX_COLUMNS = 1000
# A longer cell or line is not a customer's detail: refuse it rather than hold it.
MAX_CELL_CHARS = 1_048_576
csv.field_size_limit(MAX_CELL_CHARS)

# A workbook is a ZIP archive: its directory says how big each part unpacks, before a byte
# is unpacked (zipfile never inflates a part past the size its directory gives).
MAX_WORKBOOK_PARTS = 5_000
MAX_COMPRESSION_RATIO = 100  # XML sheets pack 5 to 20 times; a zip bomb a thousand times
RATIO_CHECKED_FROM = 1_048_576  # small parts may pack better without being a threat
MAX_SHARED_STRINGS_BYTES = 64 * 1_048_576  # openpyxl holds the whole table in memory
MAX_OTHER_PART_BYTES = 16 * 1_048_576  # styles, workbook...: read whole as well
STREAMED_PARTS = ("xl/worksheets/", "xl/media/", "xl/embeddings/")  # read as a stream or never

# Files that are not text, by their first bytes, so the message can say what they are.
SIGNATURES = [
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"{\\rtf", "an RTF document"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
]
ENCODING_NAMES = {"utf-8-sig": "UTF-8", "cp1252": "Windows-1252"}
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BOMS = [  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


@dataclass
class Table:
    path: Path
    name: str  # the file's name as the user gave it, for History and the report
    file_format: str  # "csv", "xlsx" or "vcf"
    headers: list[str]
    encoding: str = ""
    delimiter: str = ""
    long_line: int = 0  # the first line longer than a cell may be: reading stops there

    @property
    def delimiter_name(self) -> str:
        return DELIMITER_NAMES.get(self.delimiter, self.delimiter)

    def check(self) -> int:
        """Read the whole file once, so a file that breaks at its end is refused before
        anything is written; the number of rows. (A CSV's cells are not cleaned for this:
        whether a row is blank is all it needs.)"""
        return sum(1 for _ in self.rows(clean=False))

    def rows(self, *, clean: bool = True) -> Iterator[tuple[int, list[str]]]:
        """(row number as a spreadsheet shows it, cells) for each non-blank row under the
        header; cells are stripped text (with `clean`; otherwise a CSV's are as read)."""
        records = _records(self, clean=clean)
        header_seen = False
        for number, cells in records:
            if any(cells) if clean else any(map(clean_cell, cells)):
                if header_seen:
                    yield number, cells
                header_seen = True

    def row_problem(self, cells: list[str]) -> str:
        """Why a row's cells do not line up with the header ("" when they do): a value
        beyond the last column. Such a row is usually a delimiter typed inside a cell
        without quotes, so its values would land in the wrong fields: the importer refuses
        the row with this reason. A row with fewer cells is taken as it is, its last
        columns empty: many programs leave out trailing empty cells."""
        width = len(self.headers)
        if len(cells) > width and any(cells[width:]):
            return (
                f"{len(cells)} cells where the header has {width} columns "
                f"(a value beyond the last column: a {self.delimiter_name or 'delimiter'} "
                "inside a cell that is not in quotes?)."
            )
        return ""


def _records(table: "Table", *, clean: bool = True) -> Iterator[tuple[int, list[str]]]:
    if table.file_format == "csv":
        return _csv_records(table, clean=clean)
    if table.file_format == "vcf":
        return _vcard_records(table)
    return _xlsx_records(table.path)


# --- Text files: encoding, NUL bytes, line lengths ---------------------------------------


def _scan_text(path: Path, encoding: str) -> int:
    """Decode the whole file in blocks, strictly: UnicodeDecodeError if it is not in
    `encoding`, ValidationError for a NUL character. The number of the first line longer
    than a cell may be (0 if none): reading stops before it, so it is never held. Memory
    stays flat: one block at a time."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    line = 1  # the line the block starts on
    run = 0  # characters since the last line break
    with path.open("rb") as file:
        while True:
            block = file.read(1_048_576)
            try:
                text = decoder.decode(block, final=not block)
            except UnicodeDecodeError as error:
                error.line = line + block[: error.start].count(b"\n")
                raise
            if "\x00" in text:
                at = line + text[: text.index("\x00")].count("\n")
                raise ValidationError(
                    f"Line {at} has a NUL character (byte 0): the file is damaged or is not "
                    "a text file. Save it again as CSV (UTF-8).",
                    code="nul",
                )
            breaks = [i for i in (text.find("\n"), text.find("\r")) if i >= 0]
            if breaks and run + min(breaks) > MAX_CELL_CHARS:
                return line
            if breaks:
                run = len(text) - 1 - max(text.rfind("\n"), text.rfind("\r"))
            else:
                run += len(text)
            if run > MAX_CELL_CHARS:  # a line runs on past this block: it is the last one
                return line + text.count("\n")
            line += text.count("\n")
            if not block:
                return 0


def _too_long(table: "Table") -> ValidationError:
    return ValidationError(
        f"The file could not be read as CSV near line {table.long_line}: the line is longer "
        f"than {MAX_CELL_CHARS:,} characters, which is not a customer's details (is this the "
        "right file?).",
        code="long_line",
    )


def _utf16_without_mark(head: bytes) -> str:
    """UTF-16 saved without a byte-order mark shows as text with every other byte NUL."""
    sample = head[:4096] if len(head) % 2 == 0 else head[:4095]
    if len(sample) < 4:
        return ""
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and not even.count(0):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and not odd.count(0):
        return "utf-16-be"
    return ""


def _check_text_head(head: bytes, name: str) -> None:
    """Refuse a binary file (a PDF, an image, an old .xls...) given as a text file."""
    for signature, what in SIGNATURES:
        if head.startswith(signature):
            raise ValidationError(
                f"{name} is {what}, not a CSV, XLSX or vCard file.", code="not_text"
            )
    reject_binary(head)
    # \v is FileMaker's line break inside a cell; \x1a ends old DOS text files.
    controls = sum(1 for byte in head if byte < 32 and byte not in b"\t\n\v\f\r\x1a")
    if controls > len(head) // 100:
        raise ValidationError(
            f"{name} is not a text file: upload a CSV file (UTF-8 or Windows-1252).",
            code="not_csv",
        )


def _text_encoding(path: Path, head: bytes, encoding: str) -> tuple[str, int]:
    """The given encoding, checked over the whole file, or the detected one: a byte-order
    mark says it (UTF-8, UTF-16 or UTF-32); else UTF-8 when the whole file decodes as
    UTF-8, else Windows-1252, what Excel on Windows saves. With it, the first line too
    long to read (0 if none)."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError as error:
            raise ValidationError(f"“{encoding}” is not an encoding.", code="encoding") from error
        candidates = [encoding]
    else:
        marked = next((name for bom, name in BOMS if head.startswith(bom)), "")
        candidates = [marked] if marked else ["utf-8-sig", "cp1252"]
    for candidate in candidates:
        try:
            return candidate, _scan_text(path, candidate)
        except UnicodeDecodeError as error:
            problem = error
    byte = problem.object[problem.start : problem.start + 1].hex().upper()
    tried = " nor ".join(ENCODING_NAMES.get(name, name) for name in candidates)
    raise ValidationError(
        f"Line {problem.line} has a byte (0x{byte}) that is not {tried} text: choose the "
        "file's encoding (Excel on Windows saves Windows-1252, cp1252), or save it as "
        "CSV UTF-8.",
        code="encoding",
    ) from problem


def _csv_records(table: Table, *, clean: bool = True) -> Iterator[tuple[int, list[str]]]:
    with table.path.open(encoding=table.encoding, newline="") as file:
        lines = islice(file, table.long_line - 1) if table.long_line else file
        reader = csv.reader(lines, delimiter=table.delimiter)
        try:
            if not clean:
                yield from enumerate(reader, start=1)
            else:
                for number, cells in enumerate(reader, start=1):
                    yield number, [clean_cell(cell) for cell in cells]
            if table.long_line:
                raise _too_long(table)
        except csv.Error as error:
            raise ValidationError(
                f"The file could not be read as CSV near line {reader.line_num}: {error}.",
                code="csv",
            ) from error
        except UnicodeDecodeError as error:  # the file changed since it was checked
            raise ValidationError(
                f"The file could not be read as {table.encoding} near line {reader.line_num}.",
                code="encoding",
            ) from error


# --- vCard --------------------------------------------------------------------------------

# A vCard file reads as a table of these columns (the customer fields' own labels, so they
# map themselves), one row per card: row 2 is the first card.
VCARD_HEADERS = [
    "Title", "First name", "Middle name", "Last name", "Company name", "Job title", "Email",
    "Work phone", "Home phone", "Mobile phone", "Fax", "Address 1", "Address 2",
    "City/suburb", "State", "Postcode", "Country", "Date of birth",
]  # fmt: skip
# Properties holding pictures, sounds or keys: their (base64) lines are passed over unread.
VCARD_BINARY = {"PHOTO", "LOGO", "SOUND", "KEY"}


@dataclass
class _Property:
    group: str  # Apple's "item1" in "item1.TEL": its X-ABLabel names what TEL is
    name: str
    params: dict[str, list[str]]  # upper-case names; a bare 2.1 "CELL" is a TYPE
    value: str

    @property
    def types(self) -> set[str]:
        return {word.lower() for word in self.params.get("TYPE", [])}


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


def _split_unquoted(text: str, separator: str, limit: int = -1) -> list[str]:
    """`text` split on `separator` outside double quotes (a 4.0 LABEL="a;b:c" is one)."""
    parts, start, quoted = [], 0, False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == separator and not quoted and limit != 0:
            parts.append(text[start:index])
            start = index + 1
            limit -= 1
    parts.append(text[start:])
    return parts


def _is_quoted_printable(head: str) -> bool:
    return "QUOTED-PRINTABLE" in head.upper()


def _vcard_lines(file) -> Iterator[tuple[int, str]]:
    """(first line number, logical line). A line starting with a space or tab continues
    the one before (3.0, 4.0 and 2.1 base64); in 2.1 a quoted-printable value ending in
    "=" goes on at the next line. Pictures are passed over, not gathered."""
    current, start, skipping = None, 0, False
    for number, raw in enumerate(file, start=1):
        line = raw.rstrip("\r\n")
        if current is not None:
            if line[:1] in (" ", "\t"):
                if not skipping:
                    current += line[1:]
                    if len(current) > MAX_CELL_CHARS:
                        raise ValidationError(
                            f"The vCard line starting on line {start} is longer than "
                            f"{MAX_CELL_CHARS:,} characters.",
                            code="long_line",
                        )
                continue
            head = current.partition(":")[0]
            if current.endswith("=") and _is_quoted_printable(head) and not skipping:
                current += "\n" + line  # the soft break is removed when decoding
                continue
            yield start, current
        current, start = line, number
        name = _split_unquoted(current, ":", 1)[0].split(";", 1)[0].rsplit(".", 1)[-1]
        skipping = name.upper() in VCARD_BINARY
    if current is not None:
        yield start, current


def _vcard_property(line: str) -> _Property | None:
    head, *rest = _split_unquoted(line, ":", 1)
    if not rest:
        return None  # a base64 line of 2.1 without indent, or a blank line
    name, *raw_params = _split_unquoted(head, ";")
    group, _, name = name.rpartition(".")
    params: dict[str, list[str]] = {}
    for param in raw_params:
        key, equals, listed = param.partition("=")
        if not equals:  # 2.1: "TEL;CELL;PREF:", "NOTE;QUOTED-PRINTABLE:"
            key, listed = (
                ("ENCODING" if key.upper() in {"QUOTED-PRINTABLE", "BASE64"} else "TYPE"),
                key,
            )
        words = [word.strip().strip('"') for word in _split_unquoted(listed, ",")]
        params.setdefault(key.strip().upper(), []).extend(words)
    value = rest[0]
    encoding = {word.upper() for word in params.get("ENCODING", [])}
    if "QUOTED-PRINTABLE" in encoding:
        charset = (params.get("CHARSET") or ["utf-8"])[0]
        raw = quopri.decodestring(value.replace("=\n", "").encode("latin-1", "replace"))
        try:
            value = raw.decode(charset, errors="replace")
        except LookupError:
            value = raw.decode("utf-8", errors="replace")
    return _Property(group.upper(), name.upper(), params, value)


def _apple_label(value: str) -> set[str]:
    """Apple's custom labels: "_$!<Mobile>!$_", "_$!<WorkFAX>!$_" or the user's own words."""
    text = value.strip().removeprefix("_$!<").removesuffix(">!$_").lower()
    words = set(text.replace("-", " ").split())
    if "fax" in text:
        words.add("fax")
    if text.startswith("work"):
        words.add("work")
    if text.startswith("home"):
        words.add("home")
    return words


def _vcard_phone(row: dict[str, str], types: set[str], number: str) -> None:
    if "fax" in types or any(word.endswith("fax") for word in types):
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


def _vcard_birthday(prop: _Property) -> str:
    text = _vcard_unescape(prop.value).strip()
    if text.startswith("--"):
        return ""  # 4.0's "--0315": no year
    # Apple writes a birthday without a year in the year 1604 and says so in a parameter.
    omitted = prop.params.get("X-APPLE-OMIT-YEAR")
    if omitted and text.startswith(omitted[0]):
        return ""
    if len(text) >= 8 and text[:8].isdigit():  # 19850315
        return f"{text[:4]}-{text[4:6]}-{text[6:8]}"
    return text[:10]


def _vcard_row(properties: list[_Property]) -> list[str]:
    row = dict.fromkeys(VCARD_HEADERS, "")
    labels: dict[str, set[str]] = {}
    for prop in properties:
        if prop.name == "X-ABLABEL" and prop.group:
            labels[prop.group] = _apple_label(prop.value)
    full_name = ""
    email_preferred = False
    for prop in properties:
        name, value = prop.name, prop.value
        types = prop.types | labels.get(prop.group, set()) if prop.group else prop.types
        if name == "N" and not row["Last name"]:
            parts = _vcard_parts(value) + [""] * 4
            row["Last name"], row["First name"], row["Middle name"], row["Title"] = parts[:4]
        elif name == "ORG" and not row["Company name"]:
            row["Company name"] = _vcard_parts(value)[0]
        elif name == "TITLE" and not row["Job title"]:
            row["Job title"] = _vcard_unescape(value)
        elif name == "EMAIL":
            preferred = "pref" in types or prop.params.get("PREF") == ["1"]
            if not row["Email"] or (preferred and not email_preferred):
                row["Email"] = _vcard_unescape(value).removeprefix("mailto:")
                email_preferred = preferred
        elif name == "TEL":
            _vcard_phone(row, types, _vcard_unescape(value).removeprefix("tel:"))
        elif name == "ADR":
            _vcard_address(row, value)
        elif name == "BDAY" and not row["Date of birth"]:
            row["Date of birth"] = _vcard_birthday(prop)
        elif name == "FN":
            full_name = _vcard_unescape(value).strip()
    if full_name and not (row["Last name"] or row["First name"] or row["Company name"]):
        row["First name"], _, row["Last name"] = full_name.rpartition(" ")
    return [row[header] for header in VCARD_HEADERS]


def _vcard_records(table: "Table") -> Iterator[tuple[int, list[str]]]:
    """vCards 2.1, 3.0 and 4.0 (RFC 2426, RFC 6350) as phones and address books export
    them: folded lines, quoted-printable values in their CHARSET, 2.1's bare types
    ("TEL;CELL"), Apple's grouped labels (item1.TEL with item1.X-ABLabel), pictures
    passed over, birthdays without a year left out."""
    yield 1, list(VCARD_HEADERS)
    with table.path.open(encoding=table.encoding, newline="") as file:
        properties: list[_Property] | None = None
        number = 1
        begun = 0
        lines = islice(file, table.long_line - 1) if table.long_line else file
        for line_number, line in _vcard_lines(lines):
            prop = _vcard_property(line)
            if prop is None:
                continue
            if prop.name == "BEGIN" and prop.value.strip().upper() == "VCARD":
                if properties is not None:
                    raise ValidationError(
                        f"The vCard starting on line {begun} has no END:VCARD before the "
                        f"next BEGIN:VCARD on line {line_number}: the file is damaged.",
                        code="vcard",
                    )
                properties, begun = [], line_number
            elif prop.name == "END" and properties is not None:
                number += 1
                yield number, [clean_cell(cell) for cell in _vcard_row(properties)]
                properties = None
            elif properties is not None:
                properties.append(prop)
        if table.long_line:
            raise _too_long(table)
        if properties is not None:
            raise ValidationError(
                f"The vCard starting on line {begun} has no END:VCARD: the file is cut short.",
                code="vcard",
            )


# --- XLSX ---------------------------------------------------------------------------------


def _zip_entry_count(path: Path) -> int:
    """The number of parts the archive's end record announces, read before zipfile builds
    an object for each (a million empty parts would take gigabytes)."""
    with path.open("rb") as file:
        file.seek(0, 2)
        size = file.tell()
        file.seek(max(0, size - 65_557))  # the end record (22 bytes) and its comment
        tail = file.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return -1
    return struct.unpack("<H", tail[at + 10 : at + 12])[0]


def _check_workbook(path: Path, name: str) -> None:
    """Refuse a ZIP archive that is not a workbook, or one that would unpack to far more
    than its size (a zip bomb), before openpyxl unpacks anything."""
    not_workbook = ValidationError(
        f"{name} could not be read as an Excel workbook (.xlsx): it is damaged or another "
        "kind of ZIP archive.",
        code="xlsx",
    )
    entries = _zip_entry_count(path)
    if entries < 0:
        raise not_workbook
    if entries > MAX_WORKBOOK_PARTS:
        raise ValidationError(
            f"{name} holds {entries:,} parts; a workbook has a few dozen (at most "
            f"{MAX_WORKBOOK_PARTS:,} are read). Save the sheet as CSV and import that.",
            code="xlsx_parts",
        )
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise not_workbook from error
    names = {part.filename for part in parts}
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise ValidationError(f"{name} is a Word document, not a workbook.", code="xlsx")
        raise not_workbook
    unpack_help = "Save the sheet as CSV (UTF-8) and import that."
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > RATIO_CHECKED_FROM and ratio > MAX_COMPRESSION_RATIO:
            raise ValidationError(
                f"{name} is not a workbook that can be read safely: its part "
                f"{part.filename} would unpack to {part.file_size / 1_048_576:,.0f} MB from "
                f"{part.compress_size / 1024:,.0f} KB ({ratio:,.0f} times; a workbook packs "
                f"less than {MAX_COMPRESSION_RATIO} times).",
                code="zip_bomb",
            )
        if part.filename.startswith(STREAMED_PARTS):
            continue
        limit = (
            MAX_SHARED_STRINGS_BYTES
            if part.filename == "xl/sharedStrings.xml"
            else MAX_OTHER_PART_BYTES
        )
        if part.file_size > limit:
            raise ValidationError(
                f"{name}: its part {part.filename} unpacks to "
                f"{part.file_size / 1_048_576:,.0f} MB; at most {limit // 1_048_576} MB is "
                f"read. {unpack_help}",
                code="xlsx_too_large",
            )


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
    number = 0
    try:
        sheet = workbook.worksheets[0]
        # The dimension the file declares ("A1:XFD1048576") would pad every row to it:
        # rows are read as long as their last cell instead.
        sheet.reset_dimensions()
        header_seen = False
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            # The header's width is judged by open_table; a row's by its values here.
            if len(values) > MAX_COLUMNS and header_seen:
                beyond = next(
                    (i for i, value in enumerate(values) if i >= MAX_COLUMNS and value), None
                )
                if beyond is not None:
                    raise ValidationError(
                        f"Row {number} has a value in column {get_column_letter(beyond + 1)} "
                        f"(column {beyond + 1:,}); an import takes at most {MAX_COLUMNS:,} "
                        "columns.",
                        code="too_many_columns",
                    )
                values = values[:MAX_COLUMNS]
            cells = [_xlsx_cell(value) for value in values]
            while cells and not cells[-1]:
                cells.pop()
            header_seen = header_seen or bool(cells)
            yield number, cells
    except ValidationError:
        raise
    except Exception as error:  # a damaged sheet, a part failing its checksum
        raise ValidationError(
            f"The workbook could not be read after row {number}: {error}.", code="xlsx"
        ) from error
    finally:
        workbook.close()


# --- Opening a file -------------------------------------------------------------------------


def open_table(
    path: str | Path, *, name: str = "", encoding: str = "", delimiter: str = ""
) -> Table:
    """The file's format, encoding, delimiter and header row; ValidationError, saying what
    and where, for a file that cannot be imported. `encoding` and `delimiter` override the
    detected ones. The format comes from the content; a name ending in .vcf or .xlsx that
    the content belies is refused rather than read as something else."""
    path = Path(path)
    name = name or path.name
    suffix = Path(name).suffix.lower()
    with path.open("rb") as file:
        head = file.read(SAMPLE_BYTES)
    if not head.strip():
        raise ValidationError(f"{name} is empty.", code="empty")
    if head.startswith(b"PK\x03\x04"):
        _check_workbook(path, name)
        table = Table(path=path, name=name, file_format="xlsx", headers=[])
    elif head.startswith(OLE_SIGNATURE):
        # Excel 97-2003 files, and any workbook saved with a password, are OLE files.
        if suffix in {".xlsx", ".xlsm"}:
            raise ValidationError(
                f"{name} is a password-protected workbook: open it in Excel, remove the "
                "password (File, Info, Protect Workbook), save it and upload it again.",
                code="xlsx_encrypted",
            )
        raise ValidationError(
            f"{name} is an old Excel (.xls) workbook: save it as .xlsx or as CSV and upload that.",
            code="xls",
        )
    else:
        if suffix in {".xlsx", ".xlsm"}:
            raise ValidationError(
                f"{name} is not an Excel workbook (.xlsx): its content is not a workbook's. "
                "If it is a CSV file, give it a .csv name.",
                code="xlsx",
            )
        marked = next((name for bom, name in BOMS if head.startswith(bom)), "")
        utf16 = "" if marked else _utf16_without_mark(head)
        if not (utf16 or marked in {"utf-16", "utf-32"}):  # NUL bytes are their text
            _check_text_head(head, name)
        encoding, long_line = _text_encoding(path, head, encoding or utf16)
        sample = head.decode(encoding, errors="ignore").lstrip("\ufeff")
        if sample.lstrip(" \r\n").upper().startswith("BEGIN:VCARD"):
            table = Table(
                path=path,
                name=name,
                file_format="vcf",
                headers=[],
                encoding=encoding,
                long_line=long_line,
            )
        else:
            if suffix in {".vcf", ".vcard"}:
                raise ValidationError(
                    f"{name} is not a vCard file: a vCard file starts with BEGIN:VCARD, this "
                    f"one with “{sample.strip()[:40]}”.",
                    code="vcard",
                )
            table = Table(
                path=path,
                name=name,
                file_format="csv",
                headers=[],
                encoding=encoding,
                delimiter=delimiter or sniff_delimiter(sample),
                long_line=long_line,
            )
    records = _records(table)
    header = next((cells for _, cells in records if any(cells)), None)
    records.close()
    if header is None:
        raise ValidationError(f"{name} has no rows.", code="empty")
    if len(header) > MAX_COLUMNS:
        raise ValidationError(
            f"{name} has {len(header):,} columns; an import takes at most {MAX_COLUMNS:,}.",
            code="too_many_columns",
        )
    header[0] = header[0].removeprefix("\ufeff")  # a mark kept by a chosen encoding
    table.headers = header
    if next(table.rows(), None) is None:
        raise ValidationError(f"{name} has a header row but no rows under it.", code="empty")
    return table
