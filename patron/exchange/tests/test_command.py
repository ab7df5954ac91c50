import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from patron.exchange.tests.conftest import read_csv
from patron.testing.factories import make_customer


def run(*args) -> None:
    call_command("export", *args)


def test_csv_to_standard_output(workspace, london, paris, other_workspace, capsysbinary):
    make_customer(other_workspace, None, last_name="Foreigner")
    run("--workspace", "acme", "--format", "csv", "--filter", "city=Par")
    rows = read_csv(capsysbinary.readouterr().out)
    assert [row[rows[0].index("Last name")] for row in rows[1:]] == ["Dupont"]


def test_vcard_to_a_file(workspace, london, paris, tmp_path):
    path = tmp_path / "all.vcf"
    run("--workspace", "acme", "--format", "vcf", "--output", str(path))
    text = path.read_text()
    assert text.count("BEGIN:VCARD") == 2 and "FN:Jean Dupont" in text


def test_xlsx_needs_a_file(workspace, london, tmp_path):
    with pytest.raises(CommandError, match="--output"):
        run("--workspace", "acme", "--format", "xlsx")
    path = tmp_path / "all.xlsx"
    run("--workspace", "acme", "--format", "xlsx", "--output", str(path))
    rows = list(load_workbook(path).active.values)
    assert rows[1][rows[0].index("First name")] == "Zoë"


def test_an_unknown_filter_lists_the_known_ones(workspace):
    with pytest.raises(CommandError, match=r"No filter is named “town”\. The filters are: .*city"):
        run("--workspace", "acme", "--format", "csv", "--filter", "town=Leeds")


def test_a_bad_filter_value_says_which(workspace):
    with pytest.raises(CommandError, match="date_of_birth: Enter a valid date"):
        run("--workspace", "acme", "--format", "csv", "--filter", "date_of_birth=soon")


def test_an_unknown_workspace(db):
    with pytest.raises(CommandError, match="No workspace with the slug “nope”"):
        run("--workspace", "nope", "--format", "csv")
