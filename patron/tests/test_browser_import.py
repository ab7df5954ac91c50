"""Browser test of issue 5's import wizard: the five steps with a Google Contacts export
that has a bad row and a duplicate of an existing customer, ending in the report and the
failed-rows download."""

import csv
import re

import pytest
from playwright.sync_api import expect

from patron.customers.models import Customer
from patron.history.models import Change
from patron.testing.factories import MembershipFactory, make_customer
from patron.tests.browsing import log_in, menu_link
from patron.workspaces.roles import Role

pytestmark = pytest.mark.browser
NEXT = "Next \u203a"  # the wizard's "Next" button and link

GOOGLE_CONTACTS = (  # the header of Google Contacts' "Google CSV" export, some columns
    "First Name,Middle Name,Last Name,Nickname,Organization Name,Organization Title,"
    "Birthday,Notes,Labels,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value\n"
    "Grace,,Hopper,Amazing Grace,US Navy,Rear Admiral,1906-12-09,,* myContacts,* Home,"
    "grace@navy.example,Mobile,07911 123456\n"
    "Ada,,Lovelace,,Analytical Engines,,--12-10,,* myContacts,* Home,"
    "ada@engines.example,Work,020 7946 0018\n"
    "Bad,,Row,,,,,,* myContacts,* Home,not-an-email,,\n"
)


def test_import_wizard_from_upload_to_report(open_page, acme, tmp_path):
    manager = MembershipFactory(workspace=acme, role=Role.MANAGER).user
    ada = make_customer(
        acme, manager, first_name="Ada", last_name="Lovelace", email="ada@engines.example"
    )
    contacts = tmp_path / "google-contacts.csv"
    contacts.write_text(GOOGLE_CONTACTS, encoding="utf-8")
    page = open_page()
    log_in(page, manager.email)

    menu_link(page, "Customers").click()
    page.get_by_role("link", name="Import customers").click()

    # Step 1: options.
    expect(page.get_by_role("heading", name=re.compile("step 1 of 5: Options"))).to_be_visible()
    page.get_by_label("Customer type", exact=True).select_option(label="Customer")
    page.get_by_label("Update it with the file's values").check()
    page.get_by_role("button", name=NEXT).click()

    # Step 2: upload, with the sample file offered.
    expect(page.get_by_role("heading", name=re.compile("step 2 of 5: Upload"))).to_be_visible()
    expect(page.get_by_role("link", name="Download a sample file")).to_be_visible()
    page.get_by_label("File").set_input_files(str(contacts))
    page.get_by_role("button", name=NEXT).click()

    # Step 3: the Google headers map themselves; the others are ignored.
    expect(page.get_by_role("heading", name=re.compile("step 3 of 5: Mapping"))).to_be_visible()
    expect(page.locator("#file-read")).to_contain_text("CSV, utf-8-sig, comma-delimited")
    expect(page.get_by_label("First Name")).to_have_value("first_name")
    expect(page.get_by_label("Last Name")).to_have_value("last_name")
    expect(page.get_by_label("E-mail 1 - Value")).to_have_value("email")
    expect(page.get_by_label("Organization Name")).to_have_value("company_name")
    expect(page.get_by_label("Organization Title")).to_have_value("job_title")
    expect(page.get_by_label("Nickname")).to_have_value("")  # no customer field: ignored
    page.get_by_label("Save this mapping as").fill("Google contacts")
    page.get_by_role("button", name=NEXT).click()

    # Step 4: the bad row, with its row number, column and reason.
    expect(page.get_by_role("heading", name=re.compile("step 4 of 5: Validation"))).to_be_visible()
    expect(page.locator("#bad-rows")).to_contain_text("1 bad row")
    errors = page.locator("#row-errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text("4")
    expect(errors.first).to_contain_text("E-mail 1 - Value")
    expect(errors.first).to_contain_text("Enter a valid email address")
    page.get_by_role("link", name=NEXT).click()

    # Step 5: matching finds Ada by her email; nothing is written yet.
    expect(page.get_by_role("heading", name=re.compile("step 5 of 5: Matching"))).to_be_visible()
    counts = page.locator("#preview-counts")
    expect(counts).to_contain_text("1 to create")
    expect(counts).to_contain_text("1 to update")
    expect(counts).to_contain_text("1 bad row")
    assert Customer.objects.filter(workspace=acme).count() == 1
    page.get_by_role("button", name="Import, skipping the 1 bad row").click()

    # The report (the task runs at once in tests; with a worker the page polls).
    expect(page.get_by_role("heading", name=re.compile(r"Import \d+ of google-contacts.csv")))
    expect(page.get_by_text("Import finished: 3 rows read.")).to_be_visible()
    report = page.locator("#import-report")
    expect(report.get_by_role("row", name="Created 1")).to_be_visible()
    expect(report.get_by_role("row", name="Updated 1")).to_be_visible()
    expect(report.get_by_role("row", name="Failed 1")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download failed rows (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "google-contacts-failed-rows.csv"
    with open(download.path(), encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0][-1] == "Reason" and rows[0][:-1] == GOOGLE_CONTACTS.split("\n")[0].split(",")
    assert rows[1][:3] == ["Bad", "", "Row"]
    assert rows[1][-1].startswith("E-mail 1 - Value: Enter a valid email address")
    assert len(rows) == 2

    grace = Customer.objects.get(workspace=acme, email="grace@navy.example")
    assert (grace.customer_type, grace.mobile_phone, grace.company_name) == (
        "customer",
        "+447911123456",
        "US Navy",
    )
    ada.refresh_from_db()
    assert (ada.work_phone, ada.company_name) == ("+442079460018", "Analytical Engines")
    assert Customer.objects.filter(workspace=acme).count() == 2
    assert Change.objects.filter(
        object_id=ada.pk, action="update", reason__startswith="Imported from google-contacts.csv"
    ).exists()

    page.get_by_role("link", name="The imported customers").click()
    expect(page.get_by_role("link", name="Grace Hopper")).to_be_visible()
    expect(page.get_by_role("link", name="Ada Lovelace")).to_be_visible()
