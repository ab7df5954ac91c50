"""What the browser tests share: how Chromium is launched and the steps a person takes
(log in, open a menu, read a message, open a tab). The fixtures are in conftest.py."""

import os
import re

from playwright.sync_api import Page, expect

from patron.customers.models import Customer
from patron.testing.factories import PASSWORD

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

DESKTOP = {"width": 1280, "height": 800}

PHONE = {"width": 390, "height": 844}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def log_in(page: Page, email: str) -> None:
    page.goto("/login/")
    expect(page.get_by_role("heading", name="Log in to Patron")).to_be_visible()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("button", name="Log in")).to_have_count(0)


def menu_link(page: Page, name: str):
    """A link of the menu bar, by its exact name ("Customers" is not "My customers")."""
    return page.get_by_role("navigation").get_by_role("link", name=name, exact=True)


def success_message(page: Page):
    return page.locator("p.message.success")


def detail_url(customer: Customer, tab: str | None = None) -> re.Pattern:
    """The customer's page; with `tab`, opened on that tab (?tab=...)."""
    if tab:
        return re.compile(rf"/customers/{customer.pk}/\?tab={tab}$")
    return re.compile(rf"/customers/{customer.pk}/$")


def tile_count(page: Page, slug: str):
    """The number on a home-page tile, e.g. tile_count(page, "workflow-released")."""
    return page.locator(f"#tile-{slug} .tile-count")


def tab_content(page: Page):
    """The customer page's tab panel, once htmx has filled it (the first tab loads itself)."""
    panel = page.locator("#tab-panel")
    expect(panel.locator(":scope > :not(noscript)").first).to_be_visible()
    return panel


def open_tab(page: Page, name: str):
    """Click a tab of the customer page; the panel, once htmx has swapped the tab in."""
    panel = tab_content(page)
    panel.evaluate("panel => { for (const child of panel.children) child.dataset.stale = '' }")
    tab = page.get_by_role("tab", name=name, exact=True)
    tab.click()
    expect(tab).to_have_attribute("aria-selected", "true")
    expect(panel.locator("[data-stale]")).to_have_count(0)
    return tab_content(page)
