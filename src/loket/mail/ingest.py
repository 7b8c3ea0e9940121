"""E-mail in: each message is stored raw before anything reads it, then parsed and handed to
the inbound pipeline. A message that cannot be read is quarantined, and the batch goes on."""

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email.parser import BytesHeaderParser
from email.policy import compat32
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction

from loket import failpoints
from loket.inbound.message import InboundMessage, Undeliverable
from loket.inbound.models import InboundRecord, InboundStatus
from loket.inbound.pipeline import receive
from loket.mail.headers import MESSAGE_ID
from loket.mail.html import sanitize, text_of
from loket.mail.parse import Limits, MailFile, ParsedMail, Unreadable, parse_mail
from loket.tickets.models import Channel
from loket.tickets.sniffing import IncomingFile, kept_file

logger = logging.getLogger(__name__)

ENCRYPTED_NOTE = (
    "[This message was encrypted (S/MIME) and cannot be read in Loket. "
    "The encrypted file is attached; ask the requester to write without encryption.]"
)


@dataclass(frozen=True)
class Ingested:
    outcome: str  # created | appended | held | duplicate | ignored | quarantined
    reference: str | None = None
    reason: str = ""

    def as_json(self, file: str) -> dict[str, str | None]:
        return {
            "file": file,
            "reference": self.reference,
            "outcome": self.outcome,
            "reason": self.reason,
        }


def ingest(raw: bytes, *, mailbox: str, now: datetime) -> Ingested:
    """Store, then process once: a message seen before in this mailbox is a duplicate."""
    record, new = store(raw, mailbox=mailbox, now=now)
    failpoints.reached("stored")
    if not new and record.status != InboundStatus.RECEIVED:
        reference = record.ticket.reference if record.ticket else None
        return Ingested(
            "duplicate",
            reference,
            f"already {record.status} on {record.received_at:%Y-%m-%d %H:%M} UTC",
        )
    return process(record, now=now)


def store(raw: bytes, *, mailbox: str, now: datetime) -> tuple[InboundRecord, bool]:
    key = dedup_key(raw)
    try:
        with transaction.atomic():
            record = InboundRecord.objects.create(
                channel=Channel.EMAIL, source=mailbox.lower(), key=key,
                raw=InboundRecord.pack(raw), raw_size=len(raw), received_at=now,
            )  # fmt: skip
    except IntegrityError:
        return InboundRecord.objects.select_related("ticket").get(
            source=mailbox.lower(), key=key
        ), False
    return record, True


def quarantine_oversized(header: bytes, size: int, *, mailbox: str, now: datetime) -> Ingested:
    """A message too large to fetch: its header is kept in the quarantine with the reason."""
    record, new = store(header, mailbox=mailbox, now=now)
    if not new and record.status != InboundStatus.RECEIVED:
        return Ingested("duplicate", None, f"already {record.status}")
    limit = settings.LOKET_MAIL_MAX_BYTES
    reason = f"message too large: {size:,} bytes (limit {limit:,}); left on the IMAP server"
    return quarantine(record, reason, now)


def dedup_key(raw: bytes) -> str:
    """The Message-ID when there is one (the same mail fetched twice), else the content."""
    found: list[str] = []
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(raw[: 256 * 1024])
        found = MESSAGE_ID.findall(str(headers.get("Message-ID") or ""))
    except Exception:  # a head too broken to read is keyed by its bytes instead
        found = []
    if found:
        return "id:" + found[0][:290]
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def process(record: InboundRecord, *, now: datetime) -> Ingested:
    try:
        parsed = parse_mail(record.raw_bytes(), own_addresses(), limits())
    except Unreadable as error:
        return quarantine(record, str(error), now)
    record.sender, record.subject = parsed.sender.address[:254], parsed.subject[:300]
    try:
        outcome = receive(inbound_message(parsed, record.source, now), now=now, record=record)
    except Exception as error:
        logger.exception("inbound record %s could not be processed", record.pk)
        return quarantine(record, f"could not be processed: {type(error).__name__}: {error}", now)
    reference = outcome.ticket.reference if outcome.ticket else None
    return Ingested(outcome.outcome, reference, outcome.reason)


def quarantine(record: InboundRecord, reason: str, now: datetime) -> Ingested:
    InboundRecord.objects.filter(pk=record.pk).update(
        status=InboundStatus.QUARANTINED, reason=reason[:2000], processed_at=now,
        sender=record.sender, subject=record.subject,
    )  # fmt: skip
    return Ingested("quarantined", None, reason)


def inbound_message(parsed: ParsedMail, mailbox: str, now: datetime) -> InboundMessage:
    text = parsed.text or (text_of(parsed.html) if parsed.html else "")
    if parsed.encrypted:
        text = f"{ENCRYPTED_NOTE}\n\n{text}".strip() + "\n"
    bounce = parsed.bounce
    return InboundMessage(
        channel=Channel.EMAIL,
        sender_address=parsed.sender.address,
        sender_name=parsed.sender.name,
        subject=parsed.subject,
        text=text,
        received_at=now,
        html=sanitize(parsed.html),
        attachments=tuple(incoming(file) for file in parsed.attachments),
        sender_verified=parsed.sender.verified,
        sender_warnings=parsed.sender.warnings,
        external_id=parsed.message_id or "",
        thread_ids=parsed.thread_ids,
        automatic=parsed.automatic,
        undeliverable=Undeliverable(
            bounce.recipients, bounce.status, bounce.permanent, bounce.original_message_id
        ) if bounce else None,
        mailbox=mailbox,
    )  # fmt: skip


def incoming(file: MailFile) -> IncomingFile:
    return kept_file(file.filename, file.content, file.declared_type)


def own_addresses() -> frozenset[str]:
    return frozenset(address.lower() for address in settings.LOKET_MAIL_OWN_ADDRESSES)


def limits() -> Limits:
    return Limits(max_bytes=int(settings.LOKET_MAIL_MAX_BYTES))


# --- where messages come from ----------------------------------------------------------------


def messages_at(paths: list[Path]) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of each message: a file, every file of a directory, or a maildir's
    new/ and cur/ messages."""
    for path in paths:
        if path.is_dir():
            yield from messages_in_folder(path)
        else:
            yield str(path), path.read_bytes()


def messages_in_folder(folder: Path) -> Iterator[tuple[str, bytes]]:
    is_maildir = all((folder / name).is_dir() for name in ("cur", "new", "tmp"))
    places = [folder / "new", folder / "cur"] if is_maildir else [folder]
    for place in places:
        for path in sorted(place.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                yield str(path), path.read_bytes()
