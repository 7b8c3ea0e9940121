"""The data a desk running the previous release holds, written through that release's schema.

There are no release tags yet, so "the previous release" is the schema before the WhatsApp and
phone work: the migration states below. The rows are written with the historical models of
those states (what `MigrationExecutor` builds from the migration files), not with today's
models, so they can only use the columns the old schema had - writing `requester_phone` on a
ticket here fails - and the same code fills SQLite and PostgreSQL.

When a release is tagged, move PREVIOUS_RELEASE to its latest migrations and add the rows its
new tables hold.
"""

import hashlib
import zlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.apps.registry import Apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models

# The latest migration of each app that changed in this week's WhatsApp and phone work, as it
# was before that work (tickets 0005 and 0006, notify 0003, inbound 0002 came with it), and of
# sla, whose clocks later migrations read to fill new ticket columns.
PREVIOUS_RELEASE = [
    ("tickets", "0004_roles"),
    ("notify", "0002_undeliverable_and_recipient_index"),
    ("inbound", "0001_initial"),
    ("sla", "0001_initial"),
]
# Every row of these apps' tables is compared before and after the upgrade.
UPGRADED_APPS = tuple(app for app, _ in PREVIOUS_RELEASE)

WRITTEN_AT = datetime(2026, 11, 20, 2, 30, 15, 123456, tzinfo=UTC)
RESOLVED_OPENED_AT = WRITTEN_AT - timedelta(days=3, microseconds=7)
# The running first-response clock of the open ticket reaches its breach then.
OPEN_TICKET_BREACH_AT = WRITTEN_AT + timedelta(hours=8)
# Every byte value, then a PNG signature: nothing may be decoded or re-encoded on the way.
SCREENSHOT = bytes(range(256)) + b"\x89PNG\r\n\x1a\n" + b"\x00\xff" * 512
RAW_MAIL = (
    "From: =?UTF-8?B?55Sw5Lit?= <tanaka@example.jp>\r\nTo: support@catalo.id\r\n"
    "Message-ID: <old-release-1@example.jp>\r\nSubject: =?UTF-8?B?5pSv5omV44GE?=\r\n\r\n"
    "ストアが有効になりません。\r\n"
).encode()


def write_previous_release_data(apps: Apps) -> dict[str, bytes]:
    """Tickets, messages, attachments (files), events, refund decisions, outbox rows (pending,
    sent, failed) and raw inbound mail, through the old models. Returns the attachment
    files' bytes by storage name."""
    agent = model(apps, "auth", "User")._default_manager.create(
        username="old-agent", email="agent@catalo.id", password="!", is_staff=True
    )
    open_ticket, resolved_ticket = write_tickets(apps, agent)
    files = write_messages(apps, open_ticket, resolved_ticket, agent)
    write_events(apps, open_ticket, resolved_ticket, agent)
    write_outbox(apps, open_ticket, resolved_ticket)
    write_clocks(apps, open_ticket, resolved_ticket)
    write_inbound(apps, resolved_ticket)
    return files


def model(apps: Apps, app_label: str, name: str) -> type[models.Model]:
    return apps.get_model(app_label, name)


def write_tickets(apps: Apps, agent: models.Model) -> tuple[models.Model, models.Model]:
    ticket = model(apps, "tickets", "Ticket")._default_manager
    version = model(apps, "policy", "PolicyVersion")._default_manager.order_by("number").first()
    common: dict[str, Any] = {"policy_version": version, "updated_at": WRITTEN_AT}
    escalated = ticket.create(
        reference="CAT-OLD-0001",
        subject="ストアが有効になりません 🙏",
        category_id="account_security",
        status="open",
        channel="web",
        requester_name="田中 花子",
        requester_email="tanaka@example.jp",
        language="ja",
        time_zone="Asia/Tokyo",
        redactions=2,
        assignee=agent,
        escalation_level=1,
        escalated_at=WRITTEN_AT + timedelta(hours=1),
        created_at=WRITTEN_AT,
        **common,
    )
    resolved = ticket.create(
        reference="CAT-OLD-0002",
        subject="Tagihan ganda bulan November",
        category_id="complaint",
        status="resolved",
        channel="email",
        requester_name="Budi Santoso",
        requester_email="budi@example.co.id",
        language="id",
        reply_address="billing@catalo.id",
        complex_reason="third_party_payment",
        created_at=RESOLVED_OPENED_AT,
        **common,
    )
    model(apps, "tickets", "RefundDecision")._default_manager.create(
        ticket=resolved,
        outcome="approved",
        reason_code="duplicate_charge",
        invoice_number="INV-2026-11-0042",
        amount=Decimal("149000.50"),
        currency="IDR",
        payment_method="bank_transfer",
        note="Dikembalikan ke rekening asal.",
        decided_by=agent,
        decided_at=WRITTEN_AT,
    )
    return escalated, resolved


