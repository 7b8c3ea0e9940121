"""WhatsApp in: the webhook stores each message and status (keyed by `wamid`, so Meta's retries
arrive once) and queues one task, in one transaction; the worker then reads each item, fetches
its media from the Graph API and hands the message to the inbound pipeline. When the worker is
down nothing is lost: the items wait `received`, and the task and the housekeeping pass take
them up when it is back."""

import hashlib
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.tasks import task
from django.utils import timezone

from loket.inbound.message import InboundMessage
from loket.inbound.models import InboundRecord, InboundStatus
from loket.inbound.pipeline import receive
from loket.notify import whatsapp
from loket.notify.models import OutboxMessage, OutboxStatus, WhatsAppDelivery
from loket.tickets.models import Channel, EventKind
from loket.tickets.sniffing import IncomingFile, kept_file
from loket.tickets.timeline import record_event
from loket.whatsapp.payload import (
    MEDIA_TYPES,
    NOISE_TYPES,
    READABLE_TYPES,
    ChatMessage,
    DeliveryStatus,
    Item,
    Media,
    items,
    read_item,
)
from loket.whatsapp.phones import normalise

logger = logging.getLogger(__name__)

# An item the worker has not taken up this long after it arrived is taken up by housekeeping.
FORGOTTEN_AFTER = timedelta(seconds=30)
# Media the Graph API cannot serve right now is tried again for this long, then given up on.
MEDIA_PATIENCE = timedelta(hours=1)
# A status can overtake the answer to our own send (which names the wamid): it waits this long.
STATUS_PATIENCE = timedelta(hours=1)
# Statuses only move forward: a late "delivered" never undoes "read".
STATUS_RANK = {"": 0} | {status.value: rank for rank, status in enumerate(WhatsAppDelivery, 1)}
UNKNOWN_TYPE = (
    "[A WhatsApp message of type “{kind}” that Loket cannot show. "
    "Ask the requester to send it as text or as a photo.]"
)


# --- the webhook's part: store and queue ----------------------------------------------------------


def store_webhook(body: bytes, *, now: datetime) -> list[int]:
    """Store every new item of a signed webhook body and queue their processing, atomically;
    an item seen before (a retry of the same delivery) is skipped. The new records' ids."""
    # Only what was sent to our number: another number on the same Meta app is not ours.
    ours = settings.LOKET_WHATSAPP_PHONE_NUMBER_ID
    found = [item for item in items(body) if item.source == ours]
    with transaction.atomic():
        stored = [pk for item in found if (pk := store_item(item, now)) is not None]
        if stored:
            process_items.enqueue(stored)
    return stored


def store_item(item: Item, now: datetime) -> int | None:
    try:
        with transaction.atomic():
            record = InboundRecord.objects.create(
                channel=Channel.WHATSAPP, source=item.source or "whatsapp", key=item.key,
                raw=InboundRecord.pack(item.raw), raw_size=len(item.raw),
                sender=item.sender[:254], received_at=now,
            )  # fmt: skip
    except IntegrityError:
        return None
    return record.pk


def store_unreadable(body: bytes, reason: str, *, now: datetime) -> None:
    """A signed body that is not what Meta documents: kept in the quarantine, not dropped."""
    key = "body:" + hashlib.sha256(body).hexdigest()
    with transaction.atomic():
        InboundRecord.objects.get_or_create(
            source="whatsapp", key=key,
            defaults={"channel": Channel.WHATSAPP, "raw": InboundRecord.pack(body),
                      "raw_size": len(body), "status": InboundStatus.QUARANTINED,
                      "reason": reason[:2000], "received_at": now, "processed_at": now},
        )  # fmt: skip


# --- the worker's part --------------------------------------------------------------------------


@task()
def process_items(record_ids: list[int]) -> str:
    now = timezone.now()
    done = [process(record, now=now) for record in waiting().filter(pk__in=record_ids)]
    return ", ".join(done)


def process_forgotten(now: datetime) -> int:
    """Housekeeping: items whose task never ran, and statuses or media still waiting."""
    forgotten = waiting().filter(received_at__lte=now - FORGOTTEN_AFTER).order_by("received_at")
    # Customers' messages first: statuses that wait for a send of ours (or for an hour, when
    # another app on the number sent it) must not crowd them out of a pass.
    messages = forgotten.filter(key__startswith="wamid:")[:500]
    statuses = forgotten.filter(key__startswith="status:")[:500]
    return sum(process(record, now=now) != "waiting" for record in [*messages, *statuses])


def waiting() -> QuerySet[InboundRecord]:
    return InboundRecord.objects.filter(channel=Channel.WHATSAPP, status=InboundStatus.RECEIVED)


def process(record: InboundRecord, *, now: datetime) -> str:
    try:
        item = read_item(record.raw_bytes())
        if isinstance(item, DeliveryStatus):
            return record_status(record, item, now)
        return process_message(record, item, now)
    except Exception as error:
        logger.exception("WhatsApp item %s could not be processed", record.pk)
        settle(record, InboundStatus.QUARANTINED, f"could not be processed: {error}", now)
        return "quarantined"


