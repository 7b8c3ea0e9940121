"""Reads for pages and the API: nouns, no writes."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Case, Count, F, Prefetch, QuerySet, Value, When

from loket.notify import whatsapp
from loket.notify.outbox import requester_route
from loket.policy.document import WhatsAppTemplate
from loket.policy.queries import document_of
from loket.sla.queries import with_nearest_deadline
from loket.tickets.models import (
    ACTIVE_STATUSES,
    Attachment,
    Channel,
    Event,
    EventKind,
    Message,
    MessageKind,
    Ticket,
)
from loket.triage.checklist import ChecklistItem, checklist, invoice_on_file, listed
from loket.triage.evidence import steps_described
from loket.triage.refunds import RefundProposal, propose_refund

# Among tickets due at the same instant (all of a weekend's arrivals start on Monday 09:00),
# the category's priority in the policy decides: account_security is high (S13).
PRIORITY_RANK = Case(
    When(category__priority="urgent", then=Value(0)),
    When(category__priority="high", then=Value(1)),
    When(category__priority="low", then=Value(3)),
    default=Value(2),
)


def open_queue() -> QuerySet[Ticket]:
    """Tickets still to be worked: breached ones first (longest overdue first), then by the
    nearest running deadline, high priority first among equals, then those with no running
    clock, oldest first."""
    tickets = Ticket.objects.filter(status__in=ACTIVE_STATUSES)
    return (
        with_nearest_deadline(tickets)
        .select_related("category", "assignee")
        .prefetch_related("clocks")
        .alias(priority_rank=PRIORITY_RANK)
        .order_by(
            F("oldest_breach").asc(nulls_last=True),
            F("nearest_deadline").asc(nulls_last=True),
            "priority_rank",
            "created_at",
            "id",
        )
    )


def triage_decisions(ticket: Ticket) -> list[dict[str, object]]:
    """What triage made of each of the requester's messages (their `triaged` events), oldest
    first: the opening message's, then one per reply (marked `reply`)."""
    events = ticket.events.filter(kind=EventKind.TRIAGED).order_by("created_at", "id")
    return [dict(event.data) for event in events]


def latest_triage(ticket: Ticket) -> dict[str, object] | None:
    """What triage made of the ticket's opening message, if anything."""
    return next((d for d in triage_decisions(ticket) if not d.get("reply")), None)


def evidence_checklist(ticket: Ticket) -> list[ChecklistItem]:
    """What the ticket's category requires (S8): found in any of the requester's messages,
    verified against what billing answered then, or still missing."""
    if ticket.policy_version is None:
        return []
    decisions = triage_decisions(ticket)
    screenshots = Attachment.objects.filter(
        message__ticket=ticket, content_type__startswith="image/"
    ).exclude(message__kind=MessageKind.INTERNAL_NOTE)
    return checklist(
        document_of(ticket.policy_version),
        ticket.category_id,
        ticket.language,
        gathered_evidence(decisions),
        sender_address=ticket.requester_email,
        has_screenshot=screenshots.exists(),
        has_steps=any(steps_described(body) for body in requester_texts(ticket)),
        billing=gathered_billing(decisions),
    )


def requester_texts(ticket: Ticket) -> list[str]:
    """The requester's own words, first messages first (a few are enough to judge)."""
    words = ticket.messages.filter(kind=MessageKind.REQUESTER).order_by("id")
    return list(words.values_list("body", flat=True)[:10])


# Evidence that may name several things; the others take the latest message's word.
MANY_VALUED = ("account_email", "invoice_ref", "seller_order_ref")


def gathered_evidence(decisions: list[dict[str, object]]) -> dict[str, object]:
    gathered: dict[str, object] = {}
    for decision in decisions:
        evidence = decision.get("evidence")
        for key, value in (evidence if isinstance(evidence, dict) else {}).items():
            if key in MANY_VALUED:
                values = listed(gathered.get(key)) + listed(value)
                gathered[key] = list(dict.fromkeys(values))
            else:
                gathered[key] = value
    return gathered


