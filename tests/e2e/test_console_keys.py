"""The console by keyboard (issue 12, part 7) and colleagues seen live (part 4), in Chromium."""

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.builders import build_ticket
from tests.e2e.conftest import TIMEOUT_MS

pytestmark = pytest.mark.e2e


def signed_in(browser: Browser, live_server: LiveServer, username: str, password: str) -> Page:
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(live_server.url + "/console/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").click()
    expect(page.locator("table.queue")).to_be_visible()
    return page


def test_keys_move_through_the_queue_and_colleagues_are_seen(
    browser: Browser, live_server: LiveServer, agent: User
) -> None:
    first, second = build_ticket(subject="First case"), build_ticket(subject="Second case")
    colleague = User.objects.create_user("wulan", "wulan@catalo.id", "wulan-password")
    colleague.groups.add(Group.objects.get_or_create(name="agents")[0])

    page = signed_in(browser, live_server, "agent", "agent-password")
    page.goto(f"{live_server.url}/console/t/{first.reference}/")
    page.keyboard.press("j")
    expect(page.locator("h1")).to_contain_text(str(second.reference))
    page.keyboard.press("r")
    expect(page.locator("#id_body")).to_be_focused()
    page.keyboard.press("Escape")
    page.locator("h1").click()
    page.keyboard.press("n")
    expect(page.locator("#note_body")).to_be_focused()

    other = signed_in(browser, live_server, "wulan", "wulan-password")
    other.goto(f"{live_server.url}/console/t/{second.reference}/")
    other.locator("#id_body").type("Checking the invoice")
    page.reload()  # the page reports at once on load, then every 15 s
    expect(page.locator('[data-testid="presence"]')).to_contain_text("wulan")
