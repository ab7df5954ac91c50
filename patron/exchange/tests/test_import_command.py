import csv

import pytest
from django.core.management import CommandError, call_command

from patron.customers.models import Customer
from patron.history.models import Change
from patron.testing.factories import make_customer


@pytest.fixture
def google_file(tmp_path):
    path = tmp_path / "contacts.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["First Name", "Last Name", "E-mail 1 - Value", "Phone 1 - Value", "Notes"])
        writer.writerow(["Ada", "Lovelace", "ADA@example.com", "07911 123456", "met in Bath"])
        writer.writerow(["Grace", "Hopper", "grace@example.com", "", ""])
        writer.writerow(["", "", "nobody@", "", ""])
    return path


def test_prints_the_mapping_progress_and_report(workspace, google_file, tmp_path, capsys):
    make_customer(workspace, None, last_name="Lovelace", email="ada@example.com")
    failed = tmp_path / "failed.csv"
    call_command(
        "import", str(google_file), "--workspace", "acme", "--type", "customer",
        "--failed-rows", str(failed), "--progress-every", "1",
    )  # fmt: skip
    out = capsys.readouterr().out
    assert "contacts.csv (CSV, utf-8-sig, comma-delimited). Columns:" in out
    assert "E-mail 1 - Value → Email" in out and "Notes → (ignored)" in out
    assert "… 3 rows" in out
    assert "3 rows read: 1 were created, 1 updated, 0 unchanged, 0 skipped, 1 failed." in out
    assert "Row 4, Last Name: A person needs a last name." in out
    assert list(csv.reader(failed.open(encoding="utf-8-sig")))[1][-1].endswith(
        "E-mail 1 - Value: Enter a valid email address: There must be something after the @-sign."
    )
    grace = Customer.objects.get(workspace=workspace, last_name="Hopper")
    assert grace.customer_type == "customer"
    assert Change.objects.filter(object_id=grace.pk, via="import").exists()


def test_dry_run_and_mapping_overrides(workspace, google_file, capsys):
    call_command(
        "import", str(google_file), "--workspace", "acme", "--dry-run",
        "--map", "Notes=Job title", "--map", "Phone 1 - Value=",
    )  # fmt: skip
    out = capsys.readouterr().out
    assert "Notes → Job title" in out and "Phone 1 - Value → (ignored)" in out
    assert "Dry run: nothing written. 3 rows read: 2 would be created" in out
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--workspace", "nope"], "No workspace with the slug “nope”"),
        (["--workspace", "acme", "--map", "Notes"], "HEADER=FIELD"),
        (["--workspace", "acme", "--map", "Notes=shoe"], "“shoe” is not a customer field"),
    ],
)
def test_mistakes_are_explained(workspace, google_file, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("import", str(google_file), *arguments)


def test_a_missing_file_is_explained(workspace, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import", str(tmp_path / "gone.csv"), "--workspace", "acme")