def gathered_billing(decisions: list[dict[str, object]]) -> dict[str, object] | None:
    """Billing's answers over all messages; unavailable only if it never answered."""
    answers = [d["billing"] for d in decisions if isinstance(d.get("billing"), dict)]
    if not answers:
        return None
    merged: dict[str, object] = {"available": False, "accounts": {}, "invoices": {}}
    for answer in answers:
        assert isinstance(answer, dict)
        if answer.get("available"):
            merged["available"] = True
            for key in ("accounts", "invoices"):
                found = merged[key]
                assert isinstance(found, dict)
                found.update(answer.get(key) or {})
        else:
            merged.setdefault("error", answer.get("error", ""))
    return merged


# The categories whose tickets may end in a refund of the subscription (S12).
REFUND_CATEGORIES = ("refund", "billing_dispute")


def refund_proposal(ticket: Ticket, language: str) -> RefundProposal | None:
    """For a refund or billing dispute: the policy's reason and window, from the opening
    message; None for other categories."""
    if ticket.category_id not in REFUND_CATEGORIES or ticket.policy_version is None:
        return None
    texts = [ticket.subject, *requester_texts(ticket)]
    decisions = triage_decisions(ticket)
    evidence = gathered_evidence(decisions)
    document = document_of(ticket.policy_version)
    received = ticket.created_at.astimezone(ZoneInfo(document.hours.time_zone)).date()
    invoice = invoice_on_file(evidence, gathered_billing(decisions), ticket.requester_email)
    return propose_refund(
        document, "\n".join(texts), evidence, language=language, received=received,
        invoice=invoice,
    )  # fmt: skip


def thread(ticket: Ticket, *, include_internal: bool) -> QuerySet[Message]:
    messages = ticket.messages.all()
    if not include_internal:
        messages = messages.exclude(kind=MessageKind.INTERNAL_NOTE)
    return messages.prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
    ).order_by("created_at", "id")


def review_queue(level: int) -> QuerySet[Ticket]:
    """Tickets waiting for review at this level (S11), the one that has waited longest first."""
    tickets = Ticket.objects.filter(escalation_level=level, status__in=ACTIVE_STATUSES)
    why = Event.objects.filter(kind__in=ESCALATION_EVENTS).order_by("-created_at", "-id")
    return (
        with_nearest_deadline(tickets)
        .select_related("category", "assignee", "policy_version")
        .prefetch_related("clocks", Prefetch("events", queryset=why, to_attr="escalation_events"))
        .order_by("escalated_at", "id")
    )


def review_counts() -> dict[int, int]:
    """How many tickets wait at each review level (the index `ticket_review_queue`)."""
    waiting = Ticket.objects.filter(escalation_level__gt=0, status__in=ACTIVE_STATUSES)
    rows = waiting.values_list("escalation_level").annotate(count=Count("id"))
    return dict(rows)


ESCALATION_EVENTS = (EventKind.ESCALATED, EventKind.ESCALATION_REQUESTED)


def escalation_summary(ticket: Ticket) -> str:
    """Why the ticket is in review: the requester's summary, or the reviewer's reason (from
    the events `review_queue` prefetched, else one query)."""
    events = getattr(ticket, "escalation_events", None)
    if events is None:
        events = ticket.events.filter(kind__in=ESCALATION_EVENTS).order_by("-created_at", "-id")
    event = next(iter(events), None)
    if event is None:
        return ""
    return str(event.data.get("summary") or event.data.get("reason") or "")


@dataclass(frozen=True)
class WhatsAppPanel:
    """What the console shows on a ticket answered on WhatsApp: whether a free reply can be
    sent (the 24-hour window), until or since when, and the templates that can always be."""

    number: str
    open: bool
    closes_at: datetime | None
    templates: tuple[WhatsAppTemplate, ...]


def whatsapp_panel(ticket: Ticket, now: datetime) -> WhatsAppPanel | None:
    route = requester_route(ticket)
    if route is None or route.channel != Channel.WHATSAPP or ticket.policy_version is None:
        return None
    closes_at = whatsapp.window_closes_at(route.address)
    templates = document_of(ticket.policy_version).channels.whatsapp_templates
    return WhatsAppPanel(
        route.address, closes_at is not None and now < closes_at, closes_at, templates
    )
