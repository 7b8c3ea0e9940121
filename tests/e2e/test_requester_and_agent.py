"""One case from end to end, through a real browser, a live server, the worker and SMTP:
a requester writes in, follows the link in the acknowledgement, an agent answers from the
console, the answer arrives by mail, and the requester's reply reopens the ticket."""

import re
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import translation
from playwright.sync_api import Page, expect
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from loket.notify.models import OutboxMessage, OutboxStatus
from loket.policy.document import load_policy
from loket.tickets.models import Status, Ticket
from loket.worker import run as run_worker
from tests.builders import PNG
from tests.e2e.conftest import ContextFactory
from tests.fixtures import SHIPPED_POLICY
from tests.smtp import SmtpServer

pytestmark = pytest.mark.e2e

REQUESTER_NAME = "Siti Rahma"
REQUESTER_EMAIL = "siti@example.co.id"
SUBJECT = "Store not active after payment"
DESCRIPTION = "I paid for the Pro plan yesterday but my store is still inactive."
AGENT_REPLY = "Thank you, Siti. Could you send us the invoice number of your payment?"
REQUESTER_ANSWER = "The invoice number is INV-2026-0042."
# The English name the shipped policy gives the "access" category (what the requester picks).
CATEGORY = load_policy(SHIPPED_POLICY).category("access").names["en"]  # type: ignore[union-attr]
PORTAL_LINK = re.compile(r"http://[^\s/]+/en/portal/t/[^\s/]+/")


def deliver_mail() -> None:
    """Run the real worker once, in-process: every queued delivery task sends its outbox row
    through the configured mailer, then the worker exits because the queue is empty."""
    run_worker(batch=True)
    undelivered = OutboxMessage.objects.exclude(status=OutboxStatus.SENT)
    assert not undelivered.exists(), list(undelivered.values("kind", "status", "last_error"))


def agent_label(status: Status) -> str:
    """The console names statuses in the agents' words (the portal may word them for the
    requester), so the console is checked against the model's own English label."""
    with translation.override("en"):
        return str(status.label)


def plain_body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


def submit_contact_form(page: Page, base_url: str) -> str:
    """Write in as a requester; returns the reference the thank-you page shows."""
    page.goto(base_url + "/support/contact/")
    page.get_by_label("Your name").fill(REQUESTER_NAME)
    page.get_by_label("Your e-mail address").fill(REQUESTER_EMAIL)
    category = page.get_by_label("What is it about?")
    category.select_option(label=CATEGORY)
    expect(category).to_have_value("access")
    page.get_by_label("Subject", exact=True).fill(SUBJECT)
    page.get_by_label("Describe the problem").fill(DESCRIPTION)
    page.get_by_label("Attachments").set_input_files(
        {"name": "screenshot.png", "mimeType": "image/png", "buffer": PNG}
    )
    page.get_by_role("button", name="Send", exact=True).click()
    reference = page.get_by_test_id("reference")
    expect(reference).to_have_text(re.compile(r"\S+"))
    return reference.inner_text().strip()


