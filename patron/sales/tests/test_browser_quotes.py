"""Browser test of issue 7's quote path: give an organization a price level, create a
quote from its page, add three lines, check the totals, send it and print it."""

import re

import pytest
from playwright.sync_api import expect

from patron.customers.models import Customer
from patron.sales import services
from patron.testing.factories import MembershipFactory, WorkspaceFactory, make_customer
from patron.tests.browsing import log_in, open_tab, success_message
from patron.workspaces.roles import Role

pytestmark = pytest.mark.browser


def test_quote_with_three_lines_and_a_price_level_discount(open_page):
    workspace = WorkspaceFactory(name="Acme Trading", slug="acme")
    manager = MembershipFactory(workspace=workspace, role=Role.MANAGER).user
    organization = make_customer(
        workspace,
        manager,
        kind=Customer.Kind.ORGANIZATION,
        company_name="Hope Works",
        address_1="1 Mill Lane",
        city="Leeds",
    )
    services.price_level_create(
        workspace=workspace, actor=manager, data={"name": "Trade", "discount": "10"}
    )
    services.item_create(
        workspace=workspace,
        actor=manager,
        data={"code": "B-1", "name": "Boiler", "unit_price": "49.99", "tax_rate": "20"},
    )
    page = open_page()
    log_in(page, manager.email)

    page.goto(organization.get_absolute_url())
    page.get_by_role("link", name="Price level", exact=True).click()
    page.get_by_label("Price level").select_option(label="Trade (10%)")
    page.get_by_role("button", name="Save").click()
    expect(open_tab(page, "Price level")).to_contain_text("Trade: 10.00% discount")

    page.get_by_role("link", name="Create quote").click()
    expect(page.get_by_label("Customer name")).to_have_value("Hope Works")
    page.get_by_role("button", name="Create quote").click()
    expect(success_message(page)).to_contain_text("Created Quote 1")

    add = page.locator("#add-line")
    add.get_by_label("Item").select_option(label="B-1 Boiler")
    add.get_by_label("Quantity").fill("2")
    add.get_by_role("button", name="Add line").click()
    for description, quantity, price, tax in [
        ("Fitting", "1", "120.00", "20"),
        ("Pipes", "3.5", "8.40", ""),
    ]:
        add.get_by_label("Description").fill(description)
        add.get_by_label("Quantity").fill(quantity)
        add.get_by_label("Unit price").fill(price)
        add.get_by_label("Tax rate %").fill(tax)
        add.get_by_role("button", name="Add line").click()
        expect(success_message(page)).to_contain_text("Added the line.")
    expect(page.locator(".quote-lines tbody tr")).to_have_count(3)
    expect(page.locator('[data-total="subtotal"]')).to_have_text("249.38")
    expect(page.locator('[data-total="discount"]')).to_have_text("\u221224.94")
    expect(page.locator('[data-total="tax"]')).to_have_text("39.60")
    expect(page.locator('[data-total="total"]')).to_have_text("264.04")

    page.get_by_role("button", name="Mark as sent").click()
    expect(page.locator("#quote-status")).to_have_text("Sent")
    expect(page.locator("#add-line")).to_have_count(0)

    page.goto(re.sub(r"/$", "/print/", page.url.split("#")[0]))
    expect(page.get_by_role("heading", name="Quote 1")).to_be_visible()
    expect(page.locator("body")).to_contain_text("Acme Trading")
    expect(page.locator('[data-total="total"]')).to_have_text("264.04")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
