import io
from datetime import date

import pytest
from openpyxl import load_workbook

from patron.customers.models import Tag
from patron.exchange import export
from patron.exchange.tests.conftest import read_csv
from patron.testing.factories import make_customer


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_a_spreadsheet_would_run_is_quoted(start):
    assert export.neutralize(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"


@pytest.mark.parametrize("value", ["Smith", "a=b", "", -5, 3.5, 0, None, date(2000, 1, 2)])
def test_other_values_stay_as_they_are(value):
    assert export.neutralize(value) == value


def _cells(customer) -> dict:
    return dict(zip(export.HEADERS, next(export.rows([customer])), strict=True))


def test_headers_are_the_fields_names(workspace):
    for header in ("Customer no.", "First name", "Last name", "Email", "Mobile phone"):
        assert header in export.HEADERS
    assert export.HEADERS[:3] == ["Customer no.", "Kind", "Title"]


def test_a_row_holds_every_field(workspace, admin):
    organization = make_customer(workspace, admin, kind="organization", company_name="Acme")
    customer = make_customer(
        workspace,
        admin,
        title="Dr",
        first_name="Ada",
        last_name="Lovelace",
        date_of_birth="1990-12-10",
        organization=organization,
        work_phone="+44 20 7946 0018",
        customer_type="customer",
        marketing_opt_out=True,
    )
    customer.tags.set([Tag.objects.create(workspace=workspace, name=n) for n in ("Vip", "Golfer")])
    cells = _cells(customer)
    assert cells["Customer no."] == customer.number
    assert cells["Title"] == "Dr"
    assert cells["Date of birth"] == date(1990, 12, 10)
    assert cells["Customer type"] == "Customer"
    assert cells["Work phone"] == "'+442079460018"  # E.164, quoted: it starts with "+"
    assert cells["Organization no."] == organization.number
    assert cells["Organization"] == "Acme"
    assert cells["Tags"] == "Golfer; Vip"
    assert cells["Marketing opt-out"] == "Yes"
    assert cells["Workflow"] == "New"


def test_csv_reads_back_with_accents_commas_and_quotes(london):
    rows = read_csv(b"".join(export.write_csv([london, london], rows_per_chunk=1)))
    assert rows[0] == export.HEADERS
    assert len(rows) == 3
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["First name"] == "Zoë"
    assert row["Last name"] == 'Smith, "Jr"'
    assert row["Mobile phone"] == "'+447911123456"
    assert row["Customer no."] == str(london.number)


def test_csv_of_nobody_is_the_header(db):
    assert read_csv(b"".join(export.write_csv([]))) == [export.HEADERS]


def test_xlsx_holds_the_same_rows_with_numbers_and_dates_kept(workspace, admin):
    customer = make_customer(
        workspace, admin, first_name="=cmd", last_name="-Dash", date_of_birth="1980-01-31"
    )
    file = io.BytesIO()
    export.write_xlsx([customer], file)
    sheet = load_workbook(io.BytesIO(file.getvalue())).active
    header, row = [[cell.value for cell in line] for line in sheet.iter_rows()]
    assert header == export.HEADERS
    cells = dict(zip(header, row, strict=True))
    assert cells["Customer no."] == customer.number  # a number, not text
    assert cells["First name"] == "'=cmd"
    assert cells["Last name"] == "'-Dash"
    assert cells["Date of birth"].date() == date(1980, 1, 31)
    assert sheet.cell(row=2, column=1).data_type == "n"


def _unfold(text: str) -> list[str]:
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def test_vcard_has_name_phones_email_and_address(workspace, admin):
    customer = make_customer(
        workspace,
        admin,
        title="Dr",
        first_name="Zoë",
        last_name="Smith, Jr; the second",
        email="zoe@example.com",
        mobile_phone="+44 7911 123456",
        home_phone="+44 20 7946 0018",
        address_1="Flat 2",
        address_2="1 Long Road",
        city="London",
        postcode="N1 1AA",
        date_of_birth="1990-12-10",
        job_title="Engineer",
        company_name="Ünïcode Société de Conseil et d'Ingénierie Internationale Générale",
    )
    lines = _unfold(export.vcard(customer))
    assert lines[:2] == ["BEGIN:VCARD", "VERSION:3.0"] and lines[-1] == "END:VCARD"
    assert "N:Smith\\, Jr\\; the second;Zoë;;Dr;" in lines
    assert "FN:Zoë Smith\\, Jr\\; the second" in lines
    assert "EMAIL;TYPE=INTERNET:zoe@example.com" in lines
    assert "TEL;TYPE=CELL,VOICE:+447911123456" in lines
    assert "TEL;TYPE=HOME,VOICE:+442079460018" in lines
    assert "ADR;TYPE=HOME:;;Flat 2\\n1 Long Road;London;;N1 1AA;" in lines
    assert "BDAY:1990-12-10" in lines
    assert "TITLE:Engineer" in lines
    assert "ORG:Ünïcode Société de Conseil et d'Ingénierie Internationale Générale" in lines
    assert f"NOTE:Customer no. {customer.number}" in lines


def test_vcard_of_an_organization(workspace, admin):
    organization = make_customer(
        workspace, admin, kind="organization", company_name="Acme", city="Leeds"
    )
    lines = _unfold(b"".join(export.write_vcf([organization])).decode())
    assert "N:;;;;" in lines and "FN:Acme" in lines and "ORG:Acme" in lines
    assert "ADR;TYPE=WORK:;;;Leeds;;;" in lines
