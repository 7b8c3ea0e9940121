"""What the API changes beyond the ticket operations: a retried POST with the same
Idempotency-Key gets the ticket the first one created, never a second one."""

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime

from django.db import IntegrityError, transaction

from loket.api.models import ApiToken, IdempotencyKey
from loket.inbound.message import InboundMessage
from loket.inbound.pipeline import receive
from loket.tickets.models import Channel, Ticket
from loket.tickets.operations import active_category


@dataclass(frozen=True)
class TicketRequest:
    subject: str
    body: str
    category_code: str
    requester_name: str
    requester_email: str
    language: str

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Opened:
    ticket: Ticket
    created: bool


class SenderBlocked(ValueError):
    """The requester's address is on the blocked list (admin)."""


class KeyReused(ValueError):
    """The Idempotency-Key was used before with a different request."""


def open_ticket_for_client(
    *, token: ApiToken, idempotency_key: str | None, request: TicketRequest, now: datetime
) -> Opened:
    active_category(request.category_code)  # an unknown category fails before any replay
    if idempotency_key is None:
        return Opened(open_from(request, now, token.label), created=True)
    fingerprint = request.fingerprint()
    try:
        with transaction.atomic():
            previous = IdempotencyKey.objects.filter(token=token, key=idempotency_key).first()
            if previous is None:
                ticket = open_from(request, now, token.label)
                IdempotencyKey.objects.create(
                    token=token, key=idempotency_key, request_hash=fingerprint, ticket=ticket,
                    created_at=now,
                )  # fmt: skip
                return Opened(ticket, created=True)
    except IntegrityError:
        # Another request with the same key won the race; answer with what it created.
        previous = IdempotencyKey.objects.get(token=token, key=idempotency_key)
    if previous.request_hash != fingerprint:
        raise KeyReused("this Idempotency-Key was already used with a different body")
    return Opened(previous.ticket, created=False)


def open_from(request: TicketRequest, now: datetime, via: str) -> Ticket:
    message = InboundMessage(
        via=via,
        channel=Channel.API,
        sender_address=request.requester_email,
        sender_name=request.requester_name,
        subject=request.subject,
        text=request.body,
        received_at=now,
        category_code=request.category_code,
        language=request.language,
    )
    ticket = receive(message, now=now).ticket
    if ticket is None:  # the API never threads, so only a blocked sender opens nothing
        raise SenderBlocked(request.requester_email)
    return ticket
