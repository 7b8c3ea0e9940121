"""The e-mail outbox: rows written in the transaction of the change that caused them, handed to
the delivery queue once that transaction commits, and taken back when a worker lost them."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from django.db import transaction

from loket.notify.delivery import enqueue_delivery
from loket.notify.models import OutboxMessage, OutboxStatus
from loket.policy.connected import whatsapp_connected
from loket.tickets.models import Channel, EventKind, Ticket
from loket.tickets.timeline import record_event

# A pending row this old whose delivery task never ran (enqueue failed, queue pruned) is
# handed to the queue again by the housekeeping pass.
FORGOTTEN_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class EmailContent:
    """What a mail says, rendered when the change happens (see docs/decisions.md)."""

    subject: str
    body: str
    headers: dict[str, str] = field(default_factory=dict)


def queue_email(
    *,
    ticket: Ticket | None,
    kind: str,
    to_address: str,
    content: EmailContent,
    now: datetime,
    channel: str = Channel.EMAIL,
) -> OutboxMessage:
    """Write an outbox row; call inside the transaction of the change that caused it."""
    row = OutboxMessage.objects.create(
        ticket=ticket,
        kind=kind,
        channel=channel,
        to_address=to_address,
        subject=content.subject,
        body=content.body,
        headers=content.headers,
        next_attempt_at=now,
        created_at=now,
    )
    transaction.on_commit(lambda: enqueue_delivery(row.id), robust=True)
    return row


@dataclass(frozen=True)
class Route:
    channel: str  # email | whatsapp
    address: str


def requester_route(ticket: Ticket) -> Route | None:
    """Where Loket answers the requester: on WhatsApp for a WhatsApp ticket (and for a phone
    caller who left only a number), else by e-mail; None when there is no way at all."""
    phone_first = ticket.channel == Channel.WHATSAPP or not ticket.requester_email
    if ticket.requester_phone and phone_first and whatsapp_connected():
        return Route(Channel.WHATSAPP, ticket.requester_phone)
    if ticket.requester_email:
        return Route(Channel.EMAIL, ticket.requester_email)
    return None


def queue_for_requester(
    ticket: Ticket, kind: str, content: EmailContent, now: datetime
) -> OutboxMessage | None:
    """To the requester's own address or number on the ticket, never another; a ticket with
    neither (a call from a withheld number) records that nobody could be told."""
    route = requester_route(ticket)
    if route is None:
        record_event(ticket.pk, EventKind.NO_WAY_TO_ANSWER, data={"kind": kind}, now=now)
        return None
    return queue_email(
        ticket=ticket, kind=kind, to_address=route.address, content=content, now=now,
        channel=route.channel,
    )  # fmt: skip


def recover_outbox(now: datetime) -> int:
    """Hand back to the queue what a dead worker held or what never reached the queue.

    Safe with many workers at once: each row is taken back with a conditional UPDATE, and a
    delivery task for a row that another worker already sent does nothing.
    """
    stale = OutboxMessage.objects.filter(status=OutboxStatus.SENDING, lease_until__lt=now)
    forgotten = OutboxMessage.objects.filter(
        status=OutboxStatus.PENDING, next_attempt_at__lte=now - FORGOTTEN_AFTER
    )
    columns = ("id", "status", "next_attempt_at")
    candidates = [*stale.values_list(*columns), *forgotten.values_list(*columns)]
    return sum(take_back(*candidate, now=now) for candidate in candidates)


def take_back(outbox_id: UUID, status: str, next_attempt_at: datetime, *, now: datetime) -> int:
    taken = OutboxMessage.objects.filter(
        id=outbox_id, status=status, next_attempt_at=next_attempt_at
    ).update(status=OutboxStatus.PENDING, lease_until=None, next_attempt_at=now)
    if taken:
        enqueue_delivery(outbox_id)
    return taken
