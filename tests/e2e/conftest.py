"""Real-browser tests: Playwright driving Debian's Chromium at /usr/bin/chromium.

Playwright's own browser download does not work here, so the tests launch the system
Chromium. Without it they skip with a message saying how to enable them, except in CI
(CI=true or VETPASS_E2E=1), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
REQUIRED = os.environ.get("CI", "").lower() == "true" or os.environ.get("VETPASS_E2E") == "1"

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run in a
# thread with a running loop unless told that this is a test.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    have_browser = os.path.exists(CHROMIUM) or shutil.which("chromium")
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            if not have_browser and not REQUIRED:
                item.add_marker(
                    pytest.mark.skip(
                        reason="no Chromium at /usr/bin/chromium: install it with "
                        "`apt-get install chromium` (or set CHROMIUM_PATH) to run browser tests"
                    )
                )


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """A factory of pages, each in its own context (its own cookies: one per person)."""
    contexts = []

    def make(**kwargs):
        context = browser.new_context(**kwargs)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def e2e_data(transactional_db, reference_data):
    """Reference data for a live-server test (a transactional test flushes the tables)."""
    return None


def sign_in(page, live_server, email: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    # The sign-in form's own button: the cookie banner's forms come first on a new visit.
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"sign-in as {email} failed"