def sign_in_as_agent(page: Page, base_url: str) -> None:
    page.goto(base_url + "/console/login/")
    page.get_by_label("Username").fill("agent")
    page.get_by_label("Password").fill("agent-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(base_url + "/console/")


def test_a_requester_and_an_agent_settle_a_case_through_the_browser_and_mail(
    live_server: LiveServer,
    settings: Settings,
    smtp_settings: SmtpServer,
    agent: User,
    new_context: ContextFactory,
    tmp_path: Path,
) -> None:
    settings.LOKET_BASE_URL = live_server.url
    requester = new_context(locale="en-US", timezone_id="Asia/Tokyo").new_page()

    # The requester writes in with a screenshot and gets a reference at once.
    reference = submit_contact_form(requester, live_server.url)
    ticket = Ticket.objects.get(reference=reference)
    assert ticket.language == "en"
    assert ticket.time_zone == "Asia/Tokyo", "the form's script passed on the browser's zone"
    assert ticket.category.code == "access"

    # The worker delivers the acknowledgement, with a personal link to the ticket page.
    deliver_mail()
    [acknowledgement] = smtp_settings.wait_for(1)
    assert f"[{reference}]" in acknowledgement["Subject"]
    assert acknowledgement["To"] == REQUESTER_EMAIL
    assert f"Category: {CATEGORY}" in plain_body(acknowledgement)
    # S8: the screenshot and the account e-mail are there; the invoice is asked for at once,
    # and only the invoice, so the request waits on the requester.
    assert "* Invoice or order reference:" in plain_body(acknowledgement)
    assert "* Error screenshot" not in plain_body(acknowledgement)
    match = PORTAL_LINK.search(plain_body(acknowledgement))
    assert match is not None, plain_body(acknowledgement)
    portal_link = match.group()
    # Under the language the request was written in (the browser's English here).
    assert portal_link.startswith(live_server.url + "/en/portal/t/")

    # The thank-you page's button opens the ticket in this browser, at an address without a
    # token; from then on the mailed link opens its page at once.
    requester.get_by_test_id("open-request").click()
    expect(requester).to_have_url(f"{live_server.url}/en/portal/ticket/{reference}/")
    requester.goto(portal_link)
    expect(requester).to_have_url(f"{live_server.url}/en/portal/ticket/{reference}/")
    expect(requester.locator("dd.reference")).to_have_text(reference)
    expect(requester.get_by_test_id("status")).to_have_text("Waiting for your reply")
    expect(requester.locator("dl.summary")).to_contain_text(CATEGORY)
    thread = requester.locator("ol.thread")
    expect(thread).to_contain_text(DESCRIPTION)
    attachment_link = thread.get_by_role("link", name=re.compile(r"\.png$"))
    expect(attachment_link).to_have_text("screenshot.png")
    with requester.expect_download() as download:
        attachment_link.click()
    assert Path(download.value.path()).read_bytes() == PNG

    # The agent finds the case in the queue and answers, asking for more information.
    console = new_context(locale="en-US").new_page()
    sign_in_as_agent(console, live_server.url)
    queue_link = console.get_by_role("link", name=reference, exact=True)
    expect(queue_link).to_be_visible()
    queue_link.click()
    expect(console.locator("h1 .reference")).to_have_text(reference)
    expect(console.locator("ol.thread")).to_contain_text(DESCRIPTION)
    reply_form = console.locator('form[action$="/reply/"]')
    reply_form.get_by_label("Reply to the requester").fill(AGENT_REPLY)
    reply_form.get_by_label("Then set the status to").select_option("pending_customer")
    reply_form.get_by_role("button", name="Send reply").click()
    expect(console.get_by_test_id("status")).to_have_text(agent_label(Status.PENDING_CUSTOMER))
    expect(console.locator("ol.thread")).to_contain_text(AGENT_REPLY)
    expect(console.locator('form[action$="/note/"] textarea[name="body"]')).to_have_value("")

    # The answer reaches the requester by mail.
    deliver_mail()
    first, reply_mail = smtp_settings.wait_for(2)
    assert first["Message-ID"] == acknowledgement["Message-ID"]
    assert reference in reply_mail["Subject"]
    assert AGENT_REPLY in plain_body(reply_mail)
    match = PORTAL_LINK.search(plain_body(reply_mail))
    assert match is not None, plain_body(reply_mail)
    reply_link = match.group()  # a link of its own, not the same text as the first one

    # The requester sees it on the ticket page and answers; the ticket is open again.
    requester.reload()
    expect(thread).to_contain_text(AGENT_REPLY)
    expect(requester.get_by_test_id("status")).to_have_text("Waiting for your reply")
    requester.get_by_label("Your reply").fill(REQUESTER_ANSWER)
    requester.get_by_role("button", name="Send reply").click()
    expect(requester.get_by_role("status")).to_contain_text("your reply was added")
    expect(thread).to_contain_text(REQUESTER_ANSWER)
    expect(requester.get_by_test_id("status")).to_have_text("Open")
    ticket = Ticket.objects.get(reference=reference)
    assert ticket.status == Status.OPEN
    kinds = list(ticket.messages.order_by("created_at", "id").values_list("kind", flat=True))
    assert kinds == ["requester", "public_reply", "requester"], "no internal note was written"

    # On the requester's phone, the link in the reply mail asks for one press, then opens the
    # same ticket page; on a third device that link is used up, and one press sends a new one.
    phone = new_context(locale="en-US").new_page()
    phone.goto(reply_link)
    phone.get_by_role("button", name="Open my request").click()
    expect(phone).to_have_url(f"{live_server.url}/en/portal/ticket/{reference}/")
    expect(phone.locator("ol.thread")).to_contain_text(REQUESTER_ANSWER)
    forwarded = new_context(locale="en-US").new_page()
    forwarded.goto(reply_link)
    expect(forwarded.get_by_test_id("link-dead")).to_contain_text("used already")
    expect(forwarded.locator("ol.thread")).to_have_count(0)
    forwarded.get_by_role("button", name="Send me a new link").click()
    expect(forwarded.get_by_test_id("link-sent")).to_contain_text("30 minutes")
    assert OutboxMessage.objects.filter(kind="portal_link", to_address=REQUESTER_EMAIL).exists()

    # Signing out everywhere on the phone closes the page in the first browser too.
    phone.get_by_role("button", name="Sign out everywhere").click()
    expect(phone.get_by_role("status")).to_contain_text("signed out of this request")
    requester.reload()
    expect(requester.get_by_test_id("sign-in-needed")).to_be_visible()
    expect(requester.locator("ol.thread")).to_have_count(0)

    # The agent sees the answer too.
    console.reload()
    expect(console.get_by_test_id("status")).to_have_text("Open")
    expect(console.locator("ol.thread")).to_contain_text(REQUESTER_ANSWER)

    phone.screenshot(path=tmp_path / "portal-ticket.png", full_page=True)
    console.screenshot(path=tmp_path / "console-ticket.png", full_page=True)
    assert (tmp_path / "portal-ticket.png").stat().st_size > 0
    assert (tmp_path / "console-ticket.png").stat().st_size > 0
