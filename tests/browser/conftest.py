"""Browser tests: Playwright drives the system Chromium against live_server.

They are skipped, with the reason, only where /usr/bin/chromium does not exist;
CI installs it (.ci/run). Never download a browser."""

import os
from pathlib import Path

import pytest

# live_server runs in a thread while Playwright's sync API keeps an event loop.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(
                    pytest.mark.skip(reason="/usr/bin/chromium is not installed (CI installs it)")
                )


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session", autouse=True)
def views_imported():
    """The live server's first request imports every view and with them the
    ICD-10 catalogue: seconds, tens of them on a loaded machine. Done here, it
    does not count against the browser's 30-second wait for the first page."""
    from django.urls import get_resolver

    assert get_resolver().url_patterns
