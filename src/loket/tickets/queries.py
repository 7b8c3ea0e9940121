"""Reads for pages and the API: nouns, no writes."""

from zoneinfo import ZoneInfo

from django.db.models import F, Prefetch, QuerySet

from loket.policy.queries import document_of
from loket.sla.queries import with_nearest_deadline
from loket.tickets.models import (
    ACTIVE_STATUSES,
    Attachment,
    EventKind,
    Message,
    MessageKind,
    Ticket,
)
from loket.triage.checklist import ChecklistItem, checklist
from loket.triage.refunds import RefundProposal, propose_refund


def open_queue() -> QuerySet[Ticket]:
    """Tickets still to be worked: breached ones first (longest overdue first), then by the
    nearest running deadline, then those with no running clock, oldest first."""
    tickets = Ticket.objects.filter(status__in=ACTIVE_STATUSES)
    return (
        with_nearest_deadline(tickets)
        .select_related("category", "assignee")
        .prefetch_related("clocks")
        .order_by(
            F("oldest_breach").asc(nulls_last=True),
            F("nearest_deadline").asc(nulls_last=True),
            "created_at",
            "id",
        )
    )


def latest_triage(ticket: Ticket) -> dict[str, object] | None:
    """What triage made of the ticket's opening message (its `triaged` event), if anything."""
    event = ticket.events.filter(kind=EventKind.TRIAGED).order_by("-created_at", "-id").first()
    return dict(event.data) if event is not None else None


def evidence_checklist(ticket: Ticket) -> list[ChecklistItem]:
    """What the ticket's category requires (S8), found in the opening triage or still missing."""
    if ticket.policy_version is None:
        return []
    triage = latest_triage(ticket) or {}
    evidence = triage.get("evidence")
    screenshots = Attachment.objects.filter(
        message__ticket=ticket, content_type__startswith="image/"
    ).exclude(message__kind=MessageKind.INTERNAL_NOTE)
    return checklist(
        document_of(ticket.policy_version),
        ticket.category_id,
        ticket.language,
        evidence if isinstance(evidence, dict) else {},
        sender_address=ticket.requester_email,
        has_screenshot=screenshots.exists(),
    )


# The categories whose tickets may end in a refund of the subscription (S12).
REFUND_CATEGORIES = ("refund", "billing_dispute")


def refund_proposal(ticket: Ticket, language: str) -> RefundProposal | None:
    """For a refund or billing dispute: the policy's reason and window, from the opening
    message; None for other categories."""
    if ticket.category_id not in REFUND_CATEGORIES or ticket.policy_version is None:
        return None
    opening = ticket.messages.filter(kind=MessageKind.REQUESTER).order_by("id").first()
    evidence = (latest_triage(ticket) or {}).get("evidence")
    document = document_of(ticket.policy_version)
    received = ticket.created_at.astimezone(ZoneInfo(document.hours.time_zone)).date()
    return propose_refund(
        document,
        f"{ticket.subject}\n{opening.body if opening else ''}",
        evidence if isinstance(evidence, dict) else {},
        language=language,
        received=received,
    )


def thread(ticket: Ticket, *, include_internal: bool) -> QuerySet[Message]:
    messages = ticket.messages.all()
    if not include_internal:
        messages = messages.exclude(kind=MessageKind.INTERNAL_NOTE)
    return messages.prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
    ).order_by("created_at", "id")
