"""Browser test of the customer portal (issue 7).

A manager grants a contact portal access; the contact receives its generated password by
email (a real SMTP server on loopback), logs in to /portal/, raises a request and cancels
it. A colleague without the organization-manager right cannot see that request; one with
the right can.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from patron.cases.models import Case
from patron.mail.tests.conftest import smtp  # noqa: F401 - the SMTP server fixture
from patron.portal.tests.conftest import PORTAL_PASSWORD, give_access
from patron.testing.factories import MembershipFactory, make_customer
from patron.tests.browsing import detail_url, log_in, open_tab, success_message
from patron.workspaces.roles import Role

pytestmark = pytest.mark.browser


def portal_log_in(page: Page, email: str, password: str) -> None:
    page.goto("/portal/")
    expect(page.get_by_role("heading", name="Log in to the customer portal")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/portal/$"))


def portal_menu(page: Page, name: str):
    return page.get_by_role("navigation", name="Portal").get_by_role("link", name=name)


def test_a_contact_raises_and_cancels_a_request_in_the_portal(open_page, acme, smtp):  # noqa: F811
    manager = MembershipFactory(workspace=acme, role=Role.MANAGER).user
    globex = make_customer(acme, manager, kind="organization", company_name="Globex Ltd")
    grace = make_customer(
        acme,
        manager,
        first_name="Grace",
        last_name="Hopper",
        email="grace@globex.example",
        organization=globex,
    )
    alan = make_customer(
        acme,
        manager,
        first_name="Alan",
        last_name="Turing",
        email="alan@globex.example",
        organization=globex,
    )
    mary = make_customer(
        acme,
        manager,
        first_name="Mary",
        last_name="Jackson",
        email="mary@globex.example",
        organization=globex,
    )
    give_access(alan)
    give_access(mary, manager=True)
    smtp.messages.clear()

    staff = open_page()
    log_in(staff, manager.email)
    staff.goto(grace.get_absolute_url())
    panel = open_tab(staff, "Portal access")
    panel.get_by_role("button", name="Grant portal access").click()
    expect(staff).to_have_url(detail_url(grace, "portal"))
    expect(success_message(staff)).to_contain_text("emailed to grace@globex.example")

    (arrived,) = smtp.messages
    assert arrived.rcpt_tos == ["grace@globex.example"]
    password = re.search(r"^Password: (\S+)", arrived.message.get_content(), re.M).group(1)

    page = open_page()
    portal_log_in(page, "grace@globex.example", password)
    expect(page.get_by_role("heading", name="Welcome, Grace Hopper")).to_be_visible()
    page.get_by_role("navigation", name="Portal").get_by_role(
        "link", name="Raise a request"
    ).click()
    page.get_by_label("Subject").fill("Printer jams")
    page.get_by_label("Description").fill("Every third page jams.")
    page.get_by_role("button", name="Send the request").click()
    case = Case.objects.get(subject="Printer jams")
    expect(page.get_by_role("heading", name=f"Request {case.number}: Printer jams")).to_be_visible()
    page.get_by_role("link", name="Back to the requests").click()
    expect(page.get_by_role("cell", name="Printer jams")).to_be_visible()
    page.get_by_role("link", name=str(case.number), exact=True).click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel this request").click()
    expect(success_message(page)).to_have_text(f"Request {case.number} is cancelled.")
    expect(page.locator(".badge")).to_have_text("Closed")

    colleague = open_page()
    portal_log_in(colleague, "alan@globex.example", PORTAL_PASSWORD)
    portal_menu(colleague, "My requests").click()
    expect(colleague.get_by_text("No requests.")).to_be_visible()
    expect(colleague.get_by_text("Printer jams")).to_have_count(0)

    organization_manager = open_page()
    portal_log_in(organization_manager, "mary@globex.example", PORTAL_PASSWORD)
    portal_menu(organization_manager, "My requests").click()
    row = organization_manager.get_by_role("row", name=re.compile("Printer jams"))
    expect(row).to_contain_text("Grace Hopper")
    expect(row).to_contain_text("Closed")
