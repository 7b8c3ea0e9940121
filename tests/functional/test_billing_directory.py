"""The billing directory (issue 9, POLICY.md S8/S12): CSV imports all or nothing, Catalo.id's
billing API through a real local HTTP server (and what happens when it is down), evidence
verified against it, exactly the missing items asked for, and the agent's refund decision."""

import json
import threading
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client

from loket.directory.billing import BillingUnavailable, HttpBilling, TableBilling
from loket.directory.models import Account, Invoice, Refund
from loket.inbound.message import InboundMessage
from loket.inbound.pipeline import receive
from loket.notify.models import OutboxMessage
from loket.tickets.models import Channel, EventKind, RefundDecision, Status, Ticket
from loket.tickets.queries import evidence_checklist, refund_proposal
from loket.triage.checklist import State
from tests.builders import NOW, confirm_link

pytestmark = pytest.mark.django_db

SITI = "siti@tokobaju.example"


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def on_file(tmp_path: Path) -> None:
    call_command("directory", "import", "accounts", write(tmp_path / "a.csv",
        "account_id,email,name,plan,status\n"
        "ACC-1001,siti@tokobaju.example,Siti,Pro,active\n"))  # fmt: skip
    call_command("directory", "import", "invoices", write(tmp_path / "i.csv",
        "number,account_id,amount,currency,charged_on,plan,payment_method,status\n"
        "INV-2026-0412,ACC-1001,299000,IDR,2026-11-20,Pro,card (BCA Visa),paid\n"))  # fmt: skip


def mail(
    text: str, subject: str = "Tagihan ganda", sender: str = SITI, key: str = "1"
) -> InboundMessage:
    return InboundMessage(
        channel=Channel.EMAIL, sender_address=sender, sender_name="Siti", subject=subject,
        text=text, received_at=NOW, external_id=f"<m{key}@tokobaju.example>",
    )  # fmt: skip


# --- imports --------------------------------------------------------------------------------


def test_accounts_invoices_and_refunds_import_in_order_and_update_in_place(
    tmp_path: Path, on_file: None
) -> None:
    invoice = Invoice.objects.get(number="INV-2026-0412")
    assert (invoice.account.email, invoice.amount, invoice.charged_on) == (
        SITI, Decimal("299000.00"), date(2026, 11, 20)
    )  # fmt: skip
    call_command("directory", "import", "refunds", write(tmp_path / "r.csv",
        "reference,invoice_number,amount,refunded_on,status\n"
        "RF-1,INV-2026-0412,299000,2026-11-25,completed\n"))  # fmt: skip
    assert Refund.objects.get().invoice == invoice
    call_command("directory", "import", "accounts", write(tmp_path / "a2.csv",
        "account_id,email,plan\nACC-1001,siti@tokobaju.example,Business\n"))  # fmt: skip
    assert Account.objects.get().plan == "Business", "a known id is updated, not duplicated"


def test_a_bad_line_anywhere_imports_nothing_and_names_every_bad_line(
    tmp_path: Path, on_file: None
) -> None:
    bad = write(tmp_path / "bad.csv",
        "number,account_id,amount,currency,charged_on,plan,payment_method\n"
        "INV-2026-0500,ACC-1001,99000,IDR,2026-11-21,Pro,GoPay\n"
        "INV-2026-0501,ACC-9999,99000,IDR,2026-11-21,Pro,GoPay\n"
        "INV-2026-0502,ACC-1001,lots,IDR,21/11/2026,Pro,GoPay\n"
        "INV-2026-0500,ACC-1001,99000,IDR,2026-11-21,Pro,GoPay\n")  # fmt: skip
    with pytest.raises(CommandError) as refused:
        call_command("directory", "import", "invoices", bad)
    message = str(refused.value)
    assert "line 5: number INV-2026-0500 repeats line 2" in message
    first = write(tmp_path / "bad2.csv", "\n".join(bad_lines(tmp_path / "bad.csv")[:4]) + "\n")
    with pytest.raises(CommandError) as refused:
        call_command("directory", "import", "invoices", first)
    message = str(refused.value)
    assert "line 3: account_id: ACC-9999 is not on file" in message
    assert "line 4: amount" in message
    assert "line 4: charged_on" in message
    assert not Invoice.objects.filter(number="INV-2026-0500").exists(), "nothing half-applied"


def bad_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


# --- Catalo.id's billing API, served for real on loopback ------------------------------------


