"""Browser test of issue 6's merge: find a customer by a phone number typed another way
than it was stored, find her duplicate in the review queue after a scan, merge the two
choosing values from both, then undo the merge."""

import re

import pytest
from playwright.sync_api import expect

from patron.customers.models import Customer
from patron.notes.models import Note
from patron.testing.factories import MembershipFactory, make_customer, make_note
from patron.tests.browsing import detail_url, log_in, menu_link, open_tab, success_message
from patron.workspaces.roles import Role

pytestmark = pytest.mark.browser


def test_search_by_phone_find_the_duplicate_merge_choosing_values_and_undo(open_page, acme):
    manager = MembershipFactory(workspace=acme, role=Role.MANAGER).user
    jane = make_customer(
        acme,
        manager,
        first_name="Jane",
        last_name="Whitfield",
        mobile_phone="+44 7911 123456",
        email="jane@example.com",
        date_of_birth="1980-02-09",
    )
    twin = make_customer(
        acme,
        manager,
        first_name="Jane",
        last_name="Whitfeild",
        mobile_phone="07911123456",
        email="jane.whitfield@example.org",
        date_of_birth="1980-02-09",
        city="Leeds",
    )
    make_customer(acme, manager, first_name="Robert", last_name="Mills", city="York")
    make_note(twin, manager, subject="Prefers email")
    page = open_page()
    log_in(page, manager.email)

    # The phone typed as a person in the UK would: both records come up.
    search = page.get_by_role("searchbox", name="Global search")
    search.fill("07911 123 456")
    search.press("Enter")
    results = page.locator("#results")
    expect(results).to_contain_text("2 found")
    expect(results.get_by_role("link", name="Jane Whitfield")).to_be_visible()
    expect(results.get_by_role("link", name="Jane Whitfeild")).to_be_visible()

    # A scan proposes them in the review queue.
    menu_link(page, "Duplicates").click()
    page.get_by_role("button", name="Scan for duplicates").click()
    row = page.locator("tbody tr").filter(has_text="Jane Whitfeild")
    expect(row).to_contain_text("Jane Whitfield")
    row.get_by_role("link", name="Review").click()
    expect(page.get_by_role("heading", name=re.compile("Possible duplicate"))).to_be_visible()

    # Merge: Jane Whitfield stays, with her name but the other record's email and city.
    page.get_by_role("link", name="Merge…").click()
    expect(page.get_by_role("heading", name="Merge customers")).to_be_visible()
    page.get_by_label(f"Email of {twin}").check()
    page.get_by_label("Last name of Jane Whitfield").check()
    expect(page.get_by_label(f"City/suburb of {twin}")).to_be_checked()  # only she has one
    page.get_by_role("button", name="Merge 2 customers").click()
    expect(success_message(page)).to_contain_text("Merged 1 into Jane Whitfield")
    expect(page).to_have_url(detail_url(jane))
    expect(page.locator("dl.details")).to_contain_text("jane.whitfield@example.org")
    expect(page.locator("dl.details")).to_contain_text("Leeds")
    assert Note.objects.get(subject="Prefers email").customer_id == jane.pk
    assert Customer.objects.get(pk=twin.pk).merged_into_id == jane.pk

    history = open_tab(page, "History")
    expect(history).to_contain_text("Merged")
    merged_in = history.get_by_role("row", name=re.compile(r"^Merged in"))
    expect(merged_in).to_contain_text(f"{twin} (customer no. {twin.number})")

    # Undo, from the survivor's Merges tab.
    open_tab(page, "Merges").get_by_role("link", name="Details and Undo").click()
    expect(page.locator("main")).to_contain_text("Notes: 1 moved from Jane Whitfeild")
    page.get_by_role("button", name="Undo this merge").click()
    expect(success_message(page)).to_contain_text("Merge undone")
    expect(page).to_have_url(detail_url(jane))
    expect(page.locator("dl.details")).to_contain_text("jane@example.com")
    expect(page.locator("dl.details")).not_to_contain_text("Leeds")
    assert Note.objects.get(subject="Prefers email").customer_id == twin.pk
    expect(open_tab(page, "History")).to_contain_text("Merge undone")
    twin.refresh_from_db()
    assert twin.deleted_at is None and twin.merged_into is None
