"""The import wizard's pages (manual 000 "Import Customers", "Import Customer List"), its
background task, progress and report, and the past imports."""

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from patron.customers.models import Customer
from patron.exchange.models import ImportJob, ImportMapping
from patron.exchange.tests.conftest import body
from patron.history.models import Change
from patron.lists.models import CustomerList, ListEntry
from patron.testing.factories import MembershipFactory, make_customer
from patron.workspaces.roles import Role

GOOGLE = (
    "Given Name,Family Name,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,Notes\n"
    "Grace,Hopper,grace@example.com,Mobile,07911 123456,Navy\n"
    "Ada,Lovelace,ADA@example.com,Work,020 7946 0000,Updated by the file\n"
    "Bad,Row,not-an-email,,,\n"
)
OPTIONS = {"customer_type": "customer", "usage": "", "match": "update"}


def upload(name: str, text: str, encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def selected(page: str, name: str) -> str:
    """The value a page's <select> shows chosen."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    chosen = re.search(r'<option value="([^"]*)" selected>', select)
    return chosen.group(1) if chosen else ""


def start(client, options=None, url="/customers/import/"):
    response = client.post(url, options or OPTIONS)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/customers/import/upload/"


def upload_file(client, name="contacts.csv", text=GOOGLE, **data) -> ImportJob:
    response = client.post("/customers/import/upload/", {"file": upload(name, text), **data})
    assert response.status_code == 302, response.content.decode()[:3000]
    job = ImportJob.objects.latest("pk")
    assert response["Location"] == f"/customers/import/{job.pk}/mapping/"
    return job


def mapping_post(job, **overrides) -> dict:
    """The mapping form as the page fills it, with some columns changed."""
    from patron.exchange.mapping import auto_mapping
    from patron.exchange.reading import open_table

    table = open_table(job.file.path)
    automatic = auto_mapping(table.headers)
    data = {f"column_{i}": automatic.get(i, "") for i in range(len(table.headers))}
    data.update(overrides)
    return data


def run_wizard(client, django_capture_on_commit_callbacks, text=GOOGLE, options=None):
    start(client, options)
    job = upload_file(client, text=text)
    assert client.post(f"/customers/import/{job.pk}/mapping/", mapping_post(job)).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/customers/import/{job.pk}/matching/")
    assert response["Location"] == f"/customers/imports/{job.pk}/"
    job.refresh_from_db()
    return job


def test_the_customers_page_offers_the_import(admin_client):
    page = admin_client.get("/customers/").content.decode()
    assert 'href="/customers/import/"' in page
    assert 'href="/customers/imports/"' in page


def test_step_1_offers_the_manuals_options_with_help(admin_client):
    page = admin_client.get("/customers/import/").content.decode()
    for text in (
        "Prospect",
        "Customer",
        "Account",
        "Overwrite customer type",
        "Overwrite customer status",
        "List usage",
        "a row matches a customer by email, then by phone, then by name and postcode",
        "Fill only the customer&#x27;s empty fields",
        "Skip the row",
    ):
        assert text in page, text


def test_step_1_refuses_an_unknown_choice(admin_client):
    response = admin_client.post(
        "/customers/import/", {**OPTIONS, "customer_type": "emperor", "match": "merge"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_the_sample_file_is_a_csv_the_import_reads(admin_client):
    response = admin_client.get("/customers/import/sample.csv")
    assert response["Content-Disposition"] == 'attachment; filename="customers.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Title", "First name", "Last name"]
    assert len(rows) == 3


def test_upload_is_kept_in_a_draft_job_and_its_reading_shown(admin_client, workspace):
    start(admin_client)
    text = "Nom;Prénom;Courriel\nDupont;Jean;jean@example.com\n"
    response = admin_client.post(
        "/customers/import/upload/", {"file": upload("clients.csv", text, "cp1252")}
    )
    job = ImportJob.objects.get()
    assert (job.status, job.options, job.file_name) == ("queued", {}, "clients.csv")
    assert job.reading == {"encoding": "cp1252", "delimiter": ";"}
    assert job.headers == ["Nom", "Prénom", "Courriel"]  # kept before any check or start
    assert job.file.read().decode("cp1252") == text
    page = admin_client.get(response["Location"]).content.decode()
    assert "CSV, cp1252, semicolon-delimited" in page
    # Back to step 2: the file is named with how it was read; the selects can change it.
    page = admin_client.get("/customers/import/upload/").content.decode()
    assert "Uploaded: <strong>clients.csv</strong>" in page
    assert selected(page, "encoding") == "cp1252"
    response = admin_client.post(
        "/customers/import/upload/", {"encoding": "latin-1", "delimiter": ","}
    )
    job.refresh_from_db()
    assert job.reading == {"encoding": "latin-1", "delimiter": ","}
    assert job.headers == ["Nom;Prénom;Courriel"]  # one column, read so
    assert ImportJob.objects.count() == 1  # the same draft, read again


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.png", b"\x89PNG\r\n", "is not a file the import reads"),
        ("empty.csv", b"", "is empty."),
        ("header.csv", b"Email,Last name\n", "a header row but no rows under it"),
        ("fake.xlsx", b"PK\x03\x04not a workbook", "could not be read as an Excel workbook"),
    ],
)
def test_a_bad_upload_is_refused_with_its_reason_and_not_kept(admin_client, name, content, message):
    start(admin_client)
    response = admin_client.post(
        "/customers/import/upload/", {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_no_file_is_refused(admin_client):
    start(admin_client)
    response = admin_client.post("/customers/import/upload/", {})
    assert response.status_code == 400
    assert "Choose the file to import." in response.content.decode()


def test_a_too_big_file_is_refused(admin_client, monkeypatch):
    monkeypatch.setattr("patron.exchange.jobs.MAX_UPLOAD_BYTES", 10)
    start(admin_client)
    response = admin_client.post("/customers/import/upload/", {"file": upload("big.csv", GOOGLE)})
    assert response.status_code == 400
    assert "Split it into smaller files" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_mapping_shows_columns_first_values_and_automatic_fields(admin_client):
    start(admin_client)
    job = upload_file(admin_client)
    page = admin_client.get(f"/customers/import/{job.pk}/mapping/").content.decode()
    assert "Grace, Ada, Bad" in page  # the first values of "Given Name"
    assert selected(page, "column_0") == "first_name"
    assert selected(page, "column_2") == "email"
    assert selected(page, "column_5") == ""  # "Notes": ignored
    assert "Ignore" in page


def test_back_keeps_every_choice(admin_client):
    options = {
        "customer_type": "account",
        "overwrite_type": "on",
        "usage": "email",
        "match": "fill",
    }
    start(admin_client, options)
    page = admin_client.get("/customers/import/?continue=1").content.decode()
    assert selected(page, "customer_type") == "account"
    assert re.search(r'<input type="checkbox" name="overwrite_type"[^>]* checked', page)
    assert selected(page, "usage") == "email"
    assert re.search(r'<input type="radio" name="match" value="fill"[^>]* checked', page)
    job = upload_file(admin_client)
    data = mapping_post(job, column_5="job_title", column_0="")
    admin_client.post(f"/customers/import/{job.pk}/mapping/", data)
    page = admin_client.get(f"/customers/import/{job.pk}/mapping/").content.decode()
    assert selected(page, "column_5") == "job_title"
    assert selected(page, "column_0") == ""  # ignored
    assert selected(page, "column_1") == "last_name"
    # A new start forgets the last one's choices and its draft.
    admin_client.get("/customers/import/")
    assert not ImportJob.objects.exists()


def test_a_field_chosen_twice_is_refused(admin_client):
    start(admin_client)
    job = upload_file(admin_client)
    response = admin_client.post(
        f"/customers/import/{job.pk}/mapping/", mapping_post(job, column_5="last_name")
    )
    assert response.status_code == 400
    assert "chosen more than once: Last name" in response.content.decode()


def test_a_mapping_is_saved_and_reused_with_the_next_file(admin_client, workspace):
    start(admin_client)
    job = upload_file(admin_client)
    data = mapping_post(job, column_5="job_title", save_as="Google contacts")
    response = admin_client.post(f"/customers/import/{job.pk}/mapping/", data)
    assert response.status_code == 302
    saved = ImportMapping.objects.get(workspace=workspace)
    assert saved.name == "Google contacts"
    assert saved.mapping["Notes"] == "job_title"
    assert saved.mapping["Phone 1 - Label"] == ""
    assert Change.objects.filter(object_id=saved.pk, action="create").exists()
    # The same name again (another case) is refused.
    response = admin_client.post(
        f"/customers/import/{job.pk}/mapping/", {**data, "save_as": "GOOGLE CONTACTS"}
    )
    assert "A saved mapping with this name already exists." in response.content.decode()
    # A new file from the same source takes the saved choices.
    start(admin_client)
    other = upload_file(admin_client, text="Notes,Given Name\nPilot,Amelia\n")
    page = admin_client.get(f"/customers/import/{other.pk}/mapping/?saved={saved.pk}")
    page = page.content.decode()
    assert selected(page, "column_0") == "job_title"
    assert selected(page, "column_1") == "first_name"


def test_validation_lists_every_bad_row_with_row_column_and_reason(admin_client):
    start(admin_client)
    job = upload_file(admin_client)
    admin_client.post(f"/customers/import/{job.pk}/mapping/", mapping_post(job))
    page = admin_client.get(f"/customers/import/{job.pk}/validation/").content.decode()
    assert "1 bad row" in page
    assert (
        "<td>4</td><td>E-mail 1 - Value</td>"
        "<td>Enter a valid email address: An email address must have an @-sign.</td>" in page
    )
    assert "Checked all 3 rows of the file." in page


def test_validation_pages_its_bad_rows(admin_client):
    rows = "".join(f"Name{i},bad{i}\n" for i in range(120))
    start(admin_client)
    job = upload_file(admin_client, text="Last name,Email\n" + rows)
    admin_client.post(f"/customers/import/{job.pk}/mapping/", mapping_post(job))
    page = admin_client.get(f"/customers/import/{job.pk}/validation/?page=3").content.decode()
    assert "Page 3 of 3" in page
    assert "<td>121</td>" in page and "<td>101</td>" not in page


def test_a_big_file_is_checked_in_part_on_the_page(admin_client, monkeypatch):
    monkeypatch.setattr("patron.exchange.jobs.PREVIEW_ROWS", 2)
    start(admin_client)
    job = upload_file(admin_client)
    admin_client.post(f"/customers/import/{job.pk}/mapping/", mapping_post(job))
    page = admin_client.get(f"/customers/import/{job.pk}/matching/").content.decode()
    assert "Checked the first 2 rows of the file here" in page
    assert "<strong>2</strong> to create" in page


def test_matching_counts_what_the_import_would_do(admin_client, customer):
    start(admin_client)
    job = upload_file(admin_client)
    admin_client.post(f"/customers/import/{job.pk}/mapping/", mapping_post(job))
    page = admin_client.get(f"/customers/import/{job.pk}/matching/").content.decode()
    assert "<strong>1</strong> to create" in page
    assert "<strong>1</strong> to update" in page  # Ada, by her email
    assert "<strong>1</strong> bad row" in page
    assert "Import, skipping the 1 bad row" in page
    assert Customer.objects.count() == 1  # nothing written yet


def test_the_import_runs_as_a_task_and_ends_in_its_report(
    admin_client, customer, django_capture_on_commit_callbacks
):
    job = run_wizard(admin_client, django_capture_on_commit_callbacks)
    assert job.status == "done"
    assert (job.rows, job.created, job.updated, job.failed) == (3, 1, 1, 1)
    grace = Customer.objects.get(email="grace@example.com")
    assert (grace.customer_type, grace.mobile_phone) == ("customer", "+447911123456")
    change = Change.objects.get(object_id=grace.pk, action="create")
    assert change.reason == f"Imported from contacts.csv (import {job.pk})"
    page = admin_client.get(f"/customers/imports/{job.pk}/").content.decode()
    assert "Import finished: 3 rows read." in page
    assert "<tr><th>Created</th><td>1</td></tr>" in page
    assert "<tr><th>Updated</th><td>1</td></tr>" in page
    assert "<tr><th>Failed</th><td>1</td></tr>" in page
    assert "Download failed rows (CSV)" in page
    customers = admin_client.get(f"/customers/imports/{job.pk}/customers/").content.decode()
    assert "Grace Hopper" in customers and "Ada Lovelace" in customers
    assert "2 customers" in customers


def test_failed_rows_download_has_the_original_columns_and_a_reason(
    admin_client, django_capture_on_commit_callbacks
):
    job = run_wizard(admin_client, django_capture_on_commit_callbacks)
    response = admin_client.get(f"/customers/imports/{job.pk}/failed-rows.csv")
    assert response["Content-Disposition"] == 'attachment; filename="contacts-failed-rows.csv"'
    rows = list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))
    assert rows[0] == [
        "Given Name",
        "Family Name",
        "E-mail 1 - Value",
        "Phone 1 - Label",
        "Phone 1 - Value",
        "Notes",
        "Reason",
    ]
    assert rows[1:] == [
        [
            "Bad",
            "Row",
            "not-an-email",
            "",
            "",
            "",
            "E-mail 1 - Value: Enter a valid email address: An email address must have an @-sign.",
        ]
    ]


def test_an_ignored_column_stays_ignored_in_the_import(
    admin_client, django_capture_on_commit_callbacks
):
    start(admin_client)
    job = upload_file(admin_client, text="First name,Last name,Email\nKay,Nobody,kay@example.com\n")
    admin_client.post(f"/customers/import/{job.pk}/mapping/", mapping_post(job, column_2=""))
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"/customers/import/{job.pk}/matching/")
    kay = Customer.objects.get(last_name="Nobody")
    assert kay.email == ""


def test_progress_polls_while_the_import_waits(admin_client, workspace, admin):
    job = ImportJob.objects.create(
        workspace=workspace,
        created_by=admin,
        file_name="big.csv",
        status="running",
        options={"usage": ""},
        rows=1000,
    )
    job.file.save("big.csv", upload("big.csv", "Email\n" + "a@example.com\n" * 4000))
    page = admin_client.get(f"/customers/imports/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert "1,000 of 4,000 rows done" in page
    assert '<progress value="1000" max="4000"' in page
    part = admin_client.get(f"/customers/imports/{job.pk}/", headers={"HX-Request": "true"})
    assert part.content.decode().lstrip().startswith('<div id="import-progress"')


def test_a_failed_import_says_why(admin_client, workspace, admin):
    job = ImportJob.objects.create(
        workspace=workspace,
        created_by=admin,
        file_name="x.csv",
        status="failed",
        options={"usage": ""},
        message="The disk is full",
    )
    page = admin_client.get(f"/customers/imports/{job.pk}/").content.decode()
    assert "The import stopped: The disk is full." in page
    from patron.exchange import importing

    assert ("Resume" in page) == hasattr(importing, "import_resume")


def test_past_imports_list_status_and_counts(
    admin_client, django_capture_on_commit_callbacks, other_workspace
):
    job = run_wizard(admin_client, django_capture_on_commit_callbacks)
    ImportJob.objects.create(workspace=other_workspace, file_name="secret.csv")
    page = admin_client.get("/customers/imports/").content.decode()
    assert f'<a href="/customers/imports/{job.pk}/">{job.pk}</a>' in page
    assert "contacts.csv" in page and "Done" in page
    assert "secret.csv" not in page


def test_a_started_import_cannot_be_started_again(admin_client, django_capture_on_commit_callbacks):
    job = run_wizard(admin_client, django_capture_on_commit_callbacks)
    response = admin_client.post(f"/customers/import/{job.pk}/matching/")
    assert response["Location"] == f"/customers/imports/{job.pk}/"
    assert Customer.objects.count() == 2


def test_read_only_users_cannot_import(client, workspace):
    reader = MembershipFactory(workspace=workspace, role=Role.READ_ONLY).user
    client.force_login(reader)
    assert client.get("/customers/import/").status_code == 403
    assert client.get("/customers/imports/").status_code == 403
    assert "Import customers" not in client.get("/customers/").content.decode()


def test_sales_may_import_customers_but_not_a_list(client, workspace):
    sales = MembershipFactory(workspace=workspace, role=Role.SALES).user
    client.force_login(sales)
    assert client.get("/customers/import/").status_code == 200
    assert client.get("/lists/import/").status_code == 403


# --- Import Customer List -----------------------------------------------------------------

LIST_OPTIONS = {
    "name": "Trade show 2026",
    "description": "Met at the stand",
    "vendor": "Expo Ltd",
    "cost": "250.00",
    "expiry_date": "2027-01-31",
    "usage_frequency": "0",
    "source": "event",
    "usage": "email",
    "customer_type": "prospect",
    "match": "update",
}


def test_the_lists_index_offers_the_list_import(admin_client):
    assert 'href="/lists/import/"' in admin_client.get("/lists/").content.decode()


def test_list_step_1_checks_the_lists_fields(admin_client, workspace):
    CustomerList.objects.create(workspace=workspace, name="Trade show 2026")
    response = admin_client.post("/lists/import/", {**LIST_OPTIONS, "cost": "-1"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "A customer list with this name already exists." in page
    assert "Ensure this value is greater than or equal to 0." in page
    for label in ("List name", "Vendor", "Cost", "Expiry date", "Usage frequency", "List source"):
        assert label in page


def test_list_import_creates_the_list_and_counts_joined_and_refused(
    admin_client, workspace, django_capture_on_commit_callbacks
):
    start(admin_client, LIST_OPTIONS, url="/lists/import/")
    text = "Last name,Email,Mobile\nHopper,grace@example.com,\nNoemail,,07911 123456\n"
    job = upload_file(admin_client, text=text)
    admin_client.post(f"/customers/import/{job.pk}/mapping/", mapping_post(job))
    page = admin_client.get(f"/customers/import/{job.pk}/matching/").content.decode()
    assert "join the new list <strong>Trade show 2026</strong>" in page
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"/customers/import/{job.pk}/matching/")
    job.refresh_from_db()
    customer_list = CustomerList.objects.get(workspace=workspace, name="Trade show 2026")
    assert job.customer_list == customer_list
    assert (customer_list.origin, customer_list.vendor, customer_list.source) == (
        "import",
        "Expo Ltd",
        "event",
    )
    assert str(customer_list.cost) == "250.00"
    assert job.created == 2
    # An email list takes the customer with an email; the other is reported.
    assert (job.joined_list, job.refused_by_list) == (1, 1)
    assert [
        e.customer.last_name for e in ListEntry.objects.filter(customer_list=customer_list)
    ] == ["Hopper"]
    page = admin_client.get(f"/customers/imports/{job.pk}/").content.decode()
    assert "Trade show 2026</a>" in page
    assert "<tr><th>Joined the list</th><td>1</td></tr>" in page
    assert "<tr><th>Refused by the list</th><td>1</td></tr>" in page


def test_an_abandoned_list_import_creates_no_list(admin_client, workspace):
    start(admin_client, LIST_OPTIONS, url="/lists/import/")
    upload_file(admin_client)
    assert not CustomerList.objects.exists()


def test_another_workspaces_draft_is_not_found(client, admin_client, other_workspace):
    start(admin_client)
    job = upload_file(admin_client)
    intruder = MembershipFactory(workspace=other_workspace, role=Role.ADMIN).user
    client.force_login(intruder)
    for url in (
        f"/customers/import/{job.pk}/mapping/",
        f"/customers/import/{job.pk}/matching/",
        f"/customers/imports/{job.pk}/",
    ):
        assert client.get(url).status_code == 404


def test_an_other_sessions_draft_sends_back_to_the_start(client, admin_client, workspace, admin):
    start(admin_client)
    job = upload_file(admin_client)
    colleague = MembershipFactory(workspace=workspace, role=Role.ADMIN).user
    client.force_login(colleague)
    response = client.get(f"/customers/import/{job.pk}/mapping/")
    assert response["Location"] == "/customers/import/"


def test_duplicate_of_an_existing_customer_is_updated_not_created(
    admin_client, workspace, admin, django_capture_on_commit_callbacks
):
    make_customer(
        workspace, admin, first_name="Grace", last_name="Hopper", email="grace@example.com"
    )
    job = run_wizard(admin_client, django_capture_on_commit_callbacks)
    assert Customer.objects.filter(email="grace@example.com").count() == 1
    assert job.updated == 1


def test_a_stopped_import_resumes_from_its_page(
    admin_client, monkeypatch, django_capture_on_commit_callbacks
):
    from patron.exchange import jobs

    start(admin_client)
    text = "Last name,Email\nOne,one@example.com\nTwo,two@example.com\nThree,three@example.com\n"
    job = upload_file(admin_client, text=text)
    admin_client.post(f"/customers/import/{job.pk}/mapping/", mapping_post(job))
    with django_capture_on_commit_callbacks(execute=False):
        admin_client.post(f"/customers/import/{job.pk}/matching/")
    ImportJob.objects.filter(pk=job.pk).update(batch_size=1)
    # The second batch fails as a lost database would, after writing its customers.
    from patron.exchange import importing

    calls = []
    real_write = importing._Importer.write

    def fail_the_second_batch(importer, batch):
        calls.append(1)
        real_write(importer, batch)
        if len(calls) == 2:
            raise RuntimeError("The database went away")

    monkeypatch.setattr(importing._Importer, "write", fail_the_second_batch)
    with pytest.raises(RuntimeError):
        jobs.run_job(job.pk)
    monkeypatch.undo()
    page = admin_client.get(f"/customers/imports/{job.pk}/").content.decode()
    assert "The import stopped: The database went away." in page
    assert "The rows already imported (1) stay imported." in page
    assert ">Resume</button>" in page
    assert list(Customer.objects.values_list("last_name", flat=True)) == ["One"]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/customers/imports/{job.pk}/")
    assert response["Location"] == f"/customers/imports/{job.pk}/"
    job.refresh_from_db()
    assert (job.status, job.rows, job.created) == ("done", 3, 3)
    assert sorted(Customer.objects.values_list("last_name", flat=True)) == ["One", "Three", "Two"]
    page = admin_client.get(f"/customers/imports/{job.pk}/").content.decode()
    assert ">Resume</button>" not in page


def test_with_a_worker_the_page_waits_then_reports(
    admin_client, run_worker, django_capture_on_commit_callbacks
):
    start(admin_client)
    job = upload_file(admin_client)
    admin_client.post(f"/customers/import/{job.pk}/mapping/", mapping_post(job))
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"/customers/import/{job.pk}/matching/")
    page = admin_client.get(f"/customers/imports/{job.pk}/").content.decode()
    assert "Waiting for a worker to start it." in page
    assert "0 of 3 rows done" in page
    assert 'hx-trigger="every 1s"' in page
    run_worker()
    page = admin_client.get(f"/customers/imports/{job.pk}/").content.decode()
    assert "Import finished: 3 rows read." in page
    assert 'hx-trigger="every 1s"' not in page


def test_a_list_name_taken_meanwhile_sends_back_to_step_1(admin_client, workspace):
    start(admin_client, LIST_OPTIONS, url="/lists/import/")
    job = upload_file(admin_client)
    CustomerList.objects.create(workspace=workspace, name="TRADE SHOW 2026")
    response = admin_client.get(f"/customers/import/{job.pk}/mapping/")
    assert response["Location"] == "/lists/import/?continue=1"
    page = admin_client.get(response["Location"]).content.decode()
    assert "A customer list with this name already exists." in page
    assert 'value="Expo Ltd"' in page  # the other answers are kept


def test_an_excel_workbook_and_a_vcard_file_are_read(admin_client):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Surname", "E-mail"])
    workbook.active.append(["Hopper", "grace@example.com"])
    content = io.BytesIO()
    workbook.save(content)
    start(admin_client)
    response = admin_client.post(
        "/customers/import/upload/",
        {"file": SimpleUploadedFile("people.xlsx", content.getvalue())},
    )
    page = admin_client.get(response["Location"]).content.decode()
    assert "people.xlsx: XLSX · 2 columns" in page
    assert selected(page, "column_0") == "last_name"
    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Hopper;Grace;;;\r\nEMAIL:grace@example.com\r\n"
    card += "END:VCARD\r\n"
    response = admin_client.post("/customers/import/upload/", {"file": upload("grace.vcf", card)})
    page = admin_client.get(response["Location"]).content.decode()
    assert "grace.vcf: VCF" in page
    assert "Hopper" in page  # the first values of the Last name column
    assert ImportJob.objects.count() == 1  # the workbook's draft was replaced
