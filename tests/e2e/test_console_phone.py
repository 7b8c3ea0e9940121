"""The console on a 390 px phone (issue 15): the queue and a ticket page never scroll the
whole page sideways; a wide queue scrolls inside its table."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.builders import build_ticket
from tests.e2e.conftest import TIMEOUT_MS

pytestmark = pytest.mark.e2e
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def page_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_the_queue_and_a_ticket_fit_a_phone(
    browser: Browser, live_server: LiveServer, agent: User
) -> None:
    ticket = build_ticket(
        subject="Pembayaran langganan tahunan paket Business belum terkonfirmasi sejak kemarin",
        body="Nomor invoice INV-2026-0412-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX " * 3,
    )  # fmt: skip
    context = browser.new_context(locale="id-ID", **PHONE)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(live_server.url + "/console/login/")
    page.locator("input[name=username]").fill("agent")
    page.locator("input[name=password]").fill("agent-password")
    page.locator("form button[type=submit]").click()
    expect(page.locator("table.queue")).to_be_visible()
    assert page_width(page) <= 390, "the queue page scrolls sideways"

    page.goto(f"{live_server.url}/console/t/{ticket.reference}/")
    expect(page.locator("h1")).to_contain_text(str(ticket.reference))
    assert page_width(page) <= 390, "the ticket page scrolls sideways"
    context.close()
