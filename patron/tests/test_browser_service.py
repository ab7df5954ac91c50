"""Browser test of issue 7's staff side, service and loyalty: create a case from a customer
(the customer filled in) and resolve it; add loyalty points, then redeem them, a
redemption beyond the balance being refused. (The quote with three lines and a price-level
discount is patron/sales/tests/test_browser_quotes.py.)"""

import re

import pytest
from playwright.sync_api import expect

from patron.cases.models import Case
from patron.cases.services import reason_code_create
from patron.testing.factories import MembershipFactory, make_customer
from patron.tests.browsing import detail_url, log_in, open_tab, success_message
from patron.workspaces.roles import Role

pytestmark = pytest.mark.browser


def test_a_case_from_a_customer_resolved_and_loyalty_points_added_and_redeemed(open_page, acme):
    agent = MembershipFactory(workspace=acme, role=Role.MANAGER).user
    customer = make_customer(acme, agent, first_name="Grace", last_name="Hopper")
    reason_code_create(workspace=acme, actor=agent, data={"name": "Faulty goods"})
    page = open_page()
    log_in(page, agent.email)

    # A case, created from the customer: the form names the customer.
    page.goto(customer.get_absolute_url())
    open_tab(page, "Cases").get_by_role("link", name="Create a case").click()
    expect(page.get_by_role("heading", name=re.compile("Create a case"))).to_contain_text(
        "Grace Hopper"
    )
    page.get_by_label("Subject").fill("Kettle leaks")
    page.get_by_label("Reason code").select_option(label="Faulty goods")
    page.get_by_role("button", name="Save").click()
    expect(success_message(page)).to_have_text("Logged case 1 for Grace Hopper.")
    expect(page).to_have_url(detail_url(customer, "cases"))
    row = page.locator("#tab-panel tbody tr").first
    expect(row).to_contain_text("Kettle leaks")
    expect(row).to_contain_text("Open")
    expect(row).to_contain_text("Faulty goods")

    # Resolved: the resolution date appears, on the case and in the Cases tab.
    row.get_by_role("link", name="1", exact=True).click()
    resolved = page.locator(".details div", has=page.locator("dt", has_text="Resolved"))
    expect(resolved.locator("dd")).to_have_text("—")
    page.get_by_label("Status", exact=True).select_option(label="Resolved")
    page.get_by_role("button", name="Change status").click()
    expect(success_message(page)).to_have_text("Case 1 is now Resolved.")
    case = Case.objects.get(workspace=acme, number=1)
    assert case.resolved_at is not None
    expect(resolved.locator("dd")).to_have_text(re.compile(r"^\d{1,2} \w{3} \d{4} \d\d:\d\d$"))
    page.get_by_role("link", name="Grace Hopper").click()
    row = open_tab(page, "Cases").locator("tbody tr").first
    expect(row).to_contain_text("Resolved")
    expect(row.locator("td").nth(5)).not_to_have_text("—")

    # Loyalty: add points, redeem more than the balance (refused), then redeem some.
    tab = open_tab(page, "Loyalty")
    expect(tab.locator(".loyalty-balance")).to_have_text("0")
    tab.get_by_role("link", name="Add points").click()
    page.get_by_label("Points").fill("120")
    page.get_by_label("Reason").fill("Purchase 1234")
    page.get_by_role("button", name="Add points").click()
    expect(success_message(page)).to_have_text(
        "Earned: +120 points. Grace Hopper now has 120 points."
    )
    expect(open_tab(page, "Loyalty").locator(".loyalty-balance")).to_have_text("120")

    page.get_by_role("link", name="Redeem points").first.click()
    page.get_by_label("Points").fill("200")
    page.get_by_role("button", name="Redeem points").click()
    expect(page.locator(".errorlist")).to_contain_text(
        "Grace Hopper has 120 points: redeeming 200 would take the balance below zero."
    )
    expect(page.locator("#loyalty-balance")).to_have_text("120")
    page.get_by_label("Points").fill("50")
    page.get_by_role("button", name="Redeem points").click()
    expect(success_message(page)).to_have_text(
        "Redeemed: -50 points. Grace Hopper now has 70 points."
    )
    tab = open_tab(page, "Loyalty")
    expect(tab.locator(".loyalty-balance")).to_have_text("70")
    expect(tab.locator("tbody tr")).to_have_count(2)
