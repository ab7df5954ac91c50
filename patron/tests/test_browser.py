"""Browser tests: the paths a person walks through Patron, in a real Chromium.

They drive Debian's Chromium (never a Playwright-downloaded browser) through Playwright's
sync API against pytest-django's live_server. Run only these with `pytest -m browser`.

Set PATRON_SHOTS_DIR (e.g. /tmp/shots) to keep screenshots of the main pages at desktop
and phone sizes.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from patron.calls.services import cold_call_log
from patron.customers.models import Customer
from patron.notes.models import Note
from patron.testing.factories import (
    MembershipFactory,
    make_customer,
    make_note,
)
from patron.testing.files import make_attachment
from patron.tests.browsing import (
    DESKTOP,
    PHONE,
    detail_url,
    log_in,
    menu_link,
    open_tab,
    success_message,
    tab_content,
    tile_count,
)
from patron.workspaces.roles import Role

pytestmark = pytest.mark.browser


def test_customer_life_cycle(open_page, acme):
    """Create (after fixing a bad email), edit, read the history, find, delete, restore."""
    admin = MembershipFactory(workspace=acme, role=Role.ADMIN).user
    page = open_page()
    log_in(page, admin.email)

    # Create, with an email address that is not one.
    menu_link(page, "Customers").click()
    page.get_by_role("link", name="New customer", exact=True).click()
    expect(page.get_by_role("heading", name="New person")).to_be_visible()
    page.get_by_label("First name").fill("Grace")
    page.get_by_label("Last name").fill("Hopper")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("City/suburb").fill("Arlington")
    page.get_by_role("button", name="Save").click()

    email_field = page.locator("#field-email")
    expect(email_field.locator(".errorlist")).to_contain_text("Enter a valid email address")
    expect(page.get_by_role("heading", name="New person")).to_be_visible()
    expect(page.get_by_label("First name")).to_have_value("Grace")  # nothing typed is lost
    assert not Customer.objects.exists()

    page.get_by_label("Email").fill("Grace@Example.com")
    page.get_by_role("button", name="Save").click()

    expect(success_message(page)).to_contain_text("Created Grace Hopper (customer no.")
    customer = Customer.objects.get()
    expect(page).to_have_url(detail_url(customer))
    expect(page.get_by_role("heading", name=re.compile("Grace Hopper"))).to_contain_text(
        f"no. {customer.number}"
    )
    details = page.locator("dl.details")
    expect(details).to_contain_text("grace@example.com")
    expect(details).to_contain_text("Arlington")

    # Edit: move to another city.
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("Edit Grace Hopper"))).to_be_visible()
    expect(page.get_by_label("City/suburb")).to_have_value("Arlington")
    page.get_by_label("City/suburb").fill("New York")
    page.get_by_role("button", name="Save").click()

    expect(success_message(page)).to_have_text("Saved Grace Hopper.")
    expect(page).to_have_url(detail_url(customer))
    expect(details).to_contain_text("New York")
    expect(details).not_to_contain_text("Arlington")
    customer.refresh_from_db()
    assert customer.city == "New York"

    # History, loaded by htmx into the tab panel.
    page.get_by_role("tab", name="History").click()
    expect(page.get_by_role("tab", name="History")).to_have_attribute("aria-selected", "true")
    city_row = (
        page.locator("#tab-panel tr").filter(has_text="City/suburb").filter(has_text="New York")
    )
    expect(city_row).to_have_count(1)
    expect(city_row.locator("td").nth(-2)).to_have_text("Arlington")
    expect(city_row.locator("td").nth(-1)).to_have_text("New York")

    # Find her again through the banner's type-ahead.
    menu_link(page, "Home").click()
    search = page.get_by_role("searchbox", name="Global search")
    search.press_sequentially("hopper gr", delay=20)
    suggestion = page.locator("#suggestions a").filter(has_text="Grace Hopper")
    expect(suggestion).to_contain_text(f"no. {customer.number}")
    search.press("Escape")  # Escape closes the suggestions...
    expect(page.locator("#suggestions a")).to_have_count(0)
    search.press_sequentially("Hopper", delay=20)  # ...typing again brings them back
    expect(suggestion).to_be_visible()
    suggestion.click()
    expect(page).to_have_url(detail_url(customer))

    # ...and by submitting the search: the list shows her.
    search = page.get_by_role("searchbox", name="Global search")
    search.fill("grace@example")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/customers/\?q=grace%40example"))
    expect(page.locator("#results")).to_contain_text("1 found")
    expect(page.locator("#results").get_by_role("link", name="Grace Hopper")).to_be_visible()

    # Delete, after the confirm page; she goes to the recycle bin.
    page.locator("#results").get_by_role("link", name="Grace Hopper").click()
    page.get_by_role("link", name="Delete", exact=True).click()
    expect(page.get_by_role("heading", name="Delete Grace Hopper?")).to_be_visible()
    expect(page.get_by_text("recycle bin, where it can be restored")).to_be_visible()
    page.get_by_role("button", name="Delete").click()

    expect(page).to_have_url(re.compile(r"/customers/recycle-bin/$"))
    expect(success_message(page)).to_have_text("Moved Grace Hopper to the recycle bin.")
    binned = page.locator("tbody tr").filter(has_text="Grace Hopper")
    expect(binned).to_have_count(1)
    customer.refresh_from_db()
    assert customer.deleted_at is not None

    # Gone from the list and from the type-ahead.
    page.goto("/customers/")
    expect(page.locator("#results")).to_contain_text("No customers match.")
    page.get_by_role("searchbox", name="Global search").press_sequentially("hopper", delay=20)
    expect(page.locator("#suggestions")).to_contain_text("No match for “hopper”")
    page.get_by_role("heading", name="Customers").click()  # clicking elsewhere closes it
    expect(page.locator("#suggestions a")).to_have_count(0)

    # Restore from the recycle bin: she is back.
    menu_link(page, "Recycle bin").click()
    page.locator("tbody tr").filter(has_text="Grace Hopper").get_by_role(
        "button", name="Restore"
    ).click()
    expect(page).to_have_url(detail_url(customer))
    expect(success_message(page)).to_have_text("Restored Grace Hopper from the recycle bin.")
    expect(page.get_by_text("In the recycle bin")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit", exact=True)).to_be_visible()
    customer.refresh_from_db()
    assert customer.deleted_at is None

    menu_link(page, "Recycle bin").click()
    expect(page.get_by_text("The recycle bin is empty.")).to_be_visible()
    page.goto("/customers/")
    expect(page.locator("#results").get_by_role("link", name="Grace Hopper")).to_be_visible()


def test_choose_an_organization_by_typing_its_name(open_page, acme):
    """The form lists no organizations up front; typing a few letters offers the matches."""
    admin = MembershipFactory(workspace=acme, role=Role.ADMIN).user
    make_customer(acme, admin, kind="organization", company_name="Initech")
    initrode = make_customer(acme, admin, kind="organization", company_name="Initrode")
    page = open_page()
    log_in(page, admin.email)
    page.goto("/customers/new/")
    organization = page.get_by_role("combobox", name="Organization", exact=True)
    expect(organization.locator("option")).to_have_text(["—"])

    page.get_by_label("Find an organization").fill("initr")
    expect(organization.locator("option")).to_have_count(2)
    organization.select_option(label=f"Initrode (no. {initrode.number})")
    page.get_by_label("Last name").fill("Lumbergh")
    page.get_by_role("button", name="Save").click()

    expect(success_message(page)).to_contain_text("Created Lumbergh")
    assert Customer.objects.get(last_name="Lumbergh").organization == initrode


def test_read_only_member_sees_no_edit_or_delete(open_page, acme):
    admin = MembershipFactory(workspace=acme, role=Role.ADMIN).user
    customer = make_customer(acme, admin, first_name="Ada", last_name="Lovelace")
    reader = MembershipFactory(workspace=acme, role=Role.READ_ONLY).user
    page = open_page()
    log_in(page, reader.email)

    page.goto(customer.get_absolute_url())
    expect(page.get_by_role("heading", name=re.compile("Ada Lovelace"))).to_be_visible()
    expect(page.locator("dl.details")).to_be_visible()
    actions = page.get_by_role("navigation", name="Actions")
    for name in ("Edit", "Delete", "Void"):
        expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)
    for name in ("Archive", "Restore"):
        expect(page.get_by_role("button", name=name, exact=True)).to_have_count(0)
    expect(actions.locator("a, button")).to_have_count(0)

    page.goto("/customers/")
    expect(page.locator("#results").get_by_role("link", name="Ada Lovelace")).to_be_visible()
    expect(page.get_by_role("link", name="New customer")).to_have_count(0)
    expect(page.get_by_role("navigation").get_by_role("link", name="Recycle bin")).to_have_count(0)


def _fits_width(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_main_pages_fit_the_screen(open_page, acme, viewport):
    """List, detail and form do not scroll sideways, on a desktop or a phone."""
    admin = MembershipFactory(workspace=acme, role=Role.ADMIN).user
    org = make_customer(acme, admin, kind=Customer.Kind.ORGANIZATION, company_name="Navy Labs")
    customer = make_customer(
        acme,
        admin,
        title="Dr",
        first_name="Grace",
        last_name="Hopper",
        email="grace.hopper@example.com",
        work_phone="020 7946 0018",
        address_1="1 Harbour Road",
        city="Arlington",
        postcode="SW1A 1AA",
        organization=org,
        job_title="Rear admiral",
    )
    for first, last in [("Ada", "Lovelace"), ("Alan", "Turing"), ("Katherine", "Johnson")]:
        make_customer(acme, admin, first_name=first, last_name=last, email=f"{first}@example.com")
    # Something in the tabs, on My call-backs (one overdue) and in the dashboard's tiles.
    cold_call_log(
        workspace=acme,
        actor=admin,
        customer=customer,
        data={"outcome": "call_back", "notes": "Call after the board meeting."},
    )
    make_note(customer, admin, subject="Send the COBOL brochure", callback_in=timedelta(days=1))
    late = make_note(
        customer, admin, subject="Ask about the compiler contract", callback_in=timedelta(hours=1)
    )
    Note.objects.filter(pk=late.pk).update(callback_at=timezone.now() - timedelta(days=2))
    make_attachment(customer, admin, name="Compiler maintenance contract 2026 (signed).pdf")
    page = open_page(viewport)
    log_in(page, admin.email)
    shots = os.environ.get("PATRON_SHOTS_DIR")
    name = "desktop" if viewport == DESKTOP else "phone"

    def check(label: str) -> None:
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{shots}/{label}-{name}.png", full_page=True)
        assert _fits_width(page), f"{label} scrolls sideways at {viewport}"

    page.goto("/customers/")
    expect(page.locator("#results")).to_contain_text("5 found")
    check("list")

    page.get_by_role("searchbox", name="Global search").press_sequentially("hop", delay=20)
    expect(page.locator("#suggestions a").filter(has_text="Grace Hopper")).to_be_visible()
    check("suggestions")

    page.goto(customer.get_absolute_url())
    tab_content(page)  # the first tab has loaded
    check("detail")
    for label in page.get_by_role("tab").all_inner_texts():
        open_tab(page, label)
        check(f"detail-{label.lower().replace(' ', '-')}")

    page.goto(f"/customers/{customer.pk}/edit/")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#field-email .errorlist")).to_be_visible()
    check("form")

    page.goto("/")
    expect(tile_count(page, "callbacks-due")).to_have_text("1")  # the overdue one
    expect(tile_count(page, "workflow-new")).to_have_text("5")
    check("home")

    page.goto("/callbacks/")
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("tbody tr").first).to_contain_text("Overdue")
    check("callbacks")

    page.goto("/calls/new/")
    page.get_by_role("button", name="Save").click()  # nothing filled in: the errors show
    expect(page.locator("#field-last_name .errorlist")).to_be_visible()
    expect(page.locator("#field-outcome .errorlist")).to_be_visible()
    # Fields in error are outlined alike, whether inputs or selects.
    border = "e => getComputedStyle(e).borderTopColor"
    outline = page.locator("#field-outcome select").evaluate(border)
    assert page.locator("#field-last_name input").evaluate(border) == outline
    assert page.locator("#field-first_name input").evaluate(border) != outline
    check("cold-call-form")


def test_cold_call_to_approved_customer(open_page, acme, tmp_path):
    """Sales cold-calls someone new, adds a note with a call-back and a file, and releases
    the prospect; accounts see it waiting on their dashboard and approve it.
    """
    salesman = MembershipFactory(workspace=acme, role=Role.SALES, user__full_name="Sam Seller").user
    accountant = MembershipFactory(
        workspace=acme, role=Role.ACCOUNTS, user__full_name="Alex Ledger"
    ).user
    dialogs: list[str] = []

    def watch_dialogs(page: Page) -> Page:
        """No page may open an alert: a note's markup must never run as script."""

        def on_dialog(dialog):
            dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        return page

    page = watch_dialogs(open_page())
    log_in(page, salesman.email)

    # A cold call to someone new creates the prospect with the call.
    menu_link(page, "Cold calls").click()
    expect(page.get_by_role("heading", name="Cold calls")).to_be_visible()
    page.get_by_role("link", name="Cold call to someone new").click()
    expect(page).to_have_url(re.compile(r"/calls/new/$"))
    expect(page.get_by_role("heading", name="Cold call to someone new")).to_be_visible()
    expect(page.get_by_label("Called at")).to_have_value(re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d$"))
    page.get_by_label("First name").fill("Margaret")
    page.get_by_label("Last name").fill("Hamilton")
    page.get_by_label("Company name").fill("Apollo Guidance")
    page.get_by_label("Work phone").fill("020 7946 0999")
    page.get_by_label("Email").fill("Margaret@Example.com")
    page.get_by_label("Outcome").select_option(label="Interested")
    call_notes = "Wants a demo. <script>alert('call')</script>"
    page.get_by_label("Notes", exact=True).fill(call_notes)
    page.get_by_role("button", name="Save").click()

    expect(success_message(page)).to_have_text("Logged the call with Margaret Hamilton.")
    customer = Customer.objects.get()
    expect(page).to_have_url(detail_url(customer))
    assert (customer.customer_type, customer.workflow_state) == ("prospect", "new")
    assert customer.email == "margaret@example.com"
    call = customer.cold_calls.get()
    assert (call.caller, call.outcome) == (salesman, "interested")
    expect(page.get_by_role("heading", name=re.compile("Margaret Hamilton"))).to_contain_text(
        f"no. {customer.number}"
    )
    expect(page.locator("dl.details")).to_contain_text("Prospect")
    calls_tab = open_tab(page, "Calls")
    expect(calls_tab.locator("tbody tr")).to_have_count(1)
    expect(calls_tab.locator("tbody tr")).to_contain_text("Interested")
    expect(calls_tab.locator("tbody tr")).to_contain_text("Sam Seller")

    # A note whose text is markup, with a call-back for tomorrow at 10:00.
    tomorrow = timezone.localdate() + timedelta(days=1)
    due = f"{tomorrow.day} {tomorrow:%b %Y} 10:00"
    markup = "<b>bold</b><script>alert(1)</script>"
    actions = page.get_by_role("navigation", name="Actions")
    actions.get_by_role("link", name="Add Note").click()
    expect(page.get_by_role("heading", name=re.compile("Add Note"))).to_be_visible()
    page.get_by_label("Short description").fill("Demo next week")
    page.get_by_label("Note", exact=True).fill(f"{markup}\nBring the brochure.")
    page.get_by_label("Call back at").fill(f"{tomorrow.isoformat()}T10:00")
    expect(page.get_by_label("Call back by")).to_have_value(str(salesman.pk))
    page.get_by_role("button", name="Save").click()

    expect(success_message(page)).to_have_text("Added the note to Margaret Hamilton.")
    expect(page).to_have_url(detail_url(customer))
    note = customer.notes.get()
    assert note.body == f"{markup}\nBring the brochure."  # sent as CRLF, stored as LF
    assert note.callback_for == salesman
    assert timezone.localtime(note.callback_at).date() == tomorrow
    notes_tab = open_tab(page, "Notes")
    note_row = notes_tab.locator("tbody tr").filter(has_text="Demo next week")
    expect(note_row).to_contain_text(due)
    note_row.get_by_role("link", name="Demo next week").click()

    # The note page shows the markup as text: nothing bold, no script.
    expect(page).to_have_url(re.compile(rf"/notes/{note.pk}/$"))
    body = page.locator(".note-body")
    expect(body).to_contain_text(markup)
    expect(body).to_contain_text("Bring the brochure.")
    expect(body.locator("b, script")).to_have_count(0)
    expect(body.locator("br")).to_have_count(1)  # the line break is kept
    assert dialogs == []

    # The call-back is on the salesman's list.
    menu_link(page, "My call-backs").click()
    expect(page.get_by_role("heading", name=re.compile("My call-backs"))).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(due)
    expect(rows).to_contain_text("Margaret Hamilton")
    expect(rows.get_by_role("link", name="Demo next week")).to_be_visible()
    expect(rows).not_to_contain_text("Overdue")
    rows.get_by_role("link", name="Margaret Hamilton").click()
    expect(page).to_have_url(detail_url(customer))

    # Attach a UTF-8 text file with a non-ASCII name, and download it again.
    upload = tmp_path / "Angebot für Müller.txt"
    upload.write_bytes("Quote for 3 guidance computers: £1 200 each. Ünïcödé ✓\n".encode())
    actions.get_by_role("link", name="Add Attachment").click()
    expect(page.get_by_role("heading", name=re.compile("Add attachment"))).to_be_visible()
    page.get_by_label("File").set_input_files(upload)
    page.get_by_label("Description").fill("The quote we sent")
    page.get_by_role("button", name="Attach").click()

    expect(success_message(page)).to_have_text(
        "Attached Angebot für Müller.txt to Margaret Hamilton."
    )
    attachment = customer.attachments.get()
    expect(page).to_have_url(re.compile(rf"/attachments/{attachment.pk}/$"))
    details = page.locator("dl.details")
    expect(details).to_contain_text("Angebot für Müller.txt")
    expect(details).to_contain_text("text file")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download").click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename == "Angebot für Müller.txt"
    assert Path(download.path()).read_bytes() == upload.read_bytes()

    # Release, after the confirm page.
    page.get_by_role("link", name="Back to Margaret Hamilton").click()
    expect(page).to_have_url(detail_url(customer))
    attachments_tab = open_tab(page, "Attachments")
    expect(attachments_tab.get_by_role("link", name="Angebot für Müller.txt")).to_be_visible()
    actions.get_by_role("link", name="Release", exact=True).click()
    expect(page.get_by_role("heading", name="Release Margaret Hamilton?")).to_be_visible()
    expect(page.get_by_text("Are you sure you want to release this customer?")).to_be_visible()
    page.get_by_role("button", name="Release").click()

    expect(success_message(page)).to_have_text("Released Margaret Hamilton.")
    expect(page).to_have_url(detail_url(customer))
    expect(page.locator("dl.details")).to_contain_text("Released (waiting for approval)")
    expect(actions.get_by_role("link", name="Release", exact=True)).to_have_count(0)
    expect(actions.get_by_role("button", name="Approve")).to_have_count(0)  # not for sales
    customer.refresh_from_db()
    assert customer.workflow_state == "released"

    # The Timeline, the first tab, lists the call, the note and the file, newest first;
    # the call's markup is text there too (htmx would run a swapped-in script).
    expect(page.get_by_role("tab").first).to_have_text("Timeline")
    entries = tab_content(page).locator("tbody tr")
    expect(entries).to_have_count(3)
    for row, (kind, title) in enumerate(
        [
            ("Attachment", "Angebot für Müller.txt (The quote we sent)"),
            ("Note", "Demo next week"),
            ("Call", f"Interested: {call_notes}"),
        ]
    ):
        expect(entries.nth(row).locator("td").nth(1)).to_have_text(kind)
        expect(entries.nth(row).locator("td").nth(2)).to_have_text(title)
        expect(entries.nth(row).locator("td").nth(3)).to_have_text("Sam Seller")
    expect(page.locator("#tab-panel script")).to_have_count(0)
    entries.nth(2).get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/calls/{call.pk}/$"))
    expect(page.locator("dl.details")).to_contain_text(call_notes)
    assert dialogs == []

    # Accounts, in a browser of their own, find it waiting on their dashboard.
    accounts = watch_dialogs(open_page())
    log_in(accounts, accountant.email)
    expect(tile_count(accounts, "workflow-released")).to_have_text("1")
    expect(tile_count(accounts, "workflow-new")).to_have_text("0")
    expect(tile_count(accounts, "workflow-active")).to_have_text("0")
    expect(accounts.locator("#tile-workflow-released")).to_contain_text("Waiting for approval")
    accounts.locator("#tile-workflow-released").click()

    expect(accounts).to_have_url(re.compile(r"/customers/\?workflow_state=released$"))
    results = accounts.locator("#results")
    expect(results).to_contain_text("1 found")
    results.get_by_role("link", name="Margaret Hamilton").click()
    expect(accounts).to_have_url(detail_url(customer))
    accounts.get_by_role("navigation", name="Actions").get_by_role("button", name="Approve").click()

    expect(success_message(accounts)).to_have_text("Approved Margaret Hamilton.")
    expect(accounts).to_have_url(detail_url(customer))
    expect(accounts.locator("dl.details")).to_contain_text("Active (approved)")
    expect(accounts.get_by_role("button", name="Approve")).to_have_count(0)
    customer.refresh_from_db()
    assert customer.workflow_state == "active"

    menu_link(accounts, "Home").click()
    expect(tile_count(accounts, "workflow-released")).to_have_text("0")
    expect(tile_count(accounts, "workflow-active")).to_have_text("1")
    expect(tile_count(accounts, "workflow-new")).to_have_text("0")
    assert dialogs == []
