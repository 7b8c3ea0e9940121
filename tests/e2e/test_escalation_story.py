"""Issue 10's story through a real browser, a live server, the worker and SMTP, in Indonesian:
a billing dispute is submitted, its first-answer deadline passes, the requester asks for
escalation by replying to the acknowledgement, a supervisor reviews it, the requester confirms
ownership through the link mailed to the account on file, operations review and resolve it -
and at each step the requester's mail says so in Indonesian."""

import re
from datetime import datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.utils import timezone, translation
from playwright.sync_api import Page, expect
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from loket.directory.models import Account, Invoice
from loket.mail.ingest import ingest
from loket.sla.sweep import sweep
from loket.tickets.models import Status, Ticket
from loket.tickets.roles import ensure_roles
from loket.worker import run as run_worker
from tests.e2e.conftest import ContextFactory
from tests.smtp import SmtpServer

pytestmark = pytest.mark.e2e
WIB = ZoneInfo("Asia/Jakarta")
SITI = "siti@example.co.id"
DISPUTE = (
    "Kartu BCA saya ditagih dua kali untuk INV-2026-0412 tanggal 20 Nov 2026, paket Pro. "
    "Saya sudah mengajukan dispute ke BCA."
)


def at(text: str) -> time_machine.travel:
    return time_machine.travel(datetime.fromisoformat(text).replace(tzinfo=WIB), tick=True)


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


def new_mail(smtp: SmtpServer, seen: int) -> list[EmailMessage]:
    """Run the worker until the queue is empty; the mails it sent since `seen`."""
    run_worker(batch=True)
    return smtp.messages[seen:]


def sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(base_url + "/console/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw-" + username)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(base_url + "/console/")


def staff(username: str, group: str) -> User:
    user = User.objects.create_user(username, f"{username}@catalo.id", "pw-" + username)
    user.groups.add(ensure_roles()[group])
    return user


def reply_by_mail(acknowledgement: EmailMessage, text: str) -> bytes:
    reply = EmailMessage()
    reply["From"] = f"Siti Rahma <{SITI}>"
    reply["To"] = django_settings.LOKET_MAIL_ADDRESS
    reply["Subject"] = "Re: " + str(acknowledgement["Subject"])
    reply["Message-ID"] = "<balasan-1@example.co.id>"
    reply["In-Reply-To"] = str(acknowledgement["Message-ID"])
    reply["References"] = str(acknowledgement["Message-ID"])
    reply.set_content(text)
    return reply.as_bytes()


