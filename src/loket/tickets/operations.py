"""Every change to a ticket: one transaction each, with its timeline Event and outbox rows."""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from loket.notify import emails
from loket.notify.operations import queue_email
from loket.policy.models import Category
from loket.policy.queries import active_policy, parsed
from loket.sla import operations as sla
from loket.tickets.models import (
    REOPENED_BY_REQUESTER,
    Attachment,
    Channel,
    Event,
    EventKind,
    Message,
    MessageKind,
    Status,
    Ticket,
)
from loket.tickets.references import make_reference

REFERENCE_ATTEMPTS = 8

type Agent = AbstractBaseUser | AnonymousUser


class TicketClosed(Exception):
    """The requester wrote to a closed ticket: they must open a new one."""


class UnknownCategory(ValueError):
    pass


@dataclass(frozen=True)
class IncomingFile:
    """An attachment already checked by intake: its type comes from its bytes, not its name."""

    filename: str
    content_type: str
    content: bytes


def open_ticket(
    *,
    subject: str,
    body: str,
    category_code: str,
    requester_name: str,
    requester_email: str,
    language: str,
    channel: str,
    attachments: Sequence[IncomingFile] = (),
    time_zone: str = "",
    now: datetime,
) -> Ticket:
    with transaction.atomic():
        category = Category.objects.filter(code=category_code, active=True).first()
        if category is None:
            raise UnknownCategory(category_code)
        ticket = Ticket.objects.create(
            subject=subject,
            category=category,
            policy_version=active_policy().version,
            channel=channel,
            requester_name=requester_name,
            requester_email=requester_email,
            language=language,
            time_zone=time_zone,
            created_at=now,
            updated_at=now,
        )
        assign_reference(ticket)
        sla.start_clocks(ticket, now)
        message = add_message(
            ticket,
            kind=MessageKind.REQUESTER,
            channel=channel,
            author=None,
            author_name=requester_name,
            body=body,
            attachments=attachments,
            now=now,
        )
        record_event(
            ticket,
            EventKind.CREATED,
            actor=None,
            actor_label=requester_name,
            data={"channel": channel, "category": category.code, "message": message.pk},
            now=now,
        )
        mail_requester(ticket, "acknowledgement", emails.acknowledgement(ticket, now=now), now)
    return ticket


def assign_reference(ticket: Ticket) -> None:
    """Derive the reference from the primary key through a keyed permutation, so references
    never collide by construction; a collision after a key change is retried with a tweak."""
    key = hashlib.sha256(settings.LOKET_REFERENCE_KEY.encode()).digest()
    for attempt in range(REFERENCE_ATTEMPTS):
        reference = make_reference(settings.LOKET_REFERENCE_PREFIX, ticket.pk, key, attempt)
        try:
            with transaction.atomic():
                Ticket.objects.filter(pk=ticket.pk).update(reference=reference)
        except IntegrityError:
            continue
        ticket.reference = reference
        return
    raise RuntimeError(f"no free reference for ticket {ticket.pk} after {REFERENCE_ATTEMPTS} tries")


def record_requester_reply(
    *,
    ticket: Ticket,
    body: str,
    channel: str,
    attachments: Sequence[IncomingFile] = (),
    now: datetime,
) -> Message:
    with transaction.atomic():
        ticket = lock(ticket)
        if ticket.status == Status.CLOSED:
            raise TicketClosed(ticket.reference)
        message = add_message(
            ticket,
            kind=MessageKind.REQUESTER,
            channel=channel,
            author=None,
            author_name=ticket.requester_name,
            body=body,
            attachments=attachments,
            now=now,
        )
        data: dict[str, object] = {"message": message.pk, "channel": channel}
        if ticket.status in REOPENED_BY_REQUESTER:
            data["reopened_from"] = ticket.status
            sla.status_changed(ticket, ticket.status, Status.OPEN, now)
            ticket.status = Status.OPEN
        touch(ticket, now)
        record_event(
            ticket,
            EventKind.REQUESTER_REPLY,
            actor=None,
            actor_label=ticket.requester_name,
            data=data,
            now=now,
        )
    return message


def record_public_reply(
    *,
    ticket: Ticket,
    author: Agent,
    body: str,
    attachments: Sequence[IncomingFile] = (),
    status_after: str | None = None,
    channel: str = Channel.CONSOLE,
    now: datetime,
) -> Message:
    with transaction.atomic():
        ticket = lock(ticket)
        message = add_message(
            ticket,
            kind=MessageKind.PUBLIC_REPLY,
            channel=channel,
            author=author,
            author_name=display_name(author),
            body=body,
            attachments=attachments,
            now=now,
        )
        previous = ticket.status
        ticket.status = status_after or (Status.OPEN if previous == Status.NEW else previous)
        sla.first_public_reply(ticket, now)
        if ticket.status != previous:
            sla.status_changed(ticket, previous, ticket.status, now)
        touch(ticket, now)
        data: dict[str, object] = {"message": message.pk}
        if ticket.status != previous:
            data["status"] = {"from": previous, "to": ticket.status}
        record_event(
            ticket,
            EventKind.PUBLIC_REPLY,
            actor=author,
            actor_label=display_name(author),
            data=data,
            now=now,
        )
        mail_requester(ticket, "public_reply", emails.public_reply(ticket, message, now=now), now)
    return message


def record_internal_note(*, ticket: Ticket, author: Agent, body: str, now: datetime) -> Message:
    with transaction.atomic():
        ticket = lock(ticket)
        message = add_message(
            ticket,
            kind=MessageKind.INTERNAL_NOTE,
            channel=Channel.CONSOLE,
            author=author,
            author_name=display_name(author),
            body=body,
            attachments=(),
            now=now,
        )
        touch(ticket, now)
        record_event(
            ticket,
            EventKind.INTERNAL_NOTE,
            actor=author,
            actor_label=display_name(author),
            data={"message": message.pk},
            now=now,
        )
    return message


