"""Fixtures of the browser tests (patron/tests/test_browser*.py)."""

import shutil

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from patron.testing.factories import WorkspaceFactory
from patron.tests.browsing import CHROMIUM_ARGS, DESKTOP, in_ci


@pytest.fixture(scope="module")
def chromium_path() -> str:
    """Debian's Chromium: required in CI, otherwise the browser tests are skipped."""
    path = shutil.which("chromium")
    if path is None:
        if in_ci():
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


@pytest.fixture
def acme():
    return WorkspaceFactory(name="Acme Trading", slug="acme")
