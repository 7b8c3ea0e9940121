"""Reads for pages and the API: nouns, no writes."""

from django.db.models import Prefetch, QuerySet

from loket.tickets.models import ACTIVE_STATUSES, Attachment, Message, MessageKind, Ticket


def open_queue() -> QuerySet[Ticket]:
    """Tickets still to be worked, the longest-waiting first (issue 4 sorts by deadline)."""
    return (
        Ticket.objects.filter(status__in=ACTIVE_STATUSES)
        .select_related("category", "assignee")
        .order_by("created_at", "id")
    )


def thread(ticket: Ticket, *, include_internal: bool) -> QuerySet[Message]:
    messages = ticket.messages.all()
    if not include_internal:
        messages = messages.exclude(kind=MessageKind.INTERNAL_NOTE)
    return messages.prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
    ).order_by("created_at", "id")
