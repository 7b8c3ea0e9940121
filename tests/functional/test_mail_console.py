"""Mail in the console and on the command line: the held-mail page an agent decides on, the
readable thread, and `loket mail ingest` as an operator runs it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from loket.inbound.models import InboundRecord, InboundStatus
from loket.mail.ingest import ingest
from loket.notify.models import OutboxMessage
from loket.tickets.models import Ticket
from tests.builders import build_ticket
from tests.functional.test_mail_corpus import CORPUS, corpus_file
from tests.functional.test_worker import shared_database_url

MAILBOX = "support@catalo.id"


@pytest.fixture
def agent_client(client: Client, agent: User) -> Client:
    client.force_login(agent)
    return client


@pytest.fixture
def held(db: None) -> InboundRecord:
    ticket = build_ticket(email="budi@example.co.id", channel="email")
    result = ingest(
        corpus_file("reply-from-stranger.eml", ticket), mailbox=MAILBOX, now=timezone.now()
    )
    assert result.outcome == "held"
    return InboundRecord.objects.get(status=InboundStatus.HELD)


@pytest.mark.django_db
def test_held_mail_is_listed_with_the_real_sender_and_the_reason(
    agent_client: Client, held: InboundRecord
) -> None:
    listing = agent_client.get("/console/mail/").content.decode()
    assert "stranger@elsewhere.example" in listing
    assert "is not on" in listing
    page = agent_client.get(f"/console/mail/{held.pk}/").content.decode()
    assert "Please send me the details of this ticket." in page
    assert 'data-testid="record-status"' in page


@pytest.mark.django_db
def test_people_who_are_not_agents_never_see_held_mail(client: Client, held: InboundRecord) -> None:
    client.force_login(User.objects.create_user("buyer", password="x"))
    assert client.get("/console/mail/").status_code == 404
    assert client.get(f"/console/mail/{held.pk}/").status_code == 404
    assert client.post(f"/console/mail/{held.pk}/file/", {"reference": ""}).status_code == 404


@pytest.mark.django_db
def test_an_agent_files_held_mail_into_the_ticket_once(
    agent_client: Client, held: InboundRecord
) -> None:
    assert held.ticket is not None
    response = agent_client.post(
        f"/console/mail/{held.pk}/file/", {"reference": str(held.ticket.reference).lower()}
    )
    assert response.status_code == 302
    assert held.ticket.messages.count() == 2
    held.refresh_from_db()
    assert held.status == InboundStatus.APPENDED
    assert "appended by" in held.reason
    again = agent_client.post(f"/console/mail/{held.pk}/file/", {"reference": ""})
    assert again.status_code == 302
    assert Ticket.objects.count() == 1, "a decided message cannot be filed twice"


@pytest.mark.django_db
def test_an_agent_discards_held_mail(agent_client: Client, held: InboundRecord) -> None:
    assert agent_client.post(f"/console/mail/{held.pk}/discard/").status_code == 302
    held.refresh_from_db()
    assert held.status == InboundStatus.DISCARDED
    assert agent_client.get("/console/mail/").content.decode().count("stranger@") == 0


@pytest.mark.django_db
def test_a_quarantined_message_runs_again_after_the_limit_is_raised(
    agent_client: Client, settings: Settings
) -> None:
    settings.LOKET_MAIL_MAX_BYTES = 200
    result = ingest(corpus_file("en-plain.eml"), mailbox=MAILBOX, now=timezone.now())
    assert result.outcome == "quarantined"
    assert "message too large" in result.reason
    record = InboundRecord.objects.get(status=InboundStatus.QUARANTINED)
    assert agent_client.get(f"/console/mail/{record.pk}/").status_code == 200
    settings.LOKET_MAIL_MAX_BYTES = 30 * 1024 * 1024
    response = agent_client.post(f"/console/mail/{record.pk}/replay/")
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == InboundStatus.CREATED
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_the_ticket_page_shows_the_sender_warning_folds_the_quote_and_boxes_the_html(
    agent_client: Client,
) -> None:
    forged = ingest(corpus_file("spoofed-display-name.eml"), mailbox=MAILBOX, now=timezone.now())
    page = agent_client.get(f"/console/t/{forged.reference}/").content.decode()
    assert 'data-testid="sender-warning"' in page
    assert "attacker@evil.example" in page
    html = ingest(corpus_file("html-only.eml"), mailbox=MAILBOX, now=timezone.now())
    page = agent_client.get(f"/console/t/{html.reference}/").content.decode()
    assert '<iframe sandbox=""' in page
    # Within the frame's attribute, not the page's own (static) script after it.
    assert "<script" not in page.split('srcdoc="')[1].split('"')[0]
    existing = build_ticket(email="budi@example.co.id", channel="email")
    ingest(
        corpus_file("reply-to-acknowledgement.eml", existing), mailbox=MAILBOX, now=timezone.now()
    )
    page = agent_client.get(f"/console/t/{existing.reference}/").content.decode()
    assert '<details class="quoted">' in page
    assert "&gt; Kami menerima permintaan Anda." in page


def loket_mail(*arguments: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    environment = {
        **os.environ,
        "DATABASE_URL": shared_database_url(),
        "LOKET_VAR_DIR": str(settings.VAR_DIR),
        "LOKET_MAIL": "file",
    }
    return subprocess.run(
        [sys.executable, "-m", "loket.cli", "mail", *arguments],
        env=environment, input=stdin, capture_output=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_loket_mail_ingest_reads_files_folders_maildirs_and_stdin(tmp_path: Path) -> None:
    maildir = tmp_path / "Maildir"
    for folder in ("cur", "new", "tmp"):
        (maildir / folder).mkdir(parents=True)
    (maildir / "new" / "1.eml").write_bytes((CORPUS / "id-plain.eml").read_bytes())
    (maildir / "cur" / "2.eml").write_bytes((CORPUS / "empty.eml").read_bytes())
    (maildir / "tmp" / "3.eml").write_bytes((CORPUS / "en-plain.eml").read_bytes())
    completed = loket_mail("ingest", str(maildir), str(CORPUS / "mailing-list.eml"))
    assert completed.returncode == 0, completed.stderr.decode()[-2000:]
    lines = [json.loads(line) for line in completed.stdout.decode().splitlines()]
    assert [(Path(line["file"]).name, line["outcome"]) for line in lines] == [
        ("1.eml", "created"), ("2.eml", "quarantined"), ("mailing-list.eml", "ignored"),
    ]  # fmt: skip
    assert lines[0]["reference"]
    assert lines[1]["reason"] == "empty message"
    piped = loket_mail("ingest", stdin=(CORPUS / "id-plain.eml").read_bytes())
    assert json.loads(piped.stdout)["outcome"] == "duplicate"
    assert OutboxMessage.objects.filter(kind="acknowledgement").count() == 1


@pytest.mark.django_db(transaction=True)
def test_loket_mail_ingest_names_a_missing_path_and_changes_nothing() -> None:
    completed = loket_mail("ingest", "/no/such/file.eml")
    assert completed.returncode != 0
    assert b"no such file or folder: /no/such/file.eml" in completed.stderr
    assert not InboundRecord.objects.exists()


@pytest.mark.django_db
def test_the_ticket_page_shows_triage_its_reasons_evidence_and_removed_secrets(
    agent_client: Client,
) -> None:
    raw = (
        b"From: budi@example.co.id\r\nTo: support@catalo.id\r\nSubject: Tagihan ganda\r\n"
        b"Message-ID: <triage-page@example.co.id>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        b"Saya ditagih dua kali untuk INV-2026-0398. Password saya Rahasia#2026.\r\n"
    )
    result = ingest(raw, mailbox=MAILBOX, now=timezone.now())
    page = agent_client.get(f"/console/t/{result.reference}/").content.decode()
    assert 'data-testid="triage"' in page
    assert "billing_dispute" in page
    assert "INV-2026-0398" in page
    assert 'data-testid="redactions">1<' in page
    assert "Rahasia#2026" not in page


@pytest.mark.django_db
def test_the_ticket_page_lists_the_evidence_found_and_missing(agent_client: Client) -> None:
    raw = (
        b"From: budi@example.co.id\r\nTo: support@catalo.id\r\nSubject: Chargeback\r\n"
        b"Message-ID: <checklist@example.co.id>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        b"Saya akan ajukan chargeback, tagihan ganda INV-2026-0398.\r\n"
    )
    result = ingest(raw, mailbox=MAILBOX, now=timezone.now())
    page = agent_client.get(f"/console/t/{result.reference}/").content.decode()
    checklist = page.split('data-testid="checklist"')[1].split("</section>")[0]
    assert "INV-2026-0398" in checklist
    assert 'class="missing"' in checklist


@pytest.mark.django_db
def test_a_billing_dispute_shows_the_refund_proposal_for_the_agent_to_decide(
    agent_client: Client,
) -> None:
    raw = (
        b"From: budi@example.co.id\r\nTo: support@catalo.id\r\nSubject: Tagihan ganda\r\n"
        b"Message-ID: <refund-page@example.co.id>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        b"Saya ditagih dua kali untuk INV-2026-0398.\r\n"
    )
    result = ingest(raw, mailbox=MAILBOX, now=timezone.now())
    page = agent_client.get(f"/console/t/{result.reference}/", HTTP_ACCEPT_LANGUAGE="en")
    section = page.content.decode().split('data-testid="refund"')[1].split("</section>")[0]
    assert "Duplicate charge" in section
    assert "cannot tell yet" in section, "no charge date given yet"
    assert "the original payment method only" in section
