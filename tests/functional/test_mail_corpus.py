"""The .eml corpus (tests/fixtures/mail), ingested as `loket mail ingest` does: every message
ends where a demanding helpdesk user expects, in Japanese too, and nothing arrives twice."""

from pathlib import Path

import pytest
from django.utils import timezone

from loket.inbound.models import InboundRecord, InboundStatus
from loket.mail.ingest import Ingested, ingest
from loket.notify.delivery import deliver
from loket.notify.models import OutboxMessage, UndeliverableAddress
from loket.tickets.models import Attachment, EventKind, Message, Status, Ticket
from tests.builders import build_ticket

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
MAILBOX = "support@catalo.id"
REQUESTER = "budi@example.co.id"


def corpus_file(name: str, ticket: Ticket | None = None) -> bytes:
    raw = (CORPUS / name).read_bytes()
    if ticket is None:
        return raw
    acknowledgement = OutboxMessage.objects.get(ticket=ticket, kind="acknowledgement")
    for placeholder, value in {
        "{ACK_MESSAGE_ID}": acknowledgement.message_id,
        "{REFERENCE}": str(ticket.reference),
        "{REFERENCE_LOWER}": str(ticket.reference).lower(),
        "{REQUESTER}": ticket.requester_email,
    }.items():
        raw = raw.replace(placeholder.encode(), value.encode())
    return raw


def ingest_file(name: str, ticket: Ticket | None = None) -> Ingested:
    return ingest(corpus_file(name, ticket), mailbox=MAILBOX, now=timezone.now())


@pytest.fixture
def existing() -> Ticket:
    """A ticket Budi opened by e-mail earlier, with its acknowledgement in the outbox."""
    return build_ticket(email=REQUESTER, channel="email")


def new_ticket(result: Ingested) -> Ticket:
    assert result.outcome == "created", result
    return Ticket.objects.get(reference=result.reference)


def first_message(ticket: Ticket) -> Message:
    return ticket.messages.order_by("id").first()  # type: ignore[return-value]


def test_japanese_iso_2022_jp_keeps_circled_digits_company_mark_and_tilde() -> None:
    ticket = new_ticket(ingest_file("ja-iso2022jp.eml"))
    assert ticket.subject == "【至急】請求書①の金額について㈱カタロ～"
    assert ticket.requester_name == "山田 太郎"
    assert "請求書① INV-2026-0398" in first_message(ticket).body
    assert "9月分～11月分" in first_message(ticket).body
    assert ticket.language == "ja"
    assert ticket.channel == "email"


def test_shift_jis_with_an_8_bit_subject_and_split_encoded_words_are_readable() -> None:
    ticket = new_ticket(ingest_file("ja-shiftjis-8bit.eml"))
    assert ticket.subject == "ログインできません（ストア管理画面）"
    assert "①管理画面" in first_message(ticket).body
    assert new_ticket(ingest_file("split-encoded-words.eml")).subject == "返金のお願い"


@pytest.mark.parametrize(("name", "language"), [("id-plain.eml", "id"), ("en-plain.eml", "en")])
def test_indonesian_and_english_mail_is_acknowledged_in_its_language(
    name: str, language: str
) -> None:
    ticket = new_ticket(ingest_file(name))
    assert ticket.language == language
    acknowledgement = OutboxMessage.objects.get(ticket=ticket, kind="acknowledgement")
    assert acknowledgement.to_address == ticket.requester_email
    assert str(ticket.reference) in acknowledgement.subject


def test_html_only_mail_is_sanitised_and_gets_a_text_version() -> None:
    message = first_message(new_ticket(ingest_file("html-only.eml")))
    assert "INV-2026-0500" in message.body
    assert "<b>INV-2026-0500</b>" in message.html
    for dangerous in ("<script", "alert(1)", "onerror", "javascript:"):
        assert dangerous not in message.html


def test_attachments_and_inline_images_are_kept_with_their_type_from_the_bytes() -> None:
    only_file = new_ticket(ingest_file("attachment-only.eml"))
    pdf = Attachment.objects.get(message__ticket=only_file)
    assert (pdf.filename, pdf.content_type) == ("bukti.pdf", "application/pdf")
    inline = new_ticket(ingest_file("inline-image.eml"))
    image = Attachment.objects.get(message__ticket=inline)
    assert (image.filename, image.content_type) == ("layar.png", "image/png")


@pytest.mark.parametrize("name", ["ooo-rfc3834.eml", "ooo-exchange.eml", "ooo-gmail.eml"])
def test_out_of_office_replies_are_noted_but_never_reopen_answer_or_open_anything(
    existing: Ticket, name: str
) -> None:
    Ticket.objects.filter(pk=existing.pk).update(status=Status.PENDING_CUSTOMER)
    outbox_before = OutboxMessage.objects.count()
    result = ingest_file(name, existing)
    assert (result.outcome, result.reference) == ("ignored", existing.reference)
    existing.refresh_from_db()
    assert existing.status == Status.PENDING_CUSTOMER
    assert existing.messages.count() == 1
    assert existing.events.filter(kind=EventKind.AUTOMATIC_MAIL).exists()
    assert OutboxMessage.objects.count() == outbox_before
    assert Ticket.objects.count() == 1


def test_a_bounce_marks_the_address_undeliverable_and_tells_the_ticket(existing: Ticket) -> None:
    result = ingest_file("dsn-bounce.eml", existing)
    assert (result.outcome, result.reference) == ("ignored", existing.reference)
    bounce = existing.events.get(kind=EventKind.MAIL_BOUNCED)
    assert bounce.data["status"] == "5.1.1"
    assert UndeliverableAddress.objects.filter(address=REQUESTER).exists()
    assert Ticket.objects.count() == 1


