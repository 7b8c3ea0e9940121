"""Browser fixtures for the end-to-end tests: Debian's Chromium driven by Playwright.

Playwright's sync API keeps its asyncio loop running in a parked greenlet of the main thread,
so while it is started Django sees "a running event loop" and refuses synchronous database
calls (SynchronousOnlyOperation), in the test body and in pytest-django's teardown alike. No
coroutine ever touches Django here, so the check is a false positive: DJANGO_ALLOW_ASYNC_UNSAFE
is set for exactly as long as Playwright runs. For the same reason Playwright and the browser
live for the e2e package (started once, stopped after its last test) rather than for the whole
session: a session-wide loop would make every later database test in a full `pytest` run fail.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright
from pytest_django import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Generous for a loaded CI machine; a healthy run answers in milliseconds.
TIMEOUT_MS = 10_000


class ContextFactory(Protocol):
    def __call__(
        self, *, locale: str = "en-US", timezone_id: str | None = None
    ) -> BrowserContext: ...


@pytest.fixture(autouse=True)
def static_files_by_their_plain_names(settings: Settings) -> None:
    """pytest-django's live server answers /static/ itself, from the finders and ahead of
    WhiteNoise, and finders know no hashed names: pages name their CSS plainly here."""
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": plain}


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium: "
            "apt-get install chromium (or `make system-packages`). "
            "Never `playwright install`: the e2e tests use the system browser.",
            pytrace=False,
        )
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as driver:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    try:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
    except Exception as error:
        pytest.fail(
            f"Chromium at {CHROMIUM} did not start ({error}); "
            "reinstall Debian's chromium: apt-get install --reinstall chromium",
            pytrace=False,
        )
    yield launched
    launched.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[ContextFactory]:
    """Opens fresh browser contexts (own cookies, own language); all closed after the test."""
    contexts: list[BrowserContext] = []

    def open_context(*, locale: str = "en-US", timezone_id: str | None = None) -> BrowserContext:
        context = browser.new_context(locale=locale, timezone_id=timezone_id)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()
