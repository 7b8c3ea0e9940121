"""Phone calls an agent logs from the console (POLICY.md S6: "phone calls are logged by agents
as tickets or messages", channel `phone`): a call opens a ticket, or is recorded on one.

The summary is the agent's words for what the caller said: on a new ticket it is the request
(the first message, which the requester sees in the portal); on an existing ticket it is an
internal note on the phone channel, since the caller never read it. Secrets the caller read out
are removed like on every channel (S13). A call the agent answered there and then is a human's
first response: the first-response clock stops (the SLA clock semantics of POLICY.md).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from loket.inbound.text import one_line
from loket.sla import operations as sla
from loket.tickets.models import Channel, EventKind, Message, MessageKind, Status, Ticket
from loket.tickets.operations import lock, open_ticket
from loket.tickets.phones import is_valid, normalise
from loket.tickets.timeline import (
    Agent,
    NewMessage,
    Provenance,
    record_event,
    record_message,
)
from loket.triage.redaction import redact

SUBJECT_LENGTH = 120


class ImpossibleNumber(ValueError):
    """The agent typed something no phone could have: the message says so, for the agent."""


@dataclass(frozen=True)
class Call:
    number: str  # as the agent typed it; "" when the caller withheld it
    direction: str  # CallDirection
    duration: timedelta
    summary: str
    answered: bool  # the agent answered the caller's question on the call


def caller_number(text: str) -> str:
    """E.164 ("0812-3456-7890" -> "+6281234567890"), "" for no number at all."""
    if not text.strip():
        return ""
    number = normalise(text, settings.LOKET_PHONE_REGION)
    if number is None or not is_valid(number):
        message = _("%(number)s is not a phone number: check the digits and the country code.")
        raise ImpossibleNumber(message % {"number": one_line(text)[:40]})
    return number


def log_call_as_new_ticket(
    *,
    call: Call,
    requester_name: str,
    requester_email: str,
    category_code: str,
    language: str,
    agent: Agent,
    now: datetime,
) -> Ticket:
    """A call opens a ticket on the phone channel, acknowledged on the requester's own
    address or number (e-mail, or WhatsApp for a number alone) when one is known."""
    number = caller_number(call.number)
    summary = redact(call.summary, language)
    with transaction.atomic():
        ticket = open_ticket(
            subject=subject_of(summary.text), body=summary.text, category_code=category_code,
            requester_name=one_line(requester_name)[:200], requester_email=requester_email,
            requester_phone=number, language=language, channel=Channel.PHONE,
            provenance=Provenance(redactions=summary.count), opened_by=agent,
            answered_by_phone=call.answered, now=now,
        )  # fmt: skip
        first = ticket.messages.get()
        record_event(
            ticket.pk, EventKind.CALL_LOGGED, actor=agent,
            data=call_data(call, number, first.pk, new_ticket=True), now=now,
        )  # fmt: skip
    return ticket


def log_call_on_ticket(*, ticket: Ticket, call: Call, agent: Agent, now: datetime) -> Message:
    """A call about an existing ticket: its summary as an internal note on the phone channel.
    The caller's number joins a ticket that had none, so answers can reach them."""
    number = caller_number(call.number)
    summary = redact(call.summary, ticket.language)
    with transaction.atomic():
        ticket = lock(ticket)
        if number and not ticket.requester_phone:
            ticket.requester_phone = number
        ticket.redactions += summary.count
        data = call_data(call, number, None, new_ticket=False)
        if call.answered:
            sla.answered_by_phone(ticket, now)
        if call.answered and ticket.status == Status.NEW:
            # Like an agent's public reply: a new ticket that has its answer is open.
            ticket.status = Status.OPEN
            sla.status_changed(ticket, Status.NEW, Status.OPEN, now)
            data["status"] = {"from": Status.NEW, "to": Status.OPEN}
        note = NewMessage(
            MessageKind.INTERNAL_NOTE, Channel.PHONE, summary.text, agent,
            provenance=Provenance(redactions=summary.count),
        )  # fmt: skip
        return record_message(ticket, note, event_kind=EventKind.CALL_LOGGED, data=data, now=now)


def call_data(
    call: Call, number: str, message_id: int | None, *, new_ticket: bool
) -> dict[str, object]:
    data: dict[str, object] = {
        "direction": call.direction,
        "duration_seconds": int(call.duration.total_seconds()),
        "number": number,
        "answered": call.answered,
        "new_ticket": new_ticket,
    }
    if message_id is not None:
        data["message"] = message_id
    return data


def subject_of(summary: str) -> str:
    """The summary's first line, shortened: a call has no subject of its own."""
    first = one_line(summary.strip().splitlines()[0] if summary.strip() else "")
    if len(first) <= SUBJECT_LENGTH:
        return first
    return first[: SUBJECT_LENGTH - 1].rstrip() + "…"
