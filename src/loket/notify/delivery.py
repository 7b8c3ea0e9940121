"""Delivery of outbox rows. The outbox is the worker's queue: a worker claims the due rows
in batches with a conditional UPDATE (SKIP LOCKED on PostgreSQL), sends them outside any
transaction - the mails of a batch over one SMTP connection - and records what happened, with
an event on each ticket, in one transaction per batch."""

import json
import logging
import re
import smtplib
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import F, QuerySet
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone

from loket.notify import whatsapp
from loket.notify.models import OutboxMessage, OutboxStatus, UndeliverableAddress
from loket.tickets.models import Channel, EventKind
from loket.tickets.timeline import NewEvent, record_events

logger = logging.getLogger(__name__)

MAX_RETRY_DELAY = timedelta(hours=1)


class Undeliverable(Exception):
    """The address bounced one of our mails for good (and has not written to us since)."""


class NotSentInTime(Exception):
    """Not sent: the batch used half its lease, so the rest goes back to the queue rather than
    risk a send after the lease ended, when another worker may take the row back."""


@task()
def deliver_outbox_message(outbox_id: str) -> str:
    """Delivery tasks queued by versions before the outbox became the queue: still run after
    an upgrade, they send their row like any batch would (or find it sent already)."""
    return deliver(outbox_id, timezone.now())


def lease(now: datetime) -> datetime:
    return now + timedelta(seconds=settings.LOKET_OUTBOX_LEASE_SECONDS)


def claim(outbox_id: UUID | str, now: datetime) -> OutboxMessage | None:
    """Take one row for this worker, or None if another worker has it or it is not due."""
    claimed = OutboxMessage.objects.filter(
        id=outbox_id, status=OutboxStatus.PENDING, next_attempt_at__lte=now
    ).update(status=OutboxStatus.SENDING, lease_until=lease(now), attempts=F("attempts") + 1)
    if not claimed:
        return None
    return OutboxMessage.objects.select_related("ticket").get(id=outbox_id)


def claim_due(now: datetime, limit: int) -> list[OutboxMessage]:
    """Take up to `limit` due rows, oldest first, in one short transaction. Several workers
    never get the same row: on PostgreSQL each skips the rows another has locked, on SQLite
    the transaction holds the single write lock; and the UPDATE is conditional either way."""
    with transaction.atomic():
        due = OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
        ids = list(
            due.order_by("next_attempt_at")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:limit]
        )
        if not ids:
            return []
        OutboxMessage.objects.filter(id__in=ids, status=OutboxStatus.PENDING).update(
            status=OutboxStatus.SENDING, lease_until=lease(now), attempts=F("attempts") + 1
        )
        rows = OutboxMessage.objects.select_related("ticket").filter(id__in=ids)
        return sorted(rows, key=lambda row: (row.next_attempt_at, row.created_at))


def deliver(outbox_id: UUID | str, now: datetime) -> str:
    """Send one outbox row. Returns what happened, for the task result and the logs."""
    row = claim(outbox_id, now)
    if row is None:
        return "skipped"
    [outcome] = send_and_record([row], now)
    return outcome


def deliver_due(now: datetime, limit: int | None = None) -> list[str]:
    """One batch: claim what is due, send it, record it. Returns each row's outcome (empty
    when nothing was due)."""
    rows = claim_due(now, limit or settings.LOKET_OUTBOX_BATCH)
    return send_and_record(rows, now) if rows else []


class Budget:
    """The time a batch may spend sending, measured on this process's own clock (the `now`
    of the batch may be any instant)."""

    def __init__(self, seconds: float) -> None:
        self.ends = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() >= self.ends:
            raise NotSentInTime


class Result:
    """What sending one row came to: sent (with the channel's id for it) or an error."""

    __slots__ = ("error", "external_id", "row")

    def __init__(
        self, row: OutboxMessage, *, external_id: str = "", error: Exception | None = None
    ) -> None:
        self.row = row
        self.external_id = external_id
        self.error = error


def send_and_record(rows: Sequence[OutboxMessage], now: datetime) -> list[str]:
    """Send claimed rows outside any transaction, then record every result at once."""
    budget = Budget(settings.LOKET_OUTBOX_LEASE_SECONDS / 2)
    undeliverable = set(
        UndeliverableAddress.objects.filter(
            address__in={row.to_address.lower() for row in rows}
        ).values_list("address", flat=True)
    )
    results: dict[UUID, Result] = {}
    for row in rows:
        if row.to_address.lower() in undeliverable:
            bounced = Undeliverable(f"{row.to_address} bounced for good; not sent")
            results[row.id] = Result(row, error=bounced)
    for row in rows:
        if row.channel == Channel.WHATSAPP and row.id not in results:
            try:
                budget.check()
                results[row.id] = Result(row, external_id=send_whatsapp(row, now))
            except NotSentInTime as late:
                results[row.id] = Result(row, error=late)
            except Exception as error:
                logger.warning("delivery of %s to %s failed: %s", row.id, row.to_address, error)
                results[row.id] = Result(row, error=error)
    mails = [row for row in rows if row.id not in results]
    for row, outcome in zip(mails, send_emails(mails, budget), strict=True):
        results[row.id] = Result(row, error=outcome)
    return record([results[row.id] for row in rows], now)


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