class FakeBilling(BaseHTTPRequestHandler):
    delay = 0.0
    broken = False
    requests: list[str] = []

    def do_GET(self) -> None:
        FakeBilling.requests.append(self.path)
        time.sleep(FakeBilling.delay)
        if FakeBilling.broken:
            return self.answer(500, {"error": "database down"})
        if self.headers.get("Authorization") != "Bearer s3cret":
            return self.answer(401, {"error": "token"})
        url = urlsplit(self.path)
        if url.path == "/v1/accounts" and parse_qs(url.query).get("email") == [SITI]:
            return self.answer(200, {"account_id": "ACC-1001", "email": SITI, "plan": "Pro",
                                     "status": "active"})  # fmt: skip
        if url.path == "/v1/invoices/INV-2026-0412":
            return self.answer(200, {
                "number": "INV-2026-0412", "account_id": "ACC-1001", "account_email": SITI,
                "amount": "299000.00", "currency": "IDR", "charged_on": "2026-11-20",
                "plan": "Pro", "payment_method": "card (BCA Visa)", "status": "paid",
            })  # fmt: skip
        return self.answer(404, {"error": "not found"})

    def answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (the timeout test) is expected here


@pytest.fixture
def billing_api(settings: Any) -> Iterator[str]:
    server = QuietServer(("127.0.0.1", 0), FakeBilling)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeBilling.delay, FakeBilling.broken, FakeBilling.requests = 0.0, False, []
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    settings.LOKET_BILLING_URL, settings.LOKET_BILLING_TOKEN = url, "s3cret"
    settings.LOKET_BILLING_TIMEOUT, settings.LOKET_BILLING_RETRY_SECONDS = 0.5, 30
    HttpBilling.reset()
    yield url
    HttpBilling.reset()
    server.shutdown()
    server.server_close()


def test_the_http_adapter_answers_like_the_tables(billing_api: str, on_file: None) -> None:
    api = HttpBilling(billing_api, token="s3cret")
    tables = TableBilling()
    assert api.invoice("INV-2026-0412") == tables.invoice("INV-2026-0412")
    assert api.account_by_email(SITI) == tables.account_by_email(SITI)
    assert api.invoice("INV-2026-9999") is None
    assert api.account_by_email("nobody@example.com") is None


def test_a_slow_or_broken_billing_api_degrades_quickly_and_loses_nothing(
    billing_api: str,
) -> None:
    receive(mail("Ditagih dua kali", key="warm-up"), now=NOW)  # templates, patterns: loaded
    FakeBilling.delay, FakeBilling.requests = 2.0, []
    started = time.monotonic()
    first = receive(mail("Ditagih dua kali INV-2026-0412"), now=NOW)
    second = receive(mail("Ditagih dua kali lagi INV-2026-0412", key="2", subject="Lagi"), now=NOW)
    elapsed = time.monotonic() - started
    assert elapsed < 1.5, "one timeout (0.5 s), then billing is left alone for a while"
    assert len(FakeBilling.requests) == 1
    for outcome in (first, second):
        assert outcome.outcome == "created"
        assert outcome.ticket is not None
        states = {item.code: item.state for item in evidence_checklist(outcome.ticket)}
        assert states["invoice_reference"] == State.UNCHECKED
    with pytest.raises(BillingUnavailable):
        HttpBilling(billing_api).invoice("INV-2026-0412")
    HttpBilling.reset()
    FakeBilling.delay, FakeBilling.broken = 0.0, True
    with pytest.raises(BillingUnavailable, match="HTTP 500"):
        HttpBilling(billing_api, token="s3cret").invoice("INV-2026-0412")


def test_evidence_is_verified_through_the_api(billing_api: str) -> None:
    outcome = receive(mail(
        "Saya ditagih dua kali untuk INV-2026-0412 tanggal 20 Nov 2026, paket Pro, kartu BCA."
    ), now=NOW)  # fmt: skip
    assert outcome.ticket is not None
    states = {item.code: item.state for item in evidence_checklist(outcome.ticket)}
    assert states["invoice_reference"] == states["transaction_details"] == State.VERIFIED


# --- asking for exactly what is missing, and replies that fill the list ----------------------


def test_the_acknowledgement_asks_for_exactly_what_is_missing_and_replies_fill_the_list(
    on_file: None,
) -> None:
    outcome = receive(mail("Halo, kartu saya ditagih dua kali bulan ini. Mohon dicek."), now=NOW)
    ticket = outcome.ticket
    assert ticket is not None
    assert ticket.status == Status.PENDING_CUSTOMER
    acknowledgement = OutboxMessage.objects.get(ticket=ticket, kind="acknowledgement").body
    asked_for = ("Nomor invoice atau referensi pesanan", "Detail transaksi",
                 "Detail sengketa (bank/penerbit kartu)")  # fmt: skip
    for asked in asked_for:
        assert f"* {asked}:" in acknowledgement
    assert "Email akun" not in acknowledgement, "written from the billing address on file"
    requested = ticket.events.get(kind=EventKind.EVIDENCE_REQUESTED)
    assert requested.data["items"] == ["invoice_reference", "transaction_details",
                                       "dispute_details"]  # fmt: skip

    reply = mail(f"Re: [{ticket.reference}] INV-2026-0412, 20 Nov 2026, paket Pro, kartu BCA",
                 subject=f"Re: [{ticket.reference}] Tagihan ganda", key="r1")  # fmt: skip
    assert receive(reply, now=NOW).outcome == "appended"
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN, "the reply resumes the resolution clock"
    states = {item.code: item.state for item in evidence_checklist(ticket)}
    assert states == {
        "account_email": State.VERIFIED, "invoice_reference": State.VERIFIED,
        "transaction_details": State.VERIFIED, "dispute_details": State.FOUND,
    }  # fmt: skip
    assert OutboxMessage.objects.filter(ticket=ticket).count() == 1, "asked once, not again"


