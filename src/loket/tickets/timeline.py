"""The timeline: the one writer of a ticket's `Event` rows and of the messages they record.

Every change calls it inside its own transaction, so the change and its event commit together.
"""

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.files.base import ContentFile

from loket.tickets.models import Attachment, Event, Message, ScanStatus, SearchEntry, Ticket
from loket.tickets.searchtext import index_terms
from loket.tickets.sniffing import IncomingFile

type Agent = AbstractBaseUser | AnonymousUser

SYSTEM = "Loket"


@dataclass(frozen=True)
class NewEvent:
    """An event Loket itself records (SLA points, mail delivery), written in bulk."""

    ticket_id: int
    kind: str
    data: dict[str, object]


def record_event(
    ticket_id: int,
    kind: str,
    *,
    actor: Agent | None = None,
    actor_label: str | None = None,
    data: Mapping[str, object],
    now: datetime,
) -> Event:
    return Event.objects.create(
        ticket_id=ticket_id,
        kind=kind,
        actor=stored_user(actor),
        actor_label=display_name(actor) if actor_label is None else actor_label,
        data=dict(data),
        created_at=now,
    )


def record_events(events: Iterable[NewEvent], now: datetime) -> None:
    Event.objects.bulk_create(
        [
            Event(
                ticket_id=event.ticket_id,
                kind=event.kind,
                actor_label=SYSTEM,
                data=event.data,
                created_at=now,
            )
            for event in events
        ],
        batch_size=1000,
    )


@dataclass(frozen=True)
class Provenance:
    """Where a requester's message came from, beyond its text: the channel's id for it, the
    HTML it was written in (sanitised), and why its sender could not be trusted."""

    external_id: str = ""
    html: str = ""
    sender_warnings: tuple[str, ...] = ()
    redactions: int = 0


NO_PROVENANCE = Provenance()


@dataclass(frozen=True)
class NewMessage:
    kind: str
    channel: str
    body: str
    author: Agent | None = None
    author_name: str = ""
    attachments: Sequence[IncomingFile] = ()
    provenance: Provenance = field(default_factory=Provenance)


def record_message(
    ticket: Ticket,
    message: NewMessage,
    *,
    event_kind: str,
    data: Mapping[str, object] | None = None,
    now: datetime,
) -> Message:
    """Add the message, save the ticket as changed now, and record the event that says so."""
    stored = add_message(ticket, message, now=now)
    touch(ticket, now)
    record_event(
        ticket.pk,
        event_kind,
        actor=message.author,
        actor_label=message.author_name or display_name(message.author),
        data={"message": stored.pk, **(data or {})},
        now=now,
    )
    return stored


def add_message(ticket: Ticket, message: NewMessage, *, now: datetime) -> Message:
    stored = Message.objects.create(
        ticket=ticket,
        kind=message.kind,
        channel=message.channel,
        author=stored_user(message.author),
        author_name=message.author_name or display_name(message.author),
        body=message.body,
        html=message.provenance.html,
        external_id=message.provenance.external_id[:300],
        sender_warnings=list(message.provenance.sender_warnings),
        redactions=message.provenance.redactions,
        created_at=now,
    )
    SearchEntry.objects.create(ticket=ticket, message=stored, terms=index_terms(message.body))
    # With a virus scanner configured, files wait in quarantine (loket.tickets.quarantine).
    scan_status = ScanStatus.PENDING if settings.LOKET_CLAMD_SOCKET else ScanStatus.UNSCANNED
    for incoming in message.attachments:
        attachment = Attachment(
            message=stored,
            filename=incoming.filename,
            content_type=incoming.content_type,
            size=len(incoming.content),
            sha256=hashlib.sha256(incoming.content).hexdigest(),
            scan_status=scan_status,
        )
        # Stored under a random name (models.storage_name); `filename` is only shown.
        attachment.file.save(incoming.filename, ContentFile(incoming.content), save=False)
        attachment.save()
    return stored


def index_subject(ticket: Ticket) -> None:
    """The subject joins the search index (the messages join it as they are added)."""
    SearchEntry.objects.create(ticket=ticket, terms=index_terms(ticket.subject))


def touch(ticket: Ticket, now: datetime) -> None:
    ticket.updated_at = now
    ticket.save()


def stored_user(user: Agent | None) -> User | None:
    """The account to link a change to; anonymous and API actors have none."""
    return user if isinstance(user, User) and user.is_authenticated else None


def display_name(user: Agent | None) -> str:
    if user is None or not user.is_authenticated:
        return SYSTEM
    full_name = getattr(user, "get_full_name", lambda: "")()
    return str(full_name or user.get_username())