def test_list_mail_and_our_own_echo_are_ignored(existing: Ticket) -> None:
    assert ingest_file("mailing-list.eml").outcome == "ignored"
    assert ingest_file("own-echo.eml", existing).outcome == "ignored"
    assert Ticket.objects.count() == 1
    assert existing.messages.count() == 1


@pytest.mark.parametrize(
    "name", ["reply-to-acknowledgement.eml", "reply-by-references.eml", "reference-in-body.eml"]
)
def test_replies_thread_into_the_requesters_ticket(existing: Ticket, name: str) -> None:
    result = ingest_file(name, existing)
    assert (result.outcome, result.reference) == ("appended", existing.reference)
    assert existing.messages.count() == 2
    assert Ticket.objects.count() == 1


def test_a_reply_to_a_closed_ticket_opens_a_follow_up(existing: Ticket) -> None:
    Ticket.objects.filter(pk=existing.pk).update(status=Status.CLOSED)
    follow_up = new_ticket(ingest_file("reply-to-acknowledgement.eml", existing))
    assert follow_up.pk != existing.pk
    assert follow_up.events.get(kind=EventKind.CREATED).data["follow_up_of"] == existing.reference


@pytest.mark.parametrize(
    "name",
    ["reply-from-stranger.eml", "spoofed-angle.eml", "spoofed-two-from.eml"],
)
def test_strangers_and_forged_senders_are_held_never_appended_nor_answered(
    existing: Ticket, name: str
) -> None:
    outbox_before = OutboxMessage.objects.count()
    result = ingest_file(name, existing)
    assert result.outcome == "held", result
    assert existing.messages.count() == 1
    assert OutboxMessage.objects.count() == outbox_before
    record = InboundRecord.objects.get(status=InboundStatus.HELD)
    assert record.ticket == existing
    assert record.reason


def test_a_display_name_dressed_as_our_address_opens_an_unverified_ticket() -> None:
    message = first_message(new_ticket(ingest_file("spoofed-display-name.eml")))
    assert message.ticket.requester_email == "attacker@evil.example"
    assert "the display name looks like our own address" in message.sender_warnings


def test_forwarded_mail_is_attached_and_its_inner_headers_never_thread(existing: Ticket) -> None:
    ticket = new_ticket(ingest_file("forwarded.eml", existing))
    assert ticket.pk != existing.pk
    forwarded = Attachment.objects.get(message__ticket=ticket)
    assert forwarded.content_type == "message/rfc822"
    assert forwarded.filename.endswith(".eml")


def test_s_mime_signed_is_read_and_encrypted_is_kept_with_a_note() -> None:
    signed = first_message(new_ticket(ingest_file("smime-signed.eml")))
    assert "INV-2026-0420" in signed.body
    assert not signed.attachments.exists()
    encrypted = first_message(new_ticket(ingest_file("smime-encrypted.eml")))
    assert "encrypted (S/MIME)" in encrypted.body
    assert encrypted.attachments.count() == 1


@pytest.mark.parametrize("name", ["duplicate-with-id.eml", "duplicate-without-id.eml"])
def test_the_same_mail_twice_makes_one_ticket_and_one_acknowledgement(name: str) -> None:
    first = ingest_file(name)
    second = ingest_file(name)
    assert first.outcome == "created"
    assert (second.outcome, second.reference) == ("duplicate", first.reference)
    assert Ticket.objects.count() == 1
    assert OutboxMessage.objects.filter(kind="acknowledgement").count() == 1


@pytest.mark.parametrize("name", ["missing-boundary.eml", "invalid-base64.eml", "nul-bytes.eml"])
def test_malformed_but_readable_mime_still_opens_a_ticket(name: str) -> None:
    message = first_message(new_ticket(ingest_file(name)))
    assert "\x00" not in message.body


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("empty.eml", "empty message"),
        ("long-header.eml", "header line is longer"),
        ("nested-200.eml", "nested too deeply"),
    ],
)
def test_unreadable_mail_is_quarantined_with_its_raw_bytes_and_the_reason(
    name: str, reason: str
) -> None:
    result = ingest_file(name)
    assert result.outcome == "quarantined"
    assert reason in result.reason
    record = InboundRecord.objects.get(status=InboundStatus.QUARANTINED)
    assert record.raw_bytes() == (CORPUS / name).read_bytes()
    assert reason in record.reason
    assert Ticket.objects.count() == 0


def test_a_bounce_that_names_no_mail_of_ours_marks_nothing(existing: Ticket) -> None:
    forged = corpus_file("dsn-bounce.eml", existing).replace(
        OutboxMessage.objects.get(ticket=existing).message_id.encode(),
        b"<00000000-0000-4000-8000-000000000000@catalo.id>",
    )
    assert ingest(forged, mailbox=MAILBOX, now=timezone.now()).outcome == "ignored"
    assert not UndeliverableAddress.objects.exists()


def test_mail_to_a_bounced_address_is_not_sent_until_the_address_writes_again(
    existing: Ticket,
) -> None:
    ingest_file("dsn-bounce.eml", existing)
    queued = OutboxMessage.objects.get(ticket=existing, kind="acknowledgement")
    assert deliver(queued.id, timezone.now()) == "failed"
    failure = existing.events.get(kind=EventKind.MAIL_FAILED)
    assert failure.data["permanent"] is True
    assert "bounced for good" in failure.data["error"]
    assert ingest_file("reply-to-acknowledgement.eml", existing).outcome == "appended"
    assert not UndeliverableAddress.objects.exists()
