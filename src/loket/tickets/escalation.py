"""The escalation path (POLICY.md S11): a requester's request, checked against the ticket's own
deadlines; supervisors' (level 1) and operations' (level 2) review, each step with its reason.

A request escalates only when an applicable deadline - a clock not yet stopped - has passed;
before that it is recorded and the requester is told which deadline still runs and until when.
A ticket already under review is never escalated twice. Every step is one transaction with its
timeline event and its mails.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from loket.notify import content
from loket.notify.outbox import queue_email
from loket.sla import operations as sla
from loket.sla.models import Clock, ClockStatus
from loket.sla.queries import CLOCK_ORDER
from loket.tickets.access import REVIEW_PERMISSION
from loket.tickets.models import ACTIVE_STATUSES, EventKind, Status, Ticket, VerificationStatus
from loket.tickets.operations import lock, mail_requester
from loket.tickets.surveys import offer_survey
from loket.tickets.timeline import Agent, record_event, touch
from loket.tickets.verification import (
    VerificationRefused,
    needs_verification,
    require_verified,
    start_verification,
)
from loket.tickets.verification import state as verification_state

SUMMARY_MAX = 2000
TOP_LEVEL = 2


class EscalationRefused(ValueError):
    """The step does not apply to the ticket as it is now; the message says why."""


@dataclass(frozen=True)
class RequestAnswer:
    outcome: str  # escalated | recorded | already
    deadline: str | None  # the clock kind that passed (escalated) or still runs (recorded)
    due_at: datetime | None


def passed_deadline(ticket: Ticket, now: datetime) -> Clock | None:
    """The first promise still open whose deadline is behind us."""
    clocks = Clock.objects.filter(ticket=ticket).exclude(status=ClockStatus.STOPPED)
    for clock in sorted(clocks, key=lambda clock: CLOCK_ORDER[clock.kind]):
        if clock.breached or (clock.breach_at is not None and clock.breach_at <= now):
            return clock
    return None


def running_deadline(ticket: Ticket) -> Clock | None:
    """The promise the requester is still owed soonest (a paused one has no instant)."""
    clocks = Clock.objects.filter(ticket=ticket, status=ClockStatus.RUNNING)
    return clocks.exclude(breach_at=None).order_by("breach_at").first() or (
        Clock.objects.filter(ticket=ticket, status=ClockStatus.PAUSED).first()
    )


def request_escalation(
    *, ticket: Ticket, summary: str, channel: str, now: datetime
) -> RequestAnswer:
    """The requester asks for escalation (a reply that triage reads so, or the portal's
    button). Told in their language what happened, whichever way it went."""
    summary = summary.strip()[:SUMMARY_MAX]
    with transaction.atomic():
        ticket = lock(ticket)
        if ticket.status not in ACTIVE_STATUSES:
            raise EscalationRefused(_("This request is closed; a new request can be escalated."))
        data: dict[str, object] = {"summary": summary, "channel": channel}
        if ticket.escalation_level > 0:
            answer = RequestAnswer("already", None, None)
        elif (passed := passed_deadline(ticket, now)) is not None:
            answer = RequestAnswer("escalated", passed.kind, passed.breach_at)
        else:
            running = running_deadline(ticket)
            due_at = running.breach_at if running else None
            answer = RequestAnswer("recorded", running.kind if running else None, due_at)
        data |= {"outcome": answer.outcome, "deadline": answer.deadline,
                 "due_at": answer.due_at.isoformat() if answer.due_at else None}  # fmt: skip
        label = ticket.requester_name
        record_event(ticket.pk, EventKind.ESCALATION_REQUESTED, actor_label=label, data=data,
                     now=now)  # fmt: skip
        if answer.outcome == "escalated":
            raise_to(ticket, 1, summary, now, actor=None, actor_label=label)
        mail = content.escalation_answer(
            ticket, answer.outcome, answer.deadline, answer.due_at, now=now
        )
        mail_requester(ticket, "escalation_answer", mail, now)
    return answer


def escalate(
    *, ticket: Ticket, reason: str, actor: Agent, now: datetime, from_level: int | None = None
) -> Ticket:
    """A reviewer raises the ticket one level: to supervisor review, then operations.
    `from_level`: the level the reviewer saw; a ticket that moved meanwhile (a double click,
    the sweep, another reviewer) is refused rather than raised twice."""
    with transaction.atomic():
        ticket = lock(ticket)
        unchanged_since(ticket, from_level)
        if ticket.escalation_level >= TOP_LEVEL:
            raise EscalationRefused(_("The ticket is at the top level already."))
        if ticket.status not in ACTIVE_STATUSES:
            raise EscalationRefused(_("Only an open ticket can be escalated."))
        if ticket.escalation_level == 1:
            require_verified(ticket, "move_to_operations", now)
        raise_to(ticket, ticket.escalation_level + 1, reason, now, actor=actor)
    return ticket


def de_escalate(
    *, ticket: Ticket, reason: str, actor: Agent, now: datetime, from_level: int | None = None
) -> Ticket:
    """Back down one level: operations to supervisors, supervisors to the agents."""
    with transaction.atomic():
        ticket = lock(ticket)
        unchanged_since(ticket, from_level)
        if ticket.escalation_level == 0:
            raise EscalationRefused(_("The ticket is not escalated."))
        previous = ticket.escalation_level
        ticket.escalation_level -= 1
        ticket.escalated_at = now if ticket.escalation_level else None
        touch(ticket, now)
        data = {"from": previous, "to": ticket.escalation_level, "reason": reason}
        record_event(ticket.pk, EventKind.DE_ESCALATED, actor=actor, data=data, now=now)
    return ticket


def resolve_in_review(
    *, ticket: Ticket, reason: str, actor: Agent, now: datetime, from_level: int | None = None
) -> Ticket:
    """The reviewer settles the case: resolved, with the reason on the timeline."""
    with transaction.atomic():
        ticket = lock(ticket)
        unchanged_since(ticket, from_level)
        if ticket.escalation_level == 0:
            raise EscalationRefused(_("The ticket is not escalated."))
        if ticket.status in (Status.RESOLVED, Status.CLOSED):
            raise EscalationRefused(_("The ticket is resolved already."))
        require_verified(ticket, "resolve_in_review", now)
        previous = ticket.status
        ticket.status = Status.RESOLVED
        sla.status_changed(ticket, previous, ticket.status, now)
        touch(ticket, now)
        data = {"from": previous, "to": Status.RESOLVED, "reason": reason,
                "level": ticket.escalation_level}  # fmt: skip
        record_event(ticket.pk, EventKind.RESOLVED_IN_REVIEW, actor=actor, data=data, now=now)
        offer_survey(ticket, now)
    return ticket


def unchanged_since(ticket: Ticket, from_level: int | None) -> None:
    if from_level is not None and ticket.escalation_level != from_level:
        raise EscalationRefused(
            _("The ticket moved to another review level meanwhile: reload it and decide again.")
        )


def raise_to(
    ticket: Ticket,
    level: int,
    reason: str,
    now: datetime,
    *,
    actor: Agent | None,
    actor_label: str | None = None,
) -> None:
    previous = ticket.escalation_level
    ticket.escalation_level = level
    ticket.escalated_at = now
    touch(ticket, now)
    data = {"from": previous, "to": level, "reason": reason}
    record_event(ticket.pk, EventKind.ESCALATED, actor=actor, actor_label=actor_label, data=data,
                 now=now)  # fmt: skip
    notify_reviewers(ticket, level, reason, now)
    if actor is not None:  # the requester who asked was answered already
        mail_requester(ticket, "escalation_notice", content.escalation_notice(ticket, now=now), now)
    if level == 1 and needs_verification(ticket, "move_to_operations"):
        # After the commit: billing may be an HTTP API, never asked while a lock is held.
        ticket_pk = ticket.pk
        transaction.on_commit(lambda: begin_verification(ticket_pk, actor, now))


def begin_verification(ticket_pk: int, actor: Agent | None, now: datetime) -> None:
    """S11: escalating a billing dispute starts the ownership check, unless one is done or on
    its way; when no link can go out, the timeline says why, for the reviewer."""
    ticket = Ticket.objects.get(pk=ticket_pk)
    if verification_state(ticket, now) in (VerificationStatus.PENDING, VerificationStatus.VERIFIED):
        return
    try:
        start_verification(ticket=ticket, actor=actor, now=now)
    except VerificationRefused as refused:
        data = {"reason": f"no link sent: {refused}"}
        record_event(ticket.pk, EventKind.VERIFICATION_FAILED, data=data, now=now)


def reviewers(level: int) -> list[User]:
    """Active staff holding the level's review permission (through a group or directly)."""
    app_label, codename = REVIEW_PERMISSION[level].split(".")
    through_group = Q(groups__permissions__codename=codename,
                      groups__permissions__content_type__app_label=app_label)  # fmt: skip
    direct = Q(user_permissions__codename=codename,
               user_permissions__content_type__app_label=app_label)  # fmt: skip
    staff = User.objects.filter(through_group | direct, is_active=True).exclude(email="")
    return list(staff.distinct().order_by("username"))


def notify_reviewers(ticket: Ticket, level: int, reason: str, now: datetime) -> None:
    """A mail to each reviewer of the level, in the desk's language; the review queue in the
    console is the inbox."""
    with translation.override(settings.LANGUAGE_CODE):
        mail = content.review_notice(ticket, level, reason)
    for reviewer in reviewers(level):
        queue_email(ticket=None, kind="review_notice", to_address=reviewer.email, content=mail,
                    now=now)  # fmt: skip
