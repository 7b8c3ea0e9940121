"""Delivery of outbox rows: the worker's task claims a row, sends it outside any transaction,
and records what happened (with an event on the ticket)."""

import json
import logging
import re
import smtplib
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone

from loket.notify import whatsapp
from loket.notify.models import OutboxMessage, OutboxStatus, UndeliverableAddress
from loket.tickets.models import Channel, EventKind
from loket.tickets.timeline import record_event

logger = logging.getLogger(__name__)

MAX_RETRY_DELAY = timedelta(hours=1)


class Undeliverable(Exception):
    """The address bounced one of our mails for good (and has not written to us since)."""


@task()
def deliver_outbox_message(outbox_id: str) -> str:
    return deliver(outbox_id, timezone.now())


def enqueue_delivery(outbox_id: UUID, run_after: datetime | None = None) -> None:
    due = deliver_outbox_message.using(run_after=run_after) if run_after else deliver_outbox_message
    due.enqueue(str(outbox_id))


def claim(outbox_id: UUID | str, now: datetime) -> OutboxMessage | None:
    """Take the row for this worker, or None if another worker has it or it is not due."""
    lease = timedelta(seconds=settings.LOKET_OUTBOX_LEASE_SECONDS)
    claimed = OutboxMessage.objects.filter(
        id=outbox_id, status=OutboxStatus.PENDING, next_attempt_at__lte=now
    ).update(status=OutboxStatus.SENDING, lease_until=now + lease, attempts=F("attempts") + 1)
    if not claimed:
        return None
    return OutboxMessage.objects.select_related("ticket").get(id=outbox_id)


def deliver(outbox_id: UUID | str, now: datetime) -> str:
    """Send one outbox row. Returns what happened, for the task result and the logs."""
    row = claim(outbox_id, now)
    if row is None:
        return "skipped"
    if UndeliverableAddress.objects.filter(address=row.to_address.lower()).exists():
        give_up(row, Undeliverable(f"{row.to_address} bounced for good; not sent"), now)
        return "failed"
    try:
        external_id = send_whatsapp(row, now) if row.channel == Channel.WHATSAPP else ""
        if row.channel != Channel.WHATSAPP:
            send_email(row)
    except Exception as error:
        logger.warning("delivery of %s to %s failed: %s", row.id, row.to_address, error)
        return record_failure(row, error, now)
    record_success(row, now, external_id)
    return "sent"


# Outbox kinds that are approved templates (sendable outside the 24-hour window).
TEMPLATE_KIND = "whatsapp_template"


def send_whatsapp(row: OutboxMessage, now: datetime) -> str:
    """A text inside the 24-hour window, a template at any time; the `wamid` Meta returns.
    The window is checked again here: a worker that was down for a day must not send what
    Meta would refuse (and charge the attempt for)."""
    if row.kind == TEMPLATE_KIND:
        template = row.headers
        parameters = [str(value) for value in json.loads(template.get("parameters") or "[]")]
        payload = whatsapp.template_payload(
            row.to_address, str(template["template"]), str(template["language"]), parameters
        )
        return whatsapp.send(payload)
    if not whatsapp.window_open(row.to_address, now):
        raise whatsapp.WindowClosed(row.to_address)
    return whatsapp.send(whatsapp.text_payload(row.to_address, row.subject, row.body))


def send_email(row: OutboxMessage) -> None:
    """Text and an HTML version of the same words (rendered from the stored text, so what was
    promised when the row was written is what is sent)."""
    headers = {"Message-ID": row.message_id, **row.headers}
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.to_address],
        headers=headers,
    )
    language = row.ticket.language if row.ticket is not None else settings.LANGUAGE_CODE
    html = render_to_string("notify/email/message.html", {"body": row.body, "language": language})
    message.attach_alternative(html, "text/html")
    with mailers.default as connection:
        connection.send_messages([message])


def is_permanent(error: Exception) -> bool:
    """The receiving server refused for good (5xx): trying again cannot help."""
    if isinstance(error, Undeliverable):
        return True
    if isinstance(error, whatsapp.GraphError):
        return error.permanent
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 500 <= error.smtp_code < 600
    return False


# Mails whose body holds a one-time secret link (ownership verification, S11).
ONE_TIME_SECRETS = frozenset({"verification_link", "satisfaction_survey"})
ONE_TIME_LINK = re.compile(r"(https?://\S+/portal/(?:verify/[^/\s]+|rate)/)\S+")


@transaction.atomic
def record_success(row: OutboxMessage, now: datetime, external_id: str = "") -> None:
    sent: dict[str, object] = {
        "status": OutboxStatus.SENT, "sent_at": now, "lease_until": None, "last_error": "",
    }  # fmt: skip
    if external_id:
        sent |= {"external_id": external_id[:128], "delivery_status": "accepted"}
    if row.kind in ONE_TIME_SECRETS:
        # The mail held a one-time link: once it is out, the outbox keeps no usable copy.
        sent |= {"body": ONE_TIME_LINK.sub(r"\g<1>[link removed once sent]", row.body)}
    OutboxMessage.objects.filter(id=row.id, status=OutboxStatus.SENDING).update(**sent)
    if row.ticket_id is not None:
        data = {"outbox": str(row.id), "kind": row.kind, "to": row.to_address}
        kind = EventKind.MAIL_SENT
        if row.channel == Channel.WHATSAPP:
            data["wamid"] = external_id
            kind = EventKind.WHATSAPP_SENT
        record_event(row.ticket_id, kind, data=data, now=now)


def record_failure(row: OutboxMessage, error: Exception, now: datetime) -> str:
    if is_permanent(error) or row.attempts >= settings.LOKET_OUTBOX_MAX_ATTEMPTS:
        give_up(row, error, now)
        return "failed"
    retry_at = now + min(timedelta(seconds=30 * 2 ** (row.attempts - 1)), MAX_RETRY_DELAY)
    OutboxMessage.objects.filter(id=row.id, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.PENDING,
        next_attempt_at=retry_at,
        lease_until=None,
        last_error=str(error)[:2000],
    )
    enqueue_delivery(row.id, run_after=retry_at)
    return "retry"


@transaction.atomic
def give_up(row: OutboxMessage, error: Exception, now: datetime) -> None:
    OutboxMessage.objects.filter(id=row.id, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.FAILED, lease_until=None, last_error=str(error)[:2000]
    )
    if row.ticket_id is not None:
        data = {
            "outbox": str(row.id), "kind": row.kind, "to": row.to_address,
            "error": str(error)[:500], "permanent": is_permanent(error),
        }  # fmt: skip
        kind = EventKind.MAIL_FAILED
        if row.channel == Channel.WHATSAPP:
            data["code"] = getattr(error, "code", None)
            kind = EventKind.WHATSAPP_FAILED
        record_event(row.ticket_id, kind, data=data, now=now)
