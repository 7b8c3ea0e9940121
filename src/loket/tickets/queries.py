"""Reads for pages and the API: nouns, no writes."""

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.db.models import BooleanField, Count, F, Prefetch, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

from loket.notify import whatsapp
from loket.notify.outbox import requester_route
from loket.policy.document import WhatsAppTemplate
from loket.policy.queries import document_of
from loket.tickets.models import (
    ACTIVE_STATUSES,
    Attachment,
    Channel,
    Event,
    EventKind,
    Message,
    MessageKind,
    QueueGroup,
    Status,
    Ticket,
)
from loket.triage.checklist import ChecklistItem, checklist, invoice_on_file, listed
from loket.triage.evidence import steps_described
from loket.triage.refunds import RefundProposal, propose_refund

# Among tickets due at the same instant (all of a weekend's arrivals start on Monday 09:00),
# the category's priority in the policy decides: account_security is high (S13).
# --- the console's queues (issue 12): keyset pages over the stored queue position ------------

QUEUE_ORDER = ("queue_group", "queue_at", "priority_rank", "id")
PAGE_SIZE = 50
# Counts stop here: beyond it "1,000+" says enough, and no count ever scans a whole table.
COUNT_CAP = 1000
FIXED_VIEWS = ("all", "mine", "unassigned", "breached", "waiting")
FILTERED_VIEWS = ("category", "language", "channel", "level")


@dataclass(frozen=True)
class Cursor:
    """A ticket's place in the queue order; a page starts after (or ends before) one."""

    group: int
    at: datetime
    rank: int
    id: int

    def encode(self) -> str:
        micros = int(self.at.timestamp() * 1_000_000)
        return f"{self.group}.{micros}.{self.rank}.{self.id}"

    @classmethod
    def decode(cls, text: str) -> "Cursor | None":
        """None for anything that is not a cursor this code wrote (a hand-edited URL)."""
        try:
            group, micros, rank, pk = (int(part) for part in text.split("."))
            at = datetime.fromtimestamp(micros / 1_000_000, tz=UTC)
        except (ValueError, OverflowError, OSError):
            return None
        return cls(group, at, rank, pk)

    @classmethod
    def of(cls, ticket: Ticket) -> "Cursor":
        assert ticket.queue_at is not None
        return cls(ticket.queue_group, ticket.queue_at, ticket.priority_rank, ticket.pk)

    def key(self) -> tuple[int, datetime, int, int]:
        return (self.group, self.at, self.rank, self.id)


@dataclass(frozen=True)
class QueuePage:
    tickets: list[Ticket]
    next: Cursor | None
    previous: Cursor | None


# The queue's partial indexes hold the open tickets. SQLite uses a partial index only when the
# query repeats the index's condition with literal values: Django binds every value as a
# parameter, which hides it, and each page then sorted every open ticket (40-200 ms at 100,000
# tickets, bench/console). So the condition is written out; its values are the model's own
# constants, never input.
OPEN_IN_LITERALS = RawSQL(  # noqa: S611 - constants of the model, no input
    '"tickets_ticket"."status" IN (' + ", ".join(f"'{s}'" for s in ACTIVE_STATUSES) + ")",
    (),
    output_field=BooleanField(),
)


def queue_tickets(view: str, value: str = "", *, user_id: int | None = None) -> QuerySet[Ticket]:
    """The open tickets of one view: all, mine, unassigned, breached, waiting (on the
    requester), or by category / language / channel / escalation level."""
    tickets = Ticket.objects.filter(OPEN_IN_LITERALS)
    if view == "mine":
        return tickets.filter(assignee_id=user_id)
    if view == "unassigned":
        return tickets.filter(assignee__isnull=True)
    if view == "breached":
        return tickets.filter(queue_group=QueueGroup.BREACHED)
    if view == "waiting":
        return tickets.filter(status=Status.PENDING_CUSTOMER)
    if view == "category":
        return tickets.filter(category_id=value)
    if view == "language":
        return tickets.filter(language=value)
    if view == "channel":
        return tickets.filter(channel=value)
    if view == "level":
        return tickets.filter(escalation_level=int(value) if value.isdigit() else -1)
    return tickets


def queue_page(
    tickets: QuerySet[Ticket],
    *,
    after: Cursor | None = None,
    before: Cursor | None = None,
    size: int = PAGE_SIZE,
) -> QueuePage:
    """One page in queue order, found through the index from a cursor (never OFFSET, so page
    200 costs what page 1 costs); one query for the rows, one for their categories, one for
    their clocks."""
    position = Tuple(*(F(column) for column in QUEUE_ORDER))
    # The category is prefetched, not joined: with an inner join SQLite starts from the seven
    # categories and sorts every open ticket (200 ms at 100,000 tickets) instead of reading the
    # queue index in order; one more query, the same on every page.
    ordered = tickets.select_related("assignee").prefetch_related("category", "clocks")
    if before is not None:
        older = ordered.filter(TupleLessThan(position, before.key()))
        rows = list(older.order_by(*(f"-{column}" for column in QUEUE_ORDER))[: size + 1])
        more_before = len(rows) > size
        rows = list(reversed(rows[:size]))
        return QueuePage(
            rows,
            Cursor.of(rows[-1]) if rows else None,
            Cursor.of(rows[0]) if rows and more_before else None,
        )
    if after is not None:
        ordered = ordered.filter(TupleGreaterThan(position, after.key()))
    rows = list(ordered.order_by(*QUEUE_ORDER)[: size + 1])
    more_after = len(rows) > size
    rows = rows[:size]
    return QueuePage(
        rows,
        Cursor.of(rows[-1]) if more_after else None,
        Cursor.of(rows[0]) if rows and after is not None else None,
    )


def capped_count(tickets: QuerySet[Ticket], cap: int = COUNT_CAP) -> int:
    """Exact up to `cap`, and `cap + 1` meaning "more": reads at most cap + 1 index entries."""
    return tickets.order_by().values("id")[: cap + 1].count()


def open_queue() -> QuerySet[Ticket]:
    """Every open ticket in queue order (for the API and small lists; pages use queue_page)."""
    tickets = Ticket.objects.filter(status__in=ACTIVE_STATUSES)
    return (
        tickets.select_related("assignee")
        .prefetch_related("category", "clocks")
        .order_by(*QUEUE_ORDER)
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
        tickets.select_related("category", "assignee", "policy_version")
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
