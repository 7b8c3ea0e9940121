"""The e-mail outbox: rows written with the change that caused them, delivered by the worker."""

import logging
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import F

from loket.notify.models import OutboxMessage, OutboxStatus
from loket.tickets.models import Event, EventKind, Ticket

logger = logging.getLogger(__name__)

MAX_RETRY_DELAY = timedelta(hours=1)
# A pending row this old whose delivery task never ran (enqueue failed, queue pruned) is
# handed to the queue again by the housekeeping pass.
FORGOTTEN_AFTER = timedelta(minutes=2)


def queue_email(
    *,
    ticket: Ticket | None,
    kind: str,
    to_address: str,
    subject: str,
    body: str,
    headers: dict[str, str],
    now: datetime,
) -> OutboxMessage:
    """Write an outbox row; call inside the transaction of the change that caused it."""
    row = OutboxMessage.objects.create(
        ticket=ticket,
        kind=kind,
        to_address=to_address,
        subject=subject,
        body=body,
        headers=headers,
        next_attempt_at=now,
        created_at=now,
    )
    transaction.on_commit(lambda: enqueue_delivery(row.id), robust=True)
    return row


def enqueue_delivery(outbox_id: UUID, run_after: datetime | None = None) -> None:
    from loket.notify.tasks import deliver_outbox_message

    task = (
        deliver_outbox_message.using(run_after=run_after) if run_after else deliver_outbox_message
    )
    task.enqueue(str(outbox_id))


def claim(outbox_id: UUID | str, now: datetime) -> OutboxMessage | None:
    """Take the row for this worker, or None if another worker has it or it is not due."""
    lease = timedelta(seconds=settings.LOKET_OUTBOX_LEASE_SECONDS)
    claimed = OutboxMessage.objects.filter(
        id=outbox_id, status=OutboxStatus.PENDING, next_attempt_at__lte=now
    ).update(status=OutboxStatus.SENDING, lease_until=now + lease, attempts=F("attempts") + 1)
    if not claimed:
        return None
    return OutboxMessage.objects.get(id=outbox_id)


def deliver(outbox_id: UUID | str, now: datetime) -> str:
    """Send one outbox row. Returns what happened, for the task result and the logs."""
    row = claim(outbox_id, now)
    if row is None:
        return "skipped"
    try:
        send_email(row)
    except Exception as error:
        logger.warning("delivery of %s to %s failed: %s", row.id, row.to_address, error)
        return record_failure(row, error, now)
    record_success(row, now)
    return "sent"


def send_email(row: OutboxMessage) -> None:
    headers = {"Message-ID": row.message_id, **row.headers}
    message = EmailMessage(
        subject=row.subject,
        body=row.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.to_address],
        headers=headers,
    )
    with mailers.default as connection:
        connection.send_messages([message])


@transaction.atomic
def record_success(row: OutboxMessage, now: datetime) -> None:
    OutboxMessage.objects.filter(id=row.id, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.SENT, sent_at=now, lease_until=None, last_error=""
    )
    if row.ticket_id is not None:
        Event.objects.create(
            ticket_id=row.ticket_id,
            kind=EventKind.MAIL_SENT,
            actor_label="Loket",
            data={"outbox": str(row.id), "kind": row.kind, "to": row.to_address},
            created_at=now,
        )


def record_failure(row: OutboxMessage, error: Exception, now: datetime) -> str:
    if row.attempts >= settings.LOKET_OUTBOX_MAX_ATTEMPTS:
        with transaction.atomic():
            OutboxMessage.objects.filter(id=row.id, status=OutboxStatus.SENDING).update(
                status=OutboxStatus.FAILED, lease_until=None, last_error=str(error)[:2000]
            )
            if row.ticket_id is not None:
                Event.objects.create(
                    ticket_id=row.ticket_id,
                    kind=EventKind.MAIL_FAILED,
                    actor_label="Loket",
                    data={"outbox": str(row.id), "kind": row.kind, "error": str(error)[:500]},
                    created_at=now,
                )
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


def recover_outbox(now: datetime) -> int:
    """Hand back to the queue what a dead worker held or what never reached the queue.

    Safe with many workers at once: each row is taken back with a conditional UPDATE, and a
    delivery task for a row that another worker already sent does nothing.
    """
    stale = OutboxMessage.objects.filter(status=OutboxStatus.SENDING, lease_until__lt=now)
    forgotten = OutboxMessage.objects.filter(
        status=OutboxStatus.PENDING, next_attempt_at__lte=now - FORGOTTEN_AFTER
    )
    requeued = 0
    columns = ("id", "status", "next_attempt_at")
    candidates = [*stale.values_list(*columns), *forgotten.values_list(*columns)]
    for outbox_id, status, next_attempt_at in candidates:
        taken = OutboxMessage.objects.filter(
            id=outbox_id, status=status, next_attempt_at=next_attempt_at
        ).update(status=OutboxStatus.PENDING, lease_until=None, next_attempt_at=now)
        if taken:
            enqueue_delivery(outbox_id)
            requeued += taken
    return requeued