def process_message(record: InboundRecord, item: ChatMessage, now: datetime) -> str:
    if item.kind in NOISE_TYPES:
        settle(record, InboundStatus.IGNORED, f"a WhatsApp {item.kind}, not a message", now)
        return "ignored"
    number = normalise(item.sender, settings.LOKET_PHONE_REGION)
    if number is None:
        settle(record, InboundStatus.QUARANTINED, f"not a phone number: {item.sender!r}", now)
        return "quarantined"
    try:
        attachments, notes = fetched_media(item.media)
    except whatsapp.GraphError as error:
        if not error.permanent and now - record.received_at < MEDIA_PATIENCE:
            InboundRecord.objects.filter(pk=record.pk).update(reason=f"media: {error}"[:2000])
            return "waiting"
        attachments, notes = (), [f"[The {item.kind} could not be fetched from WhatsApp: {error}]"]
    record.sender = number
    message = InboundMessage(
        channel=Channel.WHATSAPP, sender_address=number, sender_name=item.name or number,
        subject="", text=compose(item, notes), received_at=item.sent_at or record.received_at,
        attachments=attachments, external_id=item.wamid[:300],
    )  # fmt: skip
    return receive(message, now=now, record=record).outcome


def compose(item: ChatMessage, notes: list[str]) -> str:
    text = item.text.strip()
    readable = item.kind in READABLE_TYPES and (item.kind not in MEDIA_TYPES or item.media)
    if not readable:
        text = UNKNOWN_TYPE.format(kind=item.kind or "?")
    elif not text and item.media is not None:
        text = f"[{': '.join(filter(None, (item.media.kind, item.media.filename)))}]"
    return "\n\n".join(part for part in (text, *notes) if part) + "\n"


def fetched_media(media: Media | None) -> tuple[tuple[IncomingFile, ...], list[str]]:
    """The file, sniffed like every attachment; a note instead when it is too large."""
    if media is None:
        return (), []
    limit = int(settings.LOKET_WHATSAPP_MEDIA_MAX_BYTES)
    info = whatsapp.media_info(media.id)
    content = None if (info.size or 0) > limit else whatsapp.download(info.url, limit)
    if content is None:
        size = f"{info.size / 1_000_000:.1f} MB" if info.size else "more than the limit"
        note = f"[The {media.kind} ({size}) is larger than Loket keeps ({limit / 1_000_000:.1f} MB); ask the requester for a smaller one.]"  # noqa: E501
        return (), [note]
    name = media.filename or f"whatsapp-{media.kind}"
    return (kept_file(name, content, media.mime_type or info.mime_type),), []


def record_status(record: InboundRecord, status: DeliveryStatus, now: datetime) -> str:
    """sent / delivered / read / failed of one of our messages: an event on its ticket, and the
    furthest status on the outbox row (a failure also fails the row, for the agent to see)."""
    row = OutboxMessage.objects.filter(external_id=status.wamid).first() if status.wamid else None
    if row is None:
        if now - record.received_at < STATUS_PATIENCE:
            return "waiting"
        settle(record, InboundStatus.IGNORED, "no message of ours has this id", now)
        return "ignored"
    rank = STATUS_RANK.get(status.status, 0)
    lower = [name for name, value in STATUS_RANK.items() if value < rank]
    errors = [{"code": code, "title": title} for code, title in status.errors]
    with transaction.atomic():
        # Settled first: of two workers on the same status (its task, a housekeeping pass),
        # only the one that settles it records the event.
        reason = f"{status.status} ({row.kind})"
        if not settle(record, InboundStatus.RECORDED, reason, now, ticket_id=row.ticket_id):
            return "duplicate"
        advance = {"delivery_status": status.status}
        if status.status == "failed":
            failure = "; ".join(f"error {e['code']}: {e['title']}" for e in errors)
            advance |= {"status": OutboxStatus.FAILED, "last_error": failure[:2000]}
        OutboxMessage.objects.filter(pk=row.pk, delivery_status__in=lower).update(**advance)
        if row.ticket_id is not None:
            failed = status.status == "failed"
            at = status.at.isoformat() if status.at else None
            data = {"status": status.status, "wamid": status.wamid, "kind": row.kind,
                    "at": at, "errors": errors}  # fmt: skip
            kind = EventKind.WHATSAPP_FAILED if failed else EventKind.WHATSAPP_STATUS
            record_event(row.ticket_id, kind, data=data, now=now)
    return "recorded"


def settle(
    record: InboundRecord, status: str, reason: str, now: datetime, *, ticket_id: int | None = None
) -> int:
    return InboundRecord.objects.filter(pk=record.pk, status=InboundStatus.RECEIVED).update(
        status=status, reason=reason[:2000], processed_at=now, sender=record.sender,
        ticket_id=ticket_id,
    )  # fmt: skip
