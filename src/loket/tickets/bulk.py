"""Bulk actions from the console's queue: the same operation on many tickets, one transaction
per ticket with its own event, and a summary of what was done and what was refused (and why)."""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied

from loket.tickets.access import may_review
from loket.tickets.models import Status, Ticket
from loket.tickets.operations import (
    UnknownCategory,
    assign,
    recategorise,
    record_internal_note,
    set_status,
)
from loket.tickets.timeline import Agent
from loket.tickets.verification import VerificationNeeded

# A page of the queue is 50; a bulk action never takes more than a few pages at once.
MAX_TICKETS = 200
ACTIONS = ("assign_me", "unassign", "status", "category", "note")


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (reference, why)


def apply_bulk(
    *,
    references: list[str],
    action: str,
    value: str,
    user: AbstractBaseUser | AnonymousUser,
    now: datetime,
) -> BulkResult:
    """`action` is one of ACTIONS; `value` the status, category code or note text."""
    result = BulkResult()
    tickets = Ticket.objects.filter(reference__in=references[:MAX_TICKETS]).order_by("id")
    for ticket in tickets:
        try:
            apply_one(ticket, action, value, user, now)
        except (PermissionDenied, VerificationNeeded, UnknownCategory, ValueError) as refusal:
            result.refused.append((str(ticket.reference), why(refusal)))
        else:
            result.done.append(str(ticket.reference))
    return result


def apply_one(
    ticket: Ticket, action: str, value: str, user: AbstractBaseUser | AnonymousUser, now: datetime
) -> None:
    actor: Agent = user
    if action == "assign_me" and isinstance(user, AbstractBaseUser):
        assign(ticket=ticket, assignee=user, actor=actor, now=now)
    elif action == "unassign":
        assign(ticket=ticket, assignee=None, actor=actor, now=now)
    elif action == "status" and value in Status.values:
        if ticket.escalation_level and value in (Status.RESOLVED, Status.CLOSED):
            if not may_review(user, ticket.escalation_level):
                raise PermissionDenied("in review: only a reviewer may resolve or close it")
        set_status(ticket=ticket, status=value, actor=actor, now=now)
    elif action == "category":
        recategorise(ticket=ticket, category_code=value, actor=actor, now=now)
    elif action == "note" and value.strip() and isinstance(user, AbstractBaseUser):
        record_internal_note(ticket=ticket, author=user, body=value.strip(), now=now)
    else:
        raise ValueError(f"unknown action {action!r}")


def why(refusal: Exception) -> str:
    if isinstance(refusal, VerificationNeeded):
        return "the account owner has not confirmed yet"
    if isinstance(refusal, UnknownCategory):
        return f"no active category {refusal}"
    return str(refusal) or type(refusal).__name__
