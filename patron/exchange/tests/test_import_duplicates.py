"""Importing rows warns about likely duplicates before saving (issue 6): the rows an import
would create that look like existing customers, in the wizard, the API's dry run and the
command's dry run. Warnings, not errors: the import creates them all the same."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patron.customers.models import Customer
from patron.duplicates.queries import CHUNK, likely_duplicates, likely_duplicates_of_many
from patron.exchange import likely
from patron.exchange.reading import open_table
from patron.exchange.tests.test_import_api import post, upload
from patron.exchange.tests.test_import_pages import mapping_post, run_wizard, start, upload_file
from patron.testing.factories import make_customer

FILE = (
    "First name,Last name,Email,Postcode,Date of birth\n"
    "Jon,Smiht,,SW1A 1AA,\n"  # John Smith with a typo, at his postcode
    "Ada,Lovelace,ada@example.com,,\n"  # matched by email: an update, not a warning
    "Grace,Hopper,grace@example.com,EC1A 1BB,\n"  # no one like her
    "Bad,Row,not-an-email,,\n"  # refused, so not created
)


@pytest.fixture
def john(workspace, admin):
    return make_customer(
        workspace, admin, first_name="John", last_name="Smith", postcode="SW1A 1AA"
    )


@pytest.fixture
def ada(workspace, admin):
    return make_customer(workspace, admin, email="ada@example.com")


def test_a_row_to_create_that_looks_like_a_customer_is_listed_with_its_reasons(
    workspace, john, ada, tmp_path
):
    path = tmp_path / "people.csv"
    path.write_text(FILE)
    report, duplicates = likely.import_preview(workspace=workspace, table=open_table(path))
    assert (report.created, report.unchanged, report.failed) == (2, 1, 1)  # Ada: by email
    [found] = duplicates.kept
    assert (found.row, found.name, found.customer) == (2, "Jon Smiht", john.pk)
    assert (found.customer_number, found.customer_name) == (john.number, "John Smith")
    assert str(found).startswith(f"Row 2 (Jon Smiht) looks like #{john.number} John Smith: ")
    assert "same postcode" in found.reasons
    assert (duplicates.count, duplicates.complete) == (1, True)


def test_rows_to_create_are_compared_batch_by_batch_up_to_the_limit(
    workspace, john, tmp_path, monkeypatch
):
    """Each batch's rows to create are looked up once it is planned: a row merged into an
    earlier one of its batch is compared as merged, and a limit stops the comparing."""
    path = tmp_path / "people.csv"
    path.write_text(
        "First name,Last name,Email,Postcode\n"
        "Grace,Hopper,grace@example.com,\n"
        "Jon,Smiht,jon@example.com,\n"  # no postcode yet: not like John
        "Jon,Smiht,jon@example.com,SW1A 1AA\n"  # the same person, now at John's postcode
        "Alan,Turing,alan@example.com,\n"  # the second batch of 3 rows
        "Jon,Smith,,SW1A 1AA\n"
    )
    table = open_table(path)
    report, duplicates = likely.import_preview(workspace=workspace, table=table, batch_size=3)
    assert (report.created, report.updated) == (4, 1)
    assert [(found.row, found.name) for found in duplicates.kept] == [
        (3, "Jon Smiht"),
        (6, "Jon Smith"),
    ]
    assert (duplicates.count, duplicates.complete) == (2, True)

    report, duplicates = likely.import_preview(
        workspace=workspace, table=table, batch_size=3, limit=2
    )
    assert [found.row for found in duplicates.kept] == [3]
    assert (duplicates.count, duplicates.complete) == (1, False)
    report, duplicates = likely.import_preview(workspace=workspace, table=table, kept=1)
    assert [found.row for found in duplicates.kept] == [3]
    assert duplicates.count == 2


def test_the_batched_lookup_finds_what_one_at_a_time_finds_in_a_few_queries(workspace, admin):
    people = [
        ("John", "Smith", "SW1A 1AA", "john@example.com", "07911 123456", "1980-02-03"),
        ("Mary", "Jones", "EC1A 1BB", "", "020 7946 0000", ""),
        ("Acme", "", "", "", "", ""),
        ("Peter", "Parker", "NW1 6XE", "peter@example.com", "", "1975-08-10"),
    ]
    for first, last, postcode, email, phone, born in people:
        data = dict(postcode=postcode, email=email, mobile_phone=phone, date_of_birth=born or None)
        if last:
            make_customer(workspace, admin, first_name=first, last_name=last, **data)
        else:
            make_customer(workspace, admin, kind="organization", company_name="Acme Ltd")
    rows = [
        {"first_name": "Jon", "last_name": "Smiht", "postcode": "SW1A 1AA"},
        {"first_name": "Smith", "last_name": "John", "email": ""},  # names swapped
        {"first_name": "X", "last_name": "Y", "mobile_phone": "+44 7911 123456"},
        {"first_name": "Jo", "last_name": "Smith", "email": "JOHN@example.com"},
        {"first_name": "Mary", "last_name": "Jonse", "postcode": "ec1a 1bb"},
        {"kind": "organization", "company_name": "Acme Ltd"},
        {"first_name": "Pete", "last_name": "Parkes", "date_of_birth": "1975-08-10"},
        {"first_name": "Nobody", "last_name": "Known", "postcode": "ZZ1 1ZZ"},
    ] * 9  # more than one chunk
    assert len(rows) > CHUNK
    with CaptureQueriesContext(connection) as queries:
        batched = likely_duplicates_of_many(workspace, rows)
    assert len(queries) <= len(rows) // CHUNK + 2  # a query per chunk, one for the customers
    one_by_one = [likely_duplicates(workspace, row) for row in rows]
    assert batched == one_by_one
    assert sum(1 for found in batched if found) >= 5 * 9


def test_step_5_lists_the_likely_duplicates_and_the_import_still_creates_them(
    admin_client, john, django_capture_on_commit_callbacks
):
    start(admin_client)
    job = upload_file(admin_client, text=FILE)
    admin_client.post(f"/customers/import/{job.pk}/mapping/", mapping_post(job))
    page = admin_client.get(f"/customers/import/{job.pk}/matching/").content.decode()
    assert "1 row to create looks like customers already here." in page
    assert (
        f'Row 2 (Jon Smiht) looks like <a href="/customers/{john.pk}/" target="_blank">'
        f"#{john.number} John Smith</a>: "
    ) in page
    assert "Grace" not in page.split('id="likely-duplicates"')[1]
    # Back on step 5 the import starts as before, and Jon is created all the same.
    run_wizard(admin_client, django_capture_on_commit_callbacks, text=FILE)
    assert Customer.objects.filter(last_name="Smiht").exists()


def test_step_5_says_nothing_when_no_row_looks_like_a_customer(admin_client, ada):
    start(admin_client)
    job = upload_file(admin_client, text=FILE)
    admin_client.post(f"/customers/import/{job.pk}/mapping/", mapping_post(job))
    page = admin_client.get(f"/customers/import/{job.pk}/matching/").content.decode()
    assert 'id="likely-duplicates"' not in page


def test_the_api_dry_run_answers_the_likely_duplicates(api, john):
    response = api.post(
        "/api/v1/imports/",
        {"file": upload(FILE), "dry_run": "true"},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    [found] = response.json()["likely_duplicates"]
    assert found["row"] == 2 and found["name"] == "Jon Smiht"
    assert (found["customer"], found["customer_number"]) == (john.pk, john.number)
    assert found["customer_name"] == "John Smith" and "same postcode" in found["reasons"]
    assert found["message"].startswith(f"Row 2 (Jon Smiht) looks like #{john.number} John Smith")
    assert 0.5 <= found["score"] <= 1
    assert post(api, dry_run="true").json()["likely_duplicates"] == []


def test_the_command_dry_run_prints_the_likely_duplicates(workspace, john, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_text(FILE)
    call_command("import", str(path), "--workspace", workspace.slug, "--dry-run")
    out = capsys.readouterr().out
    assert "1 row to create looks like existing customers" in out
    assert f"  Row 2 (Jon Smiht) looks like #{john.number} John Smith: " in out
    assert not Customer.objects.filter(last_name="Smiht").exists()


def test_the_command_dry_run_compares_every_row_to_create(
    workspace, john, tmp_path, capsys, monkeypatch
):
    """No cap at the request-time limit: every row of every batch; the first 50 printed."""
    monkeypatch.setattr(likely, "CHECKED_ROWS", 1)
    monkeypatch.setattr("patron.exchange.management.commands.import.LISTED", 2)
    path = tmp_path / "people.csv"
    rows = [f"Grace{n},Hopper,grace{n}@example.com," for n in range(30)]
    for row in (4, 13, 29):
        rows[row] = f"Jon{row},Smith,,SW1A 1AA"
    path.write_text("First name,Last name,Email,Postcode\n" + "\n".join(rows) + "\n")
    call_command(
        "import", str(path), "--workspace", workspace.slug, "--dry-run", "--batch-size", "10"
    )
    out = capsys.readouterr().out
    assert "3 rows to create look like existing customers" in out
    assert f"  Row 6 (Jon4 Smith) looks like #{john.number} John Smith: " in out
    assert "  Row 15 (Jon13 Smith) looks like" in out
    assert "Row 31" not in out
    assert "  … and 1 more." in out
