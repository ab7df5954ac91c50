"""Browser tests: the paths a person walks through Patron, in a real Chromium.

They drive Debian's Chromium (never a Playwright-downloaded browser) through Playwright's
sync API against pytest-django's live_server. Run only these with `pytest -m browser`.

Set PATRON_SHOTS_DIR (e.g. /tmp/shots) to keep screenshots of the main pages at desktop
and phone sizes.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from patron.customers.models import Customer
from patron.testing.factories import PASSWORD, MembershipFactory, WorkspaceFactory, make_customer
from patron.workspaces.roles import Role

pytestmark = pytest.mark.browser

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


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


@pytest.fixture(scope="module")
def chromium_path() -> str:
    """Debian's Chromium: required in CI, otherwise the browser tests are skipped."""
    path = shutil.which("chromium")
    if path is None:
        if _in_ci():
            pytest.fail("Chromium is required in CI: apt-get install -y chromium", pytrace=False)
        pytest.skip(
            "Chromium is not on PATH, so the browser tests are skipped. "
            "Install it to run them: sudo apt-get install -y chromium"
        )
    return path


@pytest.fixture(scope="module")
def browser(chromium_path) -> Browser:
    # Playwright's sync API keeps an event loop running in this thread, and Django refuses
    # database access from a thread with a running loop unless told it is safe. It is:
    # the test and the live server only take turns. Scoped to this module's tests.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()


@pytest.fixture
def open_page(browser, live_server, transactional_db):
    """open_page(viewport=DESKTOP) -> a fresh page (own cookies) on the live server.

    Fails the test if a page throws a JavaScript error or the server answers 5xx.
    """
    contexts, problems = [], []

    def make(viewport: dict = DESKTOP) -> Page:
        context = browser.new_context(viewport=viewport, base_url=live_server.url, locale="en-GB")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
        page.on(
            "response",
            lambda r: problems.append(f"{r.status} from {r.url}") if r.status >= 500 else None,
        )
        return page

    yield make
    for context in contexts:
        context.close()
    assert not problems, problems


def log_in(page: Page, email: str) -> None:
    page.goto("/login/")
    expect(page.get_by_role("heading", name="Log in to Patron")).to_be_visible()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("button", name="Log in")).to_have_count(0)


def success_message(page: Page):
    return page.locator("p.message.success")


def detail_url(customer: Customer) -> re.Pattern:
    return re.compile(rf"/customers/{customer.pk}/$")


@pytest.fixture
def acme():
    return WorkspaceFactory(name="Acme Trading", slug="acme")


def test_customer_life_cycle(open_page, acme):
    """Create (after fixing a bad email), edit, read the history, find, delete, restore."""
    admin = MembershipFactory(workspace=acme, role=Role.ADMIN).user
    page = open_page()
    log_in(page, admin.email)

    # Create, with an email address that is not one.
    page.get_by_role("navigation").get_by_role("link", name="Customers").click()
    page.get_by_role("link", name="New customer").click()
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
    page.get_by_role("link", name="Edit").click()
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
    page.get_by_role("link", name="Home").click()
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
    page.get_by_role("link", name="Delete").click()
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
    page.get_by_role("navigation").get_by_role("link", name="Recycle bin").click()
    page.locator("tbody tr").filter(has_text="Grace Hopper").get_by_role(
        "button", name="Restore"
    ).click()
    expect(page).to_have_url(detail_url(customer))
    expect(success_message(page)).to_have_text("Restored Grace Hopper from the recycle bin.")
    expect(page.get_by_text("In the recycle bin")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit")).to_be_visible()
    customer.refresh_from_db()
    assert customer.deleted_at is None

    page.get_by_role("navigation").get_by_role("link", name="Recycle bin").click()
    expect(page.get_by_text("The recycle bin is empty.")).to_be_visible()
    page.goto("/customers/")
    expect(page.locator("#results").get_by_role("link", name="Grace Hopper")).to_be_visible()


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
    expect(page.locator("#tab-panel")).to_contain_text("Created")
    check("detail")

    page.goto(f"/customers/{customer.pk}/edit/")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#field-email .errorlist")).to_be_visible()
    check("form")