def set_status(*, ticket: Ticket, status: str, actor: Agent | None, now: datetime) -> Ticket:
    if status not in Status.values:
        raise ValueError(f"unknown status {status!r}")
    with transaction.atomic():
        ticket = lock(ticket)
        if ticket.status == status:
            return ticket
        previous = ticket.status
        ticket.status = status
        sla.status_changed(ticket, previous, status, now)
        touch(ticket, now)
        record_event(
            ticket,
            EventKind.STATUS_CHANGED,
            actor=actor,
            actor_label=display_name(actor),
            data={"from": previous, "to": status},
            now=now,
        )
    return ticket


def assign(
    *, ticket: Ticket, assignee: AbstractBaseUser | None, actor: Agent | None, now: datetime
) -> Ticket:
    with transaction.atomic():
        ticket = lock(ticket)
        if ticket.assignee_id == (assignee.pk if assignee else None):
            return ticket
        ticket.assignee = assignee  # type: ignore[assignment]
        touch(ticket, now)
        record_event(
            ticket,
            EventKind.ASSIGNED,
            actor=actor,
            actor_label=display_name(actor),
            data={"assignee": display_name(assignee) if assignee else None},
            now=now,
        )
    return ticket


def mark_complex(*, ticket: Ticket, reason: str, actor: Agent | None, now: datetime) -> Ticket:
    """S10: fraud checks and third-party payment verification take longer; the requester is
    kept updated. Marking twice changes nothing."""
    version = ticket.policy_version
    assert version is not None
    reasons = parsed(version.pk, version.sha256).sla.complex_reasons
    if reason not in reasons:
        raise ValueError(f"unknown reason {reason!r}; use one of {', '.join(reasons)}")
    with transaction.atomic():
        ticket = lock(ticket)
        if ticket.complex_reason:
            return ticket
        ticket.complex_reason = reason
        sla.mark_complex(ticket, now)
        touch(ticket, now)
        record_event(
            ticket, EventKind.MARKED_COMPLEX, actor=actor, actor_label=display_name(actor),
            data={"reason": reason}, now=now,
        )  # fmt: skip
    return ticket


def recategorise(
    *, ticket: Ticket, category_code: str, actor: Agent | None, now: datetime
) -> Ticket:
    """A new category takes its targets from the policy version in force now."""
    with transaction.atomic():
        ticket = lock(ticket)
        if ticket.category_id == category_code:
            return ticket
        category = Category.objects.filter(code=category_code, active=True).first()
        if category is None:
            raise UnknownCategory(category_code)
        previous = ticket.category_id
        ticket.category = category
        ticket.policy_version = active_policy().version
        sla.recategorised(ticket, now)
        touch(ticket, now)
        record_event(
            ticket, EventKind.RECATEGORISED, actor=actor, actor_label=display_name(actor),
            data={"from": previous, "to": category_code}, now=now,
        )  # fmt: skip
    return ticket


def send_portal_link(*, ticket: Ticket, now: datetime) -> None:
    """Mail a fresh portal link to the requester's address on file (never another address)."""
    with transaction.atomic():
        mail_requester(ticket, "portal_link", emails.portal_link(ticket, now=now), now)
        record_event(
            ticket, EventKind.PORTAL_LINK_SENT, actor=None, actor_label="Loket", data={}, now=now
        )


# --- helpers shared by the operations above -------------------------------------------------


def mail_requester(ticket: Ticket, kind: str, content: emails.EmailContent, now: datetime) -> None:
    """To the address on the ticket, never another: written to the outbox in this transaction."""
    queue_email(
        ticket=ticket,
        kind=kind,
        to_address=ticket.requester_email,
        subject=content.subject,
        body=content.body,
        headers=content.headers,
        now=now,
    )


def lock(ticket: Ticket) -> Ticket:
    """Re-read the ticket under a row lock so two concurrent changes never lose one another."""
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def touch(ticket: Ticket, now: datetime) -> None:
    ticket.updated_at = now
    ticket.save()


def add_message(
    ticket: Ticket,
    *,
    kind: str,
    channel: str,
    author: Agent | None,
    author_name: str,
    body: str,
    attachments: Sequence[IncomingFile],
    now: datetime,
) -> Message:
    message = Message.objects.create(
        ticket=ticket,
        kind=kind,
        channel=channel,
        author=stored_user(author),
        author_name=author_name,
        body=body,
        created_at=now,
    )
    for incoming in attachments:
        attachment = Attachment(
            message=message,
            filename=incoming.filename,
            content_type=incoming.content_type,
            size=len(incoming.content),
            sha256=hashlib.sha256(incoming.content).hexdigest(),
        )
        attachment.file.save(incoming.filename, ContentFile(incoming.content), save=False)
        attachment.save()
    return message


def record_event(
    ticket: Ticket,
    kind: str,
    *,
    actor: Agent | None,
    actor_label: str,
    data: dict[str, object],
    now: datetime,
) -> Event:
    return Event.objects.create(
        ticket=ticket,
        kind=kind,
        actor=stored_user(actor),
        actor_label=actor_label,
        data=data,
        created_at=now,
    )


def stored_user(user: Agent | None) -> User | None:
    """The account to link a change to; anonymous and API actors have none."""
    return user if isinstance(user, User) and user.is_authenticated else None


def display_name(user: Agent | None) -> str:
    if user is None or not user.is_authenticated:
        return "Loket"
    full_name = getattr(user, "get_full_name", lambda: "")()
    return str(full_name or user.get_username())