def email_of(row: OutboxMessage) -> EmailMultiAlternatives:
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
    return message


def send_emails(rows: Sequence[OutboxMessage], budget: Budget) -> list[Exception | None]:
    """Each row's error, or None when the server took it: all over one connection, opened
    again after a failure (which may have been the connection's)."""
    errors: list[Exception | None] = []
    connection = None
    try:
        for row in rows:
            try:
                budget.check()
                if connection is None:
                    connection = mailers.default
                    connection.open()
                connection.send_messages([email_of(row)])
            except NotSentInTime as late:
                errors.append(late)
            except Exception as error:
                logger.warning("delivery of %s to %s failed: %s", row.id, row.to_address, error)
                errors.append(error)
                close_quietly(connection)
                connection = None
            else:
                errors.append(None)
    finally:
        close_quietly(connection)
    return errors


def close_quietly(connection: object) -> None:
    if connection is None:
        return
    try:
        connection.close()  # type: ignore[attr-defined]
    except Exception:  # a connection that failed may fail to close too; it is dropped
        logger.debug("closing the SMTP connection failed", exc_info=True)


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
def record(results: Sequence[Result], now: datetime) -> list[str]:
    """Every result of a batch in one transaction: the rows' new states and their events."""
    outcomes = []
    events = []
    plain_sent: list[OutboxMessage] = []
    for result in results:
        row = result.row
        if result.error is None:
            outcome = "sent"
            if result.external_id or row.kind in ONE_TIME_SECRETS:
                mark_sent(row, now, result.external_id)
            else:
                plain_sent.append(row)
        elif isinstance(result.error, NotSentInTime):
            outcome = "released"
            ours(row).update(
                status=OutboxStatus.PENDING, lease_until=None, attempts=F("attempts") - 1
            )
        else:
            outcome = record_failure(row, result.error, now)
        outcomes.append(outcome)
        if row.ticket_id is not None and outcome in ("sent", "failed"):
            events.append(event_of(result, outcome))
    for lease_until, ids in group_by_lease(plain_sent).items():
        OutboxMessage.objects.filter(
            id__in=ids, status=OutboxStatus.SENDING, lease_until=lease_until
        ).update(status=OutboxStatus.SENT, sent_at=now, lease_until=None, last_error="")
    record_events(events, now)
    return outcomes


def ours(row: OutboxMessage) -> QuerySet[OutboxMessage]:
    """The row as long as this worker's claim holds: still `sending`, under the same lease
    (after a lease ended and another worker took the row, nothing here may change it)."""
    return OutboxMessage.objects.filter(
        id=row.id, status=OutboxStatus.SENDING, lease_until=row.lease_until
    )


def group_by_lease(rows: Sequence[OutboxMessage]) -> dict[datetime | None, list[UUID]]:
    groups: dict[datetime | None, list[UUID]] = {}
    for row in rows:
        groups.setdefault(row.lease_until, []).append(row.id)
    return groups


def mark_sent(row: OutboxMessage, now: datetime, external_id: str) -> None:
    sent: dict[str, object] = {
        "status": OutboxStatus.SENT, "sent_at": now, "lease_until": None, "last_error": "",
    }  # fmt: skip
    if external_id:
        sent |= {"external_id": external_id[:128], "delivery_status": "accepted"}
    if row.kind in ONE_TIME_SECRETS:
        # The mail held a one-time link: once it is out, the outbox keeps no usable copy.
        sent |= {"body": ONE_TIME_LINK.sub(r"\g<1>[link removed once sent]", row.body)}
    ours(row).update(**sent)


def event_of(result: Result, outcome: str) -> NewEvent:
    row = result.row
    assert row.ticket_id is not None
    whatsapp_row = row.channel == Channel.WHATSAPP
    data: dict[str, object] = {"outbox": str(row.id), "kind": row.kind, "to": row.to_address}
    if outcome == "sent":
        if whatsapp_row:
            data["wamid"] = result.external_id
        return NewEvent(
            row.ticket_id, EventKind.WHATSAPP_SENT if whatsapp_row else EventKind.MAIL_SENT, data
        )
    error = result.error
    assert error is not None
    data |= {"error": str(error)[:500], "permanent": is_permanent(error)}
    if whatsapp_row:
        data["code"] = getattr(error, "code", None)
    return NewEvent(
        row.ticket_id, EventKind.WHATSAPP_FAILED if whatsapp_row else EventKind.MAIL_FAILED, data
    )


def record_failure(row: OutboxMessage, error: Exception, now: datetime) -> str:
    """Given up (`failed`) when the refusal is permanent or the attempts are spent, else due
    again after a back-off (`retry`): the worker takes it up when that time comes."""
    if is_permanent(error) or row.attempts >= settings.LOKET_OUTBOX_MAX_ATTEMPTS:
        ours(row).update(status=OutboxStatus.FAILED, lease_until=None, last_error=str(error)[:2000])
        return "failed"
    retry_at = now + min(timedelta(seconds=30 * 2 ** (row.attempts - 1)), MAX_RETRY_DELAY)
    ours(row).update(
        status=OutboxStatus.PENDING,
        next_attempt_at=retry_at,
        lease_until=None,
        last_error=str(error)[:2000],
    )
    return "retry"
