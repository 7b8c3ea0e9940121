"""The outbox: rows written in the transaction of the change that caused them. The rows are the
worker's queue (loket.notify.delivery); a row a dead worker held is taken back here."""

from dataclasses import dataclass, field
from datetime import datetime

from loket.notify.models import OutboxMessage, OutboxStatus
from loket.policy.connected import whatsapp_connected
from loket.tickets.models import Channel, EventKind, Ticket
from loket.tickets.timeline import record_event


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
    """Write an outbox row; call inside the transaction of the change that caused it. A worker
    sends it once that transaction has committed (it is not visible before)."""
    return OutboxMessage.objects.create(
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
    """Hand back to the queue what a dead worker held: rows still `sending` after their lease.

    Safe with many workers at once: the UPDATE is conditional, so a row is taken back once,
    and a row another worker has meanwhile sent is no longer `sending`.
    """
    return OutboxMessage.objects.filter(status=OutboxStatus.SENDING, lease_until__lt=now).update(
        status=OutboxStatus.PENDING, lease_until=None, next_attempt_at=now
    )