def test_a_complete_request_does_not_wait(on_file: None) -> None:
    outcome = receive(mail(
        "Ditagih dua kali INV-2026-0412 pada 20 Nov 2026, paket Pro; dispute ke BCA 25 Nov 2026."
    ), now=NOW)  # fmt: skip
    assert outcome.ticket is not None
    assert outcome.ticket.status == Status.NEW
    assert not outcome.ticket.events.filter(kind=EventKind.EVIDENCE_REQUESTED).exists()


# --- the agent's refund decision (S12) --------------------------------------------------------


def test_the_console_proposes_and_records_a_refund_decision_with_the_payment_method(
    client: Client, agent: User, on_file: None
) -> None:
    outcome = receive(mail(
        "Saya ditagih dua kali untuk INV-2026-0412 tanggal 20 Nov 2026, paket Pro, kartu BCA.",
        subject="Minta refund",
    ), now=NOW)  # fmt: skip
    ticket = outcome.ticket
    assert ticket is not None
    proposal = refund_proposal(ticket, "en")
    assert proposal is not None
    assert (proposal.reason_code, proposal.eligible) == ("duplicate_charge", True)
    assert (proposal.invoice_number, proposal.payment_method) == (
        "INV-2026-0412",
        "card (BCA Visa)",
    )

    client.force_login(agent)
    page = client.get(f"/console/t/{ticket.reference}/", headers={"accept-language": "en"})
    html = page.content.decode()
    assert 'value="card (BCA Visa)"' in html
    assert "verified against billing records" in html

    url = f"/console/t/{ticket.reference}/refund/"
    refused = client.post(url, {"outcome": "approved", "reason_code": "", "payment_method": "x"},
                          headers={"accept-language": "en"})  # fmt: skip
    assert refused.status_code == 400
    assert "An approval needs one of the reasons the policy accepts." in refused.content.decode()
    assert not RefundDecision.objects.exists()

    approval = {"outcome": "approved", "reason_code": "duplicate_charge",
                "invoice_number": "INV-2026-0412", "amount": "299000", "currency": "IDR",
                "payment_method": "card (BCA Visa)"}  # fmt: skip
    waits = client.post(url, approval, headers={"accept-language": "en"})
    assert waits.status_code == 400, "a billing dispute's refund waits for verification (S11)"
    assert "has not confirmed ownership" in waits.content.decode()
    client.post(f"/console/t/{ticket.reference}/verify/")
    link = OutboxMessage.objects.get(kind="verification_link")
    assert link.to_address == SITI
    confirm_link(client, link.body)

    client.post(url, approval)
    decision = RefundDecision.objects.get()
    assert (decision.payment_method, decision.amount, decision.decided_by) == (
        "card (BCA Visa)", Decimal("299000.00"), agent
    )  # fmt: skip
    event = ticket.events.get(kind=EventKind.REFUND_DECIDED)
    assert event.data["invoice"] == "INV-2026-0412"
    assert event.actor == agent
    assert Ticket.objects.get(pk=ticket.pk).updated_at > NOW


def test_after_an_outage_the_agent_checks_billing_again(
    billing_api: str, client: Client, agent: User
) -> None:
    FakeBilling.broken = True
    outcome = receive(mail("Ditagih dua kali INV-2026-0412 tanggal 20 Nov 2026, paket Pro."),
                      now=NOW)  # fmt: skip
    ticket = outcome.ticket
    assert ticket is not None
    states = {item.code: item.state for item in evidence_checklist(ticket)}
    assert states["invoice_reference"] == State.UNCHECKED

    FakeBilling.broken = False
    HttpBilling.reset()
    client.force_login(agent)
    client.post(f"/console/t/{ticket.reference}/billing/")
    states = {item.code: item.state for item in evidence_checklist(ticket)}
    assert states["invoice_reference"] == states["transaction_details"] == State.VERIFIED