def write_messages(
    apps: Apps, escalated: models.Model, resolved: models.Model, agent: models.Model
) -> dict[str, bytes]:
    message = model(apps, "tickets", "Message")._default_manager
    asked = message.create(
        ticket=escalated,
        kind="requester",
        channel="web",
        author_name="田中 花子",
        body="支払い済みですが、ストアが有効になりません。\nパスワード: [削除済み]",
        redactions=1,
        sender_warnings=["From: display name looks like our own address"],
        created_at=WRITTEN_AT,
    )
    message.create(
        ticket=escalated,
        kind="internal_note",
        channel="console",
        author=agent,
        author_name="old-agent",
        body="Checked the payment gateway: paid at 09:14 WIB.",
        created_at=WRITTEN_AT + timedelta(minutes=5),
    )
    mailed = message.create(
        ticket=resolved,
        kind="requester",
        channel="email",
        author_name="Budi Santoso",
        body="Saya ditagih dua kali.",
        html="<p>Saya ditagih <b>dua kali</b>.</p>",
        external_id="<old-release-2@example.co.id>",
        created_at=WRITTEN_AT - timedelta(days=3),
    )
    message.create(
        ticket=resolved,
        kind="public_reply",
        channel="email",
        author=agent,
        author_name="old-agent",
        body="Dana sudah dikembalikan.",
        created_at=WRITTEN_AT,
    )
    statement = "Mutasi rekening: 2 x Rp149.000 — dua kali".encode()
    return write_attachments(
        apps,
        {
            asked: ("screenshot.png", SCREENSHOT, "image/png"),
            mailed: ("mutasi.txt", statement, "text/plain"),
        },
    )


