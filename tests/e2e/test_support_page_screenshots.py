"""The Support & Complaints page in a real browser: every language at a phone and a desktop
viewport, without horizontal scrolling, and printable. Full-page screenshots go to
docs/screenshots/support-{language}-{phone|desktop}.png."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pytest
import time_machine
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.e2e.conftest import TIMEOUT_MS

SCREENSHOT_MOMENT = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # Monday 10:00 WIB

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LOCALES = {"ja": "ja-JP", "id": "id-ID", "en": "en-US"}
DEVICES: dict[str, dict[str, Any]] = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 1,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1280, "height": 900}, "device_scale_factor": 1},
}


class DeviceContextFactory(Protocol):
    def __call__(self, *, device: str, locale: str) -> BrowserContext: ...


@pytest.fixture
def device_context(browser: Browser) -> Iterator[DeviceContextFactory]:
    """Like conftest's `new_context`, with a device's viewport (and touch, for the phone)."""
    contexts: list[BrowserContext] = []

    def open_context(*, device: str, locale: str) -> BrowserContext:
        context = browser.new_context(locale=locale, **DEVICES[device])
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


def open_support_page(
    device_context: DeviceContextFactory, live_server: LiveServer, language: str, device: str
) -> Page:
    page = device_context(device=device, locale=LOCALES[language]).new_page()
    # The page says when someone writing now will be answered: render it for a fixed moment,
    # so the screenshots in docs/ change only when the page does.
    with time_machine.travel(SCREENSHOT_MOMENT, tick=True):
        page.goto(f"{live_server.url}/{language}/support/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("main h1")).to_have_count(1)
    page.evaluate("document.fonts.ready")
    return page


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("language", LOCALES)
def test_the_support_page_fits_the_screen(
    device_context: DeviceContextFactory, live_server: LiveServer, language: str, device: str
) -> None:
    page = open_support_page(device_context, live_server, language, device)

    width = DEVICES[device]["viewport"]["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    inner_width = page.evaluate("window.innerWidth")
    assert scroll_width <= inner_width, f"{language} {device}: {scroll_width}px > {inner_width}px"
    assert scroll_width <= width
    wider = page.evaluate(
        """(limit) => [...document.querySelectorAll("main *")]
             .filter((element) => element.getBoundingClientRect().right > limit + 0.5)
             .map((element) => element.tagName + "." + element.className)""",
        width,
    )
    assert not wider, f"{language} {device}: elements wider than the screen: {wider}"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"support-{language}-{device}.png", full_page=True)


@pytest.mark.parametrize("language", LOCALES)
def test_the_support_page_prints_without_navigation_and_with_link_addresses(
    device_context: DeviceContextFactory, live_server: LiveServer, language: str
) -> None:
    page = open_support_page(device_context, live_server, language, "desktop")
    page.emulate_media(media="print")

    for hidden in ("header.site", "form.languages", "nav.toc", ".support-actions .button"):
        expect(page.locator(hidden).first).to_be_hidden()
    after = page.evaluate(
        """() => getComputedStyle(
             document.querySelector(".channel-contact_form a[data-print-url]"), "::after"
           ).content"""
    )
    assert f"{live_server.url}/{language}/support/contact/" in after
