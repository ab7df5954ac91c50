"""Hostile import files (issue 5, "Tests"): each is refused with a message that says what
is wrong and where, quickly, in bounded memory, and writes nothing: no customer, no
History. Files are made here in tmp_path; none is committed."""

import csv
import io
import os
import struct
import time
import tracemalloc
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from patron.customers.models import Customer
from patron.exchange import reading
from patron.exchange.importing import Options, import_run
from patron.exchange.reading import open_table
from patron.history.models import Change

HEADER = ["First name", "Last name", "Email", "City"]
ROW = ["Ada", "Lovelace", "ada@example.com", "London"]


def csv_bytes(rows, delimiter=",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode()


def import_file(path, workspace, **reading_options):
    table = open_table(path, **reading_options)
    return import_run(workspace=workspace, actor=None, table=table, options=Options())


def assert_nothing_written(workspace):
    assert not Customer.objects.in_workspace(workspace).exists()
    assert not Change.objects.filter(workspace=workspace).exists()


def refused(path, workspace, max_memory_mb=40, **reading_options) -> str:
    """The refusal's message through the service; the refusal is quick, takes bounded
    memory, and nothing is written."""
    started = time.perf_counter()
    with pytest.raises(ValidationError) as caught:
        import_file(path, workspace, **reading_options)
    elapsed = time.perf_counter() - started
    # "Within a second or two" on a quiet machine; the margin is for a busy test runner.
    assert elapsed < 5, f"refused after {elapsed:.1f} s"
    tracemalloc.start()  # again, measured (tracing slows it down)
    try:
        with pytest.raises(ValidationError):
            import_file(path, workspace, **reading_options)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < max_memory_mb * 1_048_576, f"peak {peak / 1_048_576:.0f} MB"
    assert_nothing_written(workspace)
    return " ".join(caught.value.messages)


def refused_by_command(path, workspace, *arguments) -> str:
    with pytest.raises(CommandError) as caught:
        call_command("import", str(path), "--workspace", workspace.slug, *arguments)
    assert_nothing_written(workspace)
    return str(caught.value)


def both_refuse(path, workspace, expected: str, **reading_options) -> None:
    """The service and `patron import` give the same message."""
    assert expected in refused(path, workspace, **reading_options)
    arguments = [f"--{key}={value}" for key, value in reading_options.items()]
    assert expected in refused_by_command(path, workspace, *arguments)


# --- Text files ---------------------------------------------------------------------------


def test_an_empty_or_blank_file(tmp_path, workspace):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    both_refuse(path, workspace, "empty.csv is empty.")
    path.write_bytes(b" \r\n\r\n\t\r\n")
    both_refuse(path, workspace, "empty.csv is empty.")


def test_a_header_without_rows(tmp_path, workspace):
    path = tmp_path / "header.csv"
    path.write_bytes(csv_bytes([HEADER, ["", "", "", ""]]))
    both_refuse(path, workspace, "header.csv has a header row but no rows under it.")


def test_a_file_in_another_encoding_than_the_one_chosen(tmp_path, workspace):
    path = tmp_path / "excel.csv"
    path.write_bytes(
        csv_bytes([HEADER, ROW, ["Zoë", "Brontë", "", "Zürich"]]).decode().encode("cp1252")
    )
    both_refuse(
        path, workspace, "Line 3 has a byte (0xEB) that is not utf-8 text", encoding="utf-8"
    )
    # Detected, the same file reads as Windows-1252.
    report = import_file(path, workspace)
    assert report.created == 2
    assert Customer.objects.get(last_name="Brontë").city == "Zürich"


def test_a_file_neither_utf8_nor_windows_1252(tmp_path, workspace):
    path = tmp_path / "mixed.csv"
    # 0x81 is not a character in Windows-1252, and not UTF-8 where it stands.
    path.write_bytes(csv_bytes([HEADER, ROW]) + b"Bob,Smith,\x81bob@example.com,York\r\n")
    both_refuse(path, workspace, "Line 3 has a byte (0x81) that is not UTF-8 nor Windows-1252 text")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_utf16_text_as_excel_saves_it_is_read(tmp_path, workspace, encoding):
    """Excel's "Unicode Text" is UTF-16 with a byte-order mark, tab-delimited; some tools
    leave the mark out. Both are read, not refused."""
    path = tmp_path / "unicode.txt"
    path.write_bytes(
        csv_bytes([HEADER, ["Zoë", "Brontë", "zoe@example.com", "Haworth"]], "\t")
        .decode()
        .encode(encoding)
    )
    table = open_table(path)
    assert (table.delimiter, table.headers) == ("\t", HEADER)
    assert import_file(path, workspace).created == 1
    assert Customer.objects.get(email="zoe@example.com").last_name == "Brontë"


def test_nul_bytes_past_the_first_block(tmp_path, workspace):
    rows = [HEADER] + [ROW] * 4000
    content = csv_bytes(rows) + b"Bob,Smi\x00th,bob@example.com,York\r\n"
    path = tmp_path / "nul.csv"
    path.write_bytes(content)
    both_refuse(path, workspace, "Line 4002 has a NUL character (byte 0)")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (os.urandom(200_000), "is not a text file"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj" + b"x" * 1000, "is a PDF document"),
        (b"\x89PNG\r\n\x1a\n" + os.urandom(5000), "is a PNG image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(5000), "is an old Excel (.xls) workbook"),
        (bytes(range(1, 32)) * 100, "is not a text file"),  # control characters, no NUL
    ],
)
def test_a_binary_file_renamed_csv(tmp_path, workspace, content, expected):
    path = tmp_path / "people.csv"
    path.write_bytes(content)
    both_refuse(path, workspace, expected)


def test_a_100_mb_line_is_refused_without_being_held(tmp_path, workspace):
    path = tmp_path / "huge.csv"
    with path.open("wb") as file:
        file.write(csv_bytes([HEADER, ROW]))
        file.write(b"Bob,")
        for _ in range(100):
            file.write(b"x" * 1_048_576)
        file.write(b",bob@example.com,York\r\n")
    both_refuse(
        path, workspace, "could not be read as CSV near line 3: the line is longer than 1,048,576"
    )


def test_a_100_mb_quoted_cell_over_many_lines(tmp_path, workspace):
    path = tmp_path / "quoted.csv"
    with path.open("wb") as file:
        file.write(csv_bytes([HEADER, ROW]))
        file.write(b'Bob,Smith,bob@example.com,"')
        for _ in range(100):
            file.write((b"x" * 1023 + b"\n") * 1024)
        file.write(b'"\r\n')
    assert "could not be read as CSV near line" in refused(path, workspace)


def test_ten_thousand_columns_in_a_workbook(tmp_path, workspace):
    workbook = Workbook()
    workbook.active.append([f"c{n}" for n in range(10_000)])
    workbook.active.append(["x"] * 10_000)
    path = tmp_path / "wide.xlsx"
    workbook.save(path)
    both_refuse(path, workspace, "wide.xlsx has 10,000 columns; an import takes at most 1,000.")


def test_formula_cells_in_a_csv_are_stored_as_text_never_run(tmp_path, workspace):
    formula = "=cmd|' /C calc'!A0"
    path = tmp_path / "formula.csv"
    path.write_bytes(csv_bytes([HEADER, ["Ada", "Lovelace", "ada@example.com", formula]]))
    assert import_file(path, workspace).created == 1
    assert Customer.objects.get(email="ada@example.com").city == formula


# --- Ragged rows --------------------------------------------------------------------------


def test_rows_that_do_not_line_up_with_the_header_are_named(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_bytes(
        csv_bytes(
            [
                HEADER,
                ROW,
                ["Bob", "Smith", "bob@example.com", "York", "Yorkshire"],  # one too many
                ["Cy", "Jones", "cy@example.com"],  # one too few
                ["Di", "Ross", "di@example.com", "Leeds", ""],  # an empty extra: fine
            ]
        )
    )
    table = open_table(path)
    problems = {number: table.row_problem(cells) for number, cells in table.rows()}
    assert problems[2] == problems[4] == problems[5] == ""  # trailing empties may be left out
    assert problems[3].startswith("5 cells where the header has 4 columns")
    assert "a comma inside a cell that is not in quotes?" in problems[3]


def test_an_import_refuses_a_row_with_a_value_beyond_the_last_column_and_keeps_it_whole(
    tmp_path, workspace
):
    path = tmp_path / "ragged.csv"
    extra = ["Bob", "Smith", "bob@example.com", "York", "Yorkshire"]
    path.write_bytes(csv_bytes([HEADER, ROW, extra, ["Cy", "Jones", "cy@example.com"]]))
    report = import_file(path, workspace)
    assert (report.created, report.failed) == (2, 1)  # Cy's row only leaves out an empty City
    emails = Customer.objects.in_workspace(workspace).values_list("email", flat=True)
    assert sorted(emails) == ["ada@example.com", "cy@example.com"]
    assert [str(error) for error in report.errors] == [
        f"Row 3, the row: {reading.open_table(path).row_problem(extra)}"
    ]
    failed = list(csv.reader(io.StringIO(report.failed_csv().lstrip("\ufeff"))))
    assert failed[0] == [*HEADER, "Reason"]
    # The reason stays under its header; the cell beyond the last column comes after it.
    assert failed[1][:4] == extra[:4] and failed[1][5] == "Yorkshire"
    assert failed[1][4].startswith("5 cells where the header has 4 columns")


# --- Workbooks ----------------------------------------------------------------------------


def rewrite_workbook(path, sheet_xml: str) -> None:
    """A workbook saved by openpyxl, its first sheet replaced by `sheet_xml` (the parts a
    spreadsheet program writes that openpyxl does not: cached formula values...)."""
    Workbook().save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/worksheets/sheet1.xml"] = sheet_xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)


def sheet(rows_xml: str, dimension: str = "") -> str:
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + (f'<dimension ref="{dimension}"/>' if dimension else "")
        + f"<sheetData>{rows_xml}</sheetData></worksheet>"
    )


def text(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


HEADER_XML = (
    '<row r="1">'
    + "".join(text(f"{column}1", value) for column, value in zip("ABCD", HEADER, strict=True))
    + "</row>"
)


def test_formula_cells_in_a_workbook_give_the_value_it_saved(tmp_path, workspace):
    path = tmp_path / "formulas.xlsx"
    rewrite_workbook(
        path,
        sheet(
            HEADER_XML
            + '<row r="2">'
            + text("A2", "Ada")
            + '<c r="B2" t="str"><f>PROPER("LOVELACE")</f><v>Lovelace</v></c>'
            + text("C2", "ada@example.com")
            # A formula no spreadsheet calculated: no saved value, read as empty.
            + '<c r="D2" t="str"><f>WEBSERVICE("http://evil.example/x")</f></c>'
            + "</row>"
        ),
    )
    assert import_file(path, workspace).created == 1
    ada = Customer.objects.get(email="ada@example.com")
    assert (ada.last_name, ada.city) == ("Lovelace", "")


def test_a_huge_declared_dimension_and_a_far_row_are_read_quickly(tmp_path, workspace):
    path = tmp_path / "dimension.xlsx"
    rewrite_workbook(
        path,
        sheet(
            HEADER_XML
            + '<row r="2">'
            + "".join(text(f"{c}2", v) for c, v in zip("ABCD", ROW, strict=True))
            + '</row><row r="1048576"><c r="A1048576" s="0"/></row>',
            dimension="A1:XFD1048576",
        ),
    )
    started = time.perf_counter()
    assert import_file(path, workspace).created == 1
    # openpyxl still passes the million empty rows up to the far one (about a second on a
    # quiet machine), but none is padded to the declared 16,384 columns.
    assert time.perf_counter() - started < 10


def test_a_value_far_beyond_the_columns_of_a_workbook_row(tmp_path, workspace):
    path = tmp_path / "far.xlsx"
    rewrite_workbook(
        path,
        sheet(HEADER_XML + '<row r="2">' + text("A2", "Ada") + text("XFD2", "x") + "</row>"),
    )
    both_refuse(
        path,
        workspace,
        "Row 2 has a value in column XFD (column 16,384); an import takes at most 1,000",
    )


def test_an_xml_entity_bomb_in_a_sheet(tmp_path, workspace):
    """A billion laughs: ten entities each ten times the one before."""
    entities = '<!ENTITY a0 "ha">' + "".join(
        f'<!ENTITY a{n} "{f"&a{n - 1};" * 10}">' for n in range(1, 10)
    )
    path = tmp_path / "laughs.xlsx"
    rewrite_workbook(
        path,
        f"<!DOCTYPE worksheet [{entities}]>"
        + sheet(HEADER_XML + '<row r="2">' + text("A2", "&a9;") + "</row>"),
    )
    # Expat (Python's XML parser) stops the expansion at its amplification limit, after
    # some tens of megabytes.
    message = refused(path, workspace, max_memory_mb=100)
    assert "limit on input amplification factor" in message


def deflated(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def write_zip(path, members: list[tuple[str, bytes, int, int]]) -> None:
    """A ZIP archive from (name, deflated data, unpacked size, CRC-32) members, written by
    hand so that a member can unpack to gigabytes without being compressed here."""
    local, central = bytearray(), bytearray()
    for name, data, size, crc in members:
        encoded = name.encode()
        fields = struct.pack(
            "<HHHHHIIIHH", 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0
        )
        central += b"PK\x01\x02" + struct.pack("<H", 20) + fields
        central += struct.pack("<HHHII", 0, 0, 0, 0, len(local)) + encoded
        local += b"PK\x03\x04" + fields + encoded + data
    end = struct.pack("<HHHHIIH", 0, 0, len(members), len(members), len(central), len(local), 0)
    path.write_bytes(bytes(local + central) + b"PK\x05\x06" + end)


def small(name: str, content: bytes) -> tuple[str, bytes, int, int]:
    return name, deflated(content), len(content), zlib.crc32(content)


def test_a_zip_bomb_named_xlsx(tmp_path, workspace):
    """2 GB of spaces packed into 2 MB: one compressed megabyte repeated (a full flush
    makes each repetition stand alone)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(b" " * 1_048_576) + compressor.flush(zlib.Z_FULL_FLUSH)
    bomb = piece * 2048 + zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    path = tmp_path / "bomb.xlsx"
    write_zip(
        path,
        [
            small("[Content_Types].xml", b"<Types/>"),
            small("xl/workbook.xml", b"<workbook/>"),
            ("xl/worksheets/sheet1.xml", bomb, 2048 * 1_048_576, 0),
        ],
    )
    assert path.stat().st_size < 3 * 1_048_576
    both_refuse(
        path,
        workspace,
        "its part xl/worksheets/sheet1.xml would unpack to 2,048 MB from",
    )


def test_shared_strings_too_big_to_hold(tmp_path, workspace, monkeypatch):
    monkeypatch.setattr(reading, "MAX_SHARED_STRINGS_BYTES", 1_048_576)
    strings = "".join(f"<si><t>{os.urandom(8).hex()}</t></si>" for _ in range(40_000))
    path = tmp_path / "strings.xlsx"
    Workbook().save(path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", f"<sst>{strings}</sst>")
    both_refuse(path, workspace, "its part xl/sharedStrings.xml unpacks to 1 MB; at most 1 MB")


def test_a_zip_of_thousands_of_parts(tmp_path, workspace):
    members = [small("xl/workbook.xml", b"<workbook/>")]
    members += [small(f"xl/media/{n}.bin", b"") for n in range(6000)]
    path = tmp_path / "parts.xlsx"
    write_zip(path, members)
    both_refuse(path, workspace, "parts.xlsx holds 6,001 parts")


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        ([small("word/document.xml", b"<w/>")], "letter.xlsx is a Word document"),
        ([small("notes.txt", b"hello")], "could not be read as an Excel workbook"),
    ],
)
def test_a_zip_that_is_not_a_workbook(tmp_path, workspace, members, expected):
    path = tmp_path / "letter.xlsx"
    write_zip(path, members)
    both_refuse(path, workspace, expected)


def test_a_password_protected_workbook(tmp_path, workspace):
    path = tmp_path / "secret.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(5000))  # an OLE file
    both_refuse(path, workspace, "secret.xlsx is a password-protected workbook")


def test_a_csv_named_xlsx(tmp_path, workspace):
    path = tmp_path / "people.xlsx"
    path.write_bytes(csv_bytes([HEADER, ROW]))
    both_refuse(path, workspace, "people.xlsx is not an Excel workbook (.xlsx)")


# --- vCard files that are not -------------------------------------------------------------


def test_a_vcf_that_is_not_a_vcard(tmp_path, workspace):
    path = tmp_path / "contacts.vcf"
    path.write_bytes(csv_bytes([HEADER, ROW]))
    both_refuse(
        path, workspace, "contacts.vcf is not a vCard file: a vCard file starts with BEGIN:VCARD"
    )


def test_a_vcard_file_cut_short(tmp_path, workspace):
    path = tmp_path / "cut.vcf"
    path.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lovelace;Ada;;;\r\nEMAIL:ada@example.com\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Hopper;Grace;;;\r\nEMAIL:grace@exam"
    )
    both_refuse(path, workspace, "The vCard starting on line 6 has no END:VCARD")