def write_attachments(
    apps: Apps, files: dict[models.Model, tuple[str, bytes, str]]
) -> dict[str, bytes]:
    attachment = model(apps, "tickets", "Attachment")._default_manager
    stored = {}
    for message, (filename, content, content_type) in files.items():
        name = default_storage.save(f"2026/11/{filename}", ContentFile(content))
        attachment.create(
            message=message,
            file=name,
            filename=filename,
            content_type=content_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
        stored[name] = content
    return stored


def write_events(
    apps: Apps, escalated: models.Model, resolved: models.Model, agent: models.Model
) -> None:
    event = model(apps, "tickets", "Event")._default_manager
    event.create(
        ticket=escalated,
        kind="created",
        actor_label="田中 花子",
        data={"channel": "web", "deadlines": {"first_response": "2026-11-20T09:30:00+00:00"}},
        created_at=WRITTEN_AT,
    )
    event.create(
        ticket=escalated,
        kind="escalated",
        actor=agent,
        actor_label="old-agent",
        data={"from": 0, "to": 1, "reason": "pelanggan meminta", "urgent": True, "note": None},
        created_at=WRITTEN_AT + timedelta(hours=1),
    )
    event.create(
        ticket=resolved, kind="sla_warning", actor_label="SLA", data={}, created_at=WRITTEN_AT
    )
    event.create(
        ticket=resolved,
        kind="refund_decided",
        actor=agent,
        actor_label="old-agent",
        data={"amount": "149000.50", "currency": "IDR", "invoices": ["INV-2026-11-0042"]},
        created_at=WRITTEN_AT,
    )


def write_outbox(apps: Apps, escalated: models.Model, resolved: models.Model) -> None:
    """Mail an upgrade must not lose: one still to send, one sent, one given up; one digest
    that belongs to no ticket."""
    outbox = model(apps, "notify", "OutboxMessage")._default_manager
    common: dict[str, Any] = {"kind": "acknowledgement", "created_at": WRITTEN_AT}
    outbox.create(
        ticket=escalated,
        to_address="tanaka@example.jp",
        subject="[CAT-OLD-0001] お問い合わせを受け付けました",
        body="田中 花子 様\n\nお問い合わせを受け付けました。",
        headers={"Reply-To": "support@catalo.id", "References": "<old-release-1@example.jp>"},
        status="pending",
        next_attempt_at=WRITTEN_AT,
        **common,
    )
    outbox.create(
        ticket=resolved,
        to_address="budi@example.co.id",
        subject="[CAT-OLD-0002] Re: Tagihan ganda",
        body="Dana sudah dikembalikan.",
        status="sent",
        attempts=1,
        next_attempt_at=WRITTEN_AT,
        sent_at=WRITTEN_AT + timedelta(seconds=2),
        **common,
    )
    outbox.create(
        ticket=resolved,
        to_address="budi@nowhere.invalid",
        subject="[CAT-OLD-0002] Tagihan ganda",
        body="Kami sudah menerima pesan Anda.",
        status="failed",
        attempts=5,
        next_attempt_at=WRITTEN_AT + timedelta(hours=2),
        last_error="550 5.1.1 <budi@nowhere.invalid>: Recipient address rejected",
        **common,
    )
    outbox.create(
        ticket=None,
        kind="sla_breach_digest",
        to_address="supervisor@catalo.id",
        subject="SLA: 1 warning",
        body="CAT-OLD-0002 first response due in 1 h",
        next_attempt_at=WRITTEN_AT + timedelta(days=365),
        created_at=WRITTEN_AT,
    )
    model(apps, "notify", "UndeliverableAddress")._default_manager.create(
        address="budi@nowhere.invalid", status="5.1.1", bounced_at=WRITTEN_AT
    )


def write_clocks(apps: Apps, escalated: models.Model, resolved: models.Model) -> None:
    """A running clock on the open ticket; a breached one, stopped, on the resolved one."""
    clock = model(apps, "sla", "Clock")._default_manager
    version = model(apps, "policy", "PolicyVersion")._default_manager.order_by("number").first()
    clock.create(
        ticket=escalated,
        kind="first_response",
        policy_version=version,
        status="running",
        warning_seconds=24_300,
        breach_seconds=32_400,
        running_since=WRITTEN_AT,
        warning_at=OPEN_TICKET_BREACH_AT - timedelta(seconds=8_100),
        breach_at=OPEN_TICKET_BREACH_AT,
        next_check_at=OPEN_TICKET_BREACH_AT - timedelta(seconds=8_100),
    )
    clock.create(
        ticket=resolved,
        kind="resolution",
        policy_version=version,
        status="stopped",
        warning_seconds=100_000,
        breach_seconds=129_600,
        accrued_seconds=140_000,
        breach_at=WRITTEN_AT - timedelta(days=1),
        warned=True,
        breached=True,
    )


def write_inbound(apps: Apps, resolved: models.Model) -> None:
    inbound = model(apps, "inbound", "InboundRecord")._default_manager
    common: dict[str, Any] = {"channel": "email", "source": "support@catalo.id"}
    inbound.create(
        key="<old-release-1@example.jp>",
        raw=b"z" + zlib.compress(RAW_MAIL, 1),
        raw_size=len(RAW_MAIL),
        sender="tanaka@example.jp",
        subject="支払い",
        status="appended",
        ticket=resolved,
        received_at=WRITTEN_AT,
        processed_at=WRITTEN_AT + timedelta(milliseconds=40),
        **common,
    )
    inbound.create(
        key="sha256:" + "ab" * 32,
        raw=b"=" + SCREENSHOT,
        raw_size=len(SCREENSHOT),
        status="held",
        reason="no sender address",
        received_at=WRITTEN_AT,
        **common,
    )
