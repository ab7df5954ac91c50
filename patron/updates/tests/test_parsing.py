import datetime

import pytest
from django.core.exceptions import ValidationError

from patron.updates import parsing


def test_utf8_with_a_byte_order_mark_reads_the_header():
    text = parsing.decode("\ufeffCustomer no.,Trait\r\n1043,Golfer\r\n".encode())
    parsed = parsing.parse(text, "traits")
    assert parsed.has_header
    assert [(row.number, row.values) for row in parsed.rows] == [
        (2, {"customer": "1043", "trait": "Golfer"})
    ]


def test_windows_1252_names_are_read():
    text = parsing.decode("1043;Zoë's club\r\n".encode("cp1252"))
    parsed = parsing.parse(text, "traits")
    assert parsed.rows[0].values["trait"] == "Zoë's club"
    assert parsed.delimiter == ";"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_sniffed(delimiter):
    text = delimiter.join(["1043", "Do not email", "23/11/2026"]) + "\n"
    text += delimiter.join(["1044", "Gone away", ""]) + "\n"
    parsed = parsing.parse(text, "suppressions")
    assert parsed.delimiter == delimiter
    assert parsed.rows[1].values == {"customer": "1044", "suppression": "Gone away", "date": ""}


def test_semicolons_with_commas_inside_cells():
    parsed = parsing.parse("Customer ID;Trait\n1043;Golf, tennis\n1044;Golfer\n", "traits")
    assert [row.values["trait"] for row in parsed.rows] == ["Golf, tennis", "Golfer"]


def test_a_file_without_a_header_uses_the_manual_order():
    parsed = parsing.parse("1043,23/11/2026,Send brochure,12\n", "fulfilments")
    assert not parsed.has_header
    assert parsed.rows[0].values == {
        "customer": "1043",
        "date": "23/11/2026",
        "type": "Send brochure",
        "activity": "12",
    }
    assert parsed.rows[0].number == 1


def test_a_header_in_any_order_with_unknown_columns_ignored():
    text = "Name,Ref code,Type,Date,Customer Id\nJane,SPRING27,Send brochure,2026-11-23,1043\n"
    parsed = parsing.parse(text, "fulfilments")
    assert parsed.ignored_columns == ["Name"]
    assert parsed.rows[0].values == {
        "reference_code": "SPRING27",
        "type": "Send brochure",
        "date": "2026-11-23",
        "customer": "1043",
    }


def test_a_header_missing_a_needed_column_is_refused():
    with pytest.raises(ValidationError) as error:
        parsing.parse("Customer no.,Name\n1043,Golfer\n", "traits")
    assert "The header row has no Trait column" in error.value.messages[0]


def test_rows_are_numbered_as_a_spreadsheet_shows_them():
    parsed = parsing.parse('Customer,Trait\n\n1043,"Two\nlines"\n1044,Golfer\n', "traits")
    assert [row.number for row in parsed.rows] == [3, 4]


def test_empty_files_spreadsheets_and_huge_files_are_refused():
    with pytest.raises(ValidationError, match="no rows"):
        parsing.parse("\n\n", "traits")
    with pytest.raises(ValidationError, match="no rows under it"):
        parsing.parse("Customer no.,Trait\n", "traits")
    with pytest.raises(ValidationError, match="spreadsheet"):
        parsing.decode(b"PK\x03\x04rest of a zip")
    with pytest.raises(ValidationError, match=r"largest accepted is 5\.0 MB"):
        parsing.decode(b"1,a\n" * (parsing.MAX_BYTES // 4 + 1))


def test_too_many_rows_are_refused(settings, monkeypatch):
    monkeypatch.setattr(parsing, "MAX_ROWS", 3)
    with pytest.raises(ValidationError, match="more than 3 rows"):
        parsing.parse("1,a\n2,a\n3,a\n4,a\n", "traits")
    assert len(parsing.parse("1,a\n2,a\n3,a\n", "traits").rows) == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-23", datetime.date(2026, 11, 23)),
        ("23/11/2026", datetime.date(2026, 11, 23)),
        ("23/11/26", datetime.date(2026, 11, 23)),
    ],
)
def test_dates_as_the_forms_take_them(text, expected):
    assert parsing.parse_date(text) == expected


@pytest.mark.parametrize("text", ["11/23/2026", "23.11.2026", "tomorrow", "31/02/2026"])
def test_other_dates_are_refused(text):
    with pytest.raises(ValidationError, match="write it as 23/11/2026 or 2026-11-23"):
        parsing.parse_date(text)


def test_customer_numbers():
    assert parsing.parse_customer_number("1043") == 1043
    assert parsing.parse_customer_number("1043.0") == 1043
    with pytest.raises(ValidationError, match=r"not a customer no\."):
        parsing.parse_customer_number("Jane")


def test_the_samples_parse_as_their_kind():
    for kind in parsing.COLUMNS:
        parsed = parsing.parse(parsing.sample_csv(kind), kind)
        assert parsed.has_header and len(parsed.rows) == 2