def test_a_billing_dispute_goes_from_breach_to_operations_review_and_back_in_indonesian(
    live_server: LiveServer,
    settings: Settings,
    smtp_settings: SmtpServer,
    new_context: ContextFactory,
) -> None:
    settings.LOKET_BASE_URL = live_server.url
    base = live_server.url
    staff("sari", "supervisors")
    staff("oki", "operations")
    account = Account.objects.create(account_id="ACC-1001", email=SITI, plan="Pro")
    Invoice.objects.create(
        number="INV-2026-0412", account=account, amount="299000", charged_on="2026-11-20",
        plan="Pro", payment_method="card (BCA Visa)",
    )  # fmt: skip
    requester = new_context(locale="id-ID", timezone_id="Asia/Jakarta").new_page()

    # Monday 10:00 WIB: the dispute comes in through the contact form, with all its evidence.
    with at("2026-11-23 10:00"):
        requester.goto(base + "/support/contact/")
        requester.get_by_label("Nama Anda").fill("Siti Rahma")
        requester.get_by_label("Alamat email Anda").fill(SITI)
        requester.locator("select[name=category]").select_option("billing_dispute")
        requester.get_by_label("Subjek", exact=True).fill("Tagihan ganda")
        requester.locator("textarea[name=description]").fill(DISPUTE)
        requester.locator("form button[type=submit]").click()
        expect(requester.locator(".reference")).to_have_text(re.compile(r"CAT-"))
        ticket = Ticket.objects.get()
        [acknowledgement] = new_mail(smtp_settings, 0)
    assert "Permintaan Anda sudah kami terima" in str(acknowledgement["Subject"])
    assert "kami masih memerlukan" not in body_of(acknowledgement), "nothing was missing"

    # Wednesday: the first answer (due Tuesday 10:00) never came; the sweep records the
    # breach, and the requester replies to the acknowledgement asking for escalation.
    with at("2026-11-25 10:00"):
        sweep(timezone.now())
        seen = len(smtp_settings.messages)
        raw = reply_by_mail(acknowledgement, "Sudah lewat batas waktu. Tolong dinaikkan ke atasan.")
        result = ingest(raw, mailbox=django_settings.LOKET_MAIL_ADDRESS, now=timezone.now())
        assert (result.outcome, result.reference) == ("appended", ticket.reference)
        mails = new_mail(smtp_settings, seen)
    to_siti = {str(m["Subject"]): body_of(m) for m in mails if m["To"] == SITI}
    answer = next(body for subject, body in to_siti.items() if "eskalasi" in subject)
    assert "Tenggatnya sudah lewat" in answer
    assert "Tinjauan supervisor" in answer
    link_mail = next(body for subject, body in to_siti.items() if "konfirmasi" in subject)
    assert "tidak akan pernah meminta kata sandi" in link_mail
    assert any(m["To"] == "sari@catalo.id" for m in mails), "the supervisor was told"

    # The supervisor finds it in the review queue; operations must wait for verification.
    supervisor = new_context(locale="en-US").new_page()
    with at("2026-11-25 11:00"):
        sign_in(supervisor, base, "sari")
        supervisor.get_by_test_id("review-link-1").click()
        supervisor.get_by_role("link", name=str(ticket.reference)).click()
        expect(supervisor.get_by_test_id("escalation")).to_have_text("Supervisor review")
        supervisor.locator("#escalate-reason").fill("Bank dispute open; needs the provider")
        supervisor.get_by_role("button", name="Move to operations review").click()
        expect(supervisor.get_by_role("alert")).to_contain_text("has not confirmed ownership")

        # The requester confirms through the link, in their browser.
        link = re.search(r"http://\S+/portal/verify/\S+/", link_mail)
        assert link is not None
        requester.goto(link.group())
        requester.get_by_role("button", name="Ya, permintaan itu dari saya").click()
        expect(requester.get_by_test_id("verified")).to_contain_text("sudah terkonfirmasi")

        seen = len(smtp_settings.messages)
        supervisor.goto(f"{base}/console/t/{ticket.reference}/")  # not reload: that re-posts
        expect(supervisor.get_by_test_id("verification-state")).to_have_attribute(
            "data-state", "verified"
        )
        supervisor.locator("#escalate-reason").fill("Bank dispute open; needs the provider")
        supervisor.get_by_role("button", name="Move to operations review").click()
        expect(supervisor.get_by_test_id("escalation")).to_have_text("Operations review")
        mails = new_mail(smtp_settings, seen)
    notice = next(body_of(m) for m in mails if m["To"] == SITI)
    assert "Tinjauan tim operasional" in notice

    # Operations settle it; the requester's page says so in Indonesian.
    operations = new_context(locale="en-US").new_page()
    with at("2026-11-25 14:00"):
        sign_in(operations, base, "oki")
        operations.get_by_test_id("review-link-2").click()
        operations.get_by_role("link", name=str(ticket.reference)).click()
        operations.locator("#resolve-reason").fill("Provider confirmed the double charge")
        operations.get_by_role("button", name="Resolve").click()
        expect(operations.get_by_test_id("status")).to_have_text("Resolved")
        portal = re.search(r"http://\S+/portal/t/\S+/", body_of(acknowledgement))
        assert portal is not None
        # Two days on, the form's browser no longer holds the ticket: the link's one button.
        requester.goto(portal.group())
        requester.get_by_role("button", name="Buka permintaan saya").click()
        expect(requester).to_have_url(f"{base}/id/portal/ticket/{ticket.reference}/")
        with translation.override("id"):
            resolved = str(Status.RESOLVED.label)
        expect(requester.get_by_test_id("status")).to_have_text(resolved)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.escalation_level) == (Status.RESOLVED, 2)
