"""Merge a duplicate into another ticket, and split a message off into a ticket of its own
(issue 12, part 5). Each is one transaction with its events and the requester's mail."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy

from loket.notify import content
from loket.sla import operations as sla
from loket.sla.models import ClockKind, ClockStatus
from loket.tickets.models import (
    Channel,
    Event,
    EventKind,
    Message,
    MessageKind,
    RefundDecision,
    SatisfactionSurvey,
    SearchEntry,
    Status,
    Ticket,
)
from loket.tickets.operations import lock, mail_requester, new_ticket_and_clocks
from loket.tickets.timeline import Agent, record_event, touch

# A chain of merges is followed this far (A into B, B into C ...).
MAX_HOPS = 5


class MergeRefused(ValueError):
    """Why these two tickets cannot be merged (in the agent's language)."""


def surviving(ticket: Ticket) -> Ticket:
    """The ticket a merged reference leads to (itself when it was never merged)."""
    for _hop in range(MAX_HOPS):
        if ticket.merged_into_id is None:
            return ticket
        ticket = Ticket.objects.select_related("category", "assignee").get(pk=ticket.merged_into_id)
    return ticket


def same_requester(a: Ticket, b: Ticket) -> bool:
    """Every identifier both tickets have agrees, and at least one is shared."""
    emails = (a.requester_email.lower(), b.requester_email.lower())
    phones = (a.requester_phone, b.requester_phone)
    if all(emails) and emails[0] != emails[1]:
        return False
    if all(phones) and phones[0] != phones[1]:
        return False
    return (all(emails) and emails[0] == emails[1]) or (all(phones) and phones[0] == phones[1])


# Tickets whose portal link was shown on screen to whoever submitted them, with an address
# nobody proved: merging another ticket into one would show its messages to that person.
UNPROVEN_CHANNELS = (Channel.WEB, Channel.API)


def refusal(source: Ticket, target: Ticket) -> MergeRefused | None:
    if source.pk == target.pk:
        return MergeRefused(gettext_lazy("A ticket cannot be merged into itself."))
    if source.merged_into_id or target.merged_into_id:
        return MergeRefused(gettext_lazy("One of the tickets was already merged into another."))
    if not same_requester(source, target):
        return MergeRefused(
            gettext_lazy(
                "The tickets have different requesters: merging would show one person's "
                "messages to the other."
            )
        )
    if target.channel in UNPROVEN_CHANNELS:
        return MergeRefused(
            gettext_lazy(
                "A ticket opened through the contact form or the API cannot take in another: "
                "whoever submitted it saw its link without proving the address. Merge it the "
                "other way round."
            )
        )
    return None


def merge_tickets(*, source: Ticket, target: Ticket, actor: Agent | None, now: datetime) -> Ticket:
    """Move the duplicate's messages, files and timeline to `target`; close the duplicate and
    let its reference lead to `target`; tell its requester the reference to use."""
    if (refused := refusal(source, target)) is not None:
        raise refused
    with transaction.atomic():
        first, second = sorted((source, target), key=lambda t: t.pk)
        locked = {t.pk: lock(t) for t in (first, second)}
        source, target = locked[source.pk], locked[target.pk]
        if (refused := refusal(source, target)) is not None:  # changed while we waited
            raise refused
        for model in (Message, SearchEntry, Event, RefundDecision, SatisfactionSurvey):
            model.objects.filter(ticket=source).update(ticket=target)
        target.redactions += source.redactions
        touch(target, now)
        previous = source.status
        source.status = Status.CLOSED
        source.merged_into = target
        sla.status_changed(source, previous, Status.CLOSED, now)
        # Its first answer, if any is still owed, is owed on the survivor now.
        sla.halt(source, ClockKind.FIRST_RESPONSE, now, ClockStatus.STOPPED)
        sla.reposition(source)
        touch(source, now)
        record_event(target.pk, EventKind.MERGED, actor=actor,
                     data={"from": source.reference, "status": previous}, now=now)  # fmt: skip
        record_event(source.pk, EventKind.MERGED_INTO, actor=actor,
                     data={"into": target.reference}, now=now)  # fmt: skip
        mail_requester(source, "merged", content.merged_notice(source, target, now=now), now)
    return target


def split_message(*, message: Message, actor: Agent | None, now: datetime) -> Ticket:
    """A requester's message about another matter becomes a ticket of its own (with its files),
    acknowledged like any new ticket, so the requester learns its reference."""
    if message.kind != MessageKind.REQUESTER:
        raise MergeRefused(gettext_lazy("Only a requester's message can be split off."))
    with transaction.atomic():
        source = lock(message.ticket)
        if source.messages.count() < 2:
            raise MergeRefused(gettext_lazy("The ticket's only message cannot be split off."))
        first_line = next((line.strip() for line in message.body.splitlines() if line.strip()), "")
        ticket, _clocks = new_ticket_and_clocks(
            subject=(first_line or source.subject)[:200], category=source.category,
            channel=source.channel, requester_name=source.requester_name,
            requester_email=source.requester_email, requester_phone=source.requester_phone,
            language=source.language, time_zone=source.time_zone,
            reply_address=source.reply_address, now=now,
        )  # fmt: skip
        Message.objects.filter(pk=message.pk).update(ticket=ticket)
        SearchEntry.objects.filter(message=message).update(ticket=ticket)
        touch(source, now)
        created = {"channel": source.channel, "category": source.category_id,
                   "message": message.pk, "split_from": source.reference}  # fmt: skip
        record_event(ticket.pk, EventKind.CREATED, actor=actor, data=created, now=now)
        record_event(source.pk, EventKind.SPLIT_OFF, actor=actor,
                     data={"message": message.pk, "to": ticket.reference}, now=now)  # fmt: skip
        mail_requester(ticket, "acknowledgement", content.acknowledgement(ticket, now=now), now)
    return ticket
