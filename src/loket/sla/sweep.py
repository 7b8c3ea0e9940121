"""The sweep: every warning and breach that has come due is recorded once, with an event on
the ticket, and breaches are mailed to the supervisors.

Due clocks are found through the partial index on `next_check_at`. On PostgreSQL each batch is
claimed with `FOR UPDATE SKIP LOCKED`, so parallel sweepers take disjoint batches; on SQLite
the IMMEDIATE write transaction serialises them. The unique key of `SlaPoint` (clock, kind,
cycle) is the last guard: a point that exists already is never recorded twice.

The hot path reads plain tuples rather than model instances and writes each batch with a few
set-based statements (one UPDATE per resulting clock state), so the cost per breach stays a
small constant (see docs/benchmarks.md).
"""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import translation

from loket.notify.content import breach_digest, escalation_notice
from loket.notify.outbox import queue_email, queue_for_requester
from loket.policy.queries import active_policy, default_language
from loket.sla.models import Clock, ClockKind, SlaPoint, SlaPointKind
from loket.sla.operations import reposition_many
from loket.tickets.models import ACTIVE_STATUSES, EventKind, Ticket
from loket.tickets.timeline import NewEvent, record_events

BATCH = 500
EVENT_OF_POINT: dict[str, str] = {
    SlaPointKind.WARNING: EventKind.SLA_WARNING,
    SlaPointKind.BREACH: EventKind.SLA_BREACH,
}
COLUMNS = ("pk", "ticket_id", "ticket__reference", "kind", "cycle", "warned", "breached",
           "warning_at", "breach_at")  # fmt: skip


@dataclass(frozen=True)
class DueClock:
    pk: int
    ticket_id: int
    reference: str
    kind: str
    cycle: int
    warned: bool
    breached: bool
    warning_at: datetime | None
    breach_at: datetime | None


@dataclass(frozen=True)
class DuePoint:
    clock: DueClock
    kind: str
    due_at: datetime


@dataclass
class SweepReport:
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (reference, clock kind)
    breaches: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "warnings": len(self.warnings),
            "breaches": len(self.breaches),
            "breached": [f"{reference} {kind}" for reference, kind in self.breaches],
        }


def due_clocks(now: datetime, limit: int) -> list[DueClock]:
    query = Clock.objects.filter(next_check_at__lte=now).order_by("next_check_at")
    if connection.features.has_select_for_update_skip_locked:
        query = query.select_for_update(skip_locked=True, of=("self",))
    return with_tickets_locked([DueClock(*row) for row in query.values_list(*COLUMNS)[:limit]])


def with_tickets_locked(clocks: list[DueClock]) -> list[DueClock]:
    """The clocks whose tickets this sweep could lock too, never waiting: a ticket an agent is
    changing right now (ticket lock, then clock) keeps its clocks for the next pass, so the two
    never deadlock on PostgreSQL (reposition_many updates the ticket rows)."""
    if not clocks or not connection.features.has_select_for_update_skip_locked:
        return clocks
    wanted = Ticket.objects.filter(pk__in={clock.ticket_id for clock in clocks})
    locked = set(wanted.select_for_update(skip_locked=True).values_list("pk", flat=True))
    return [clock for clock in clocks if clock.ticket_id in locked]


def sweep(now: datetime, *, dry_run: bool = False, batch: int = BATCH) -> SweepReport:
    report = SweepReport()
    while True:
        with transaction.atomic():
            clocks = due_clocks(now, batch)
            if not clocks:
                return report
            points = due_points(clocks, now)
            for point in points:
                entry = (point.clock.reference, point.clock.kind)
                if point.kind == SlaPointKind.BREACH:
                    report.breaches.append(entry)
                else:
                    report.warnings.append(entry)
            if dry_run:
                transaction.set_rollback(True)
                return report
            record(clocks, points, now)
        if len(clocks) < batch:
            return report


def due_points(clocks: list[DueClock], now: datetime) -> list[DuePoint]:
    """What each clock owes now: its warning, its breach, or both after a long outage."""
    points = []
    for clock in clocks:
        if not clock.warned and clock.warning_at is not None and clock.warning_at <= now:
            points.append(DuePoint(clock, SlaPointKind.WARNING, clock.warning_at))
        if not clock.breached and clock.breach_at is not None and clock.breach_at <= now:
            points.append(DuePoint(clock, SlaPointKind.BREACH, clock.breach_at))
    return points


def advance(clocks: list[DueClock], points: list[DuePoint]) -> None:
    """Move each clock past what was recorded, one UPDATE per resulting state: after a warning
    the next check is the breach; after a breach there is none."""
    breached = {point.clock.pk for point in points if point.kind == SlaPointKind.BREACH}
    warned = {point.clock.pk for point in points} - breached
    if warned:
        Clock.objects.filter(pk__in=warned).update(warned=True, next_check_at=F("breach_at"))
    if breached:
        Clock.objects.filter(pk__in=breached).update(warned=True, breached=True, next_check_at=None)
    # A clock found due with nothing owed had a stale next check: aim it at its next point,
    # which lies in the future, so no sweep can pick it up again and again.
    idle = Clock.objects.filter(pk__in={clock.pk for clock in clocks} - warned - breached)
    idle.filter(warned=False).update(next_check_at=Coalesce(F("warning_at"), F("breach_at")))
    idle.filter(warned=True, breached=False).update(next_check_at=F("breach_at"))
    idle.filter(breached=True).update(next_check_at=None)


def record(clocks: list[DueClock], points: list[DuePoint], now: datetime) -> None:
    advance(clocks, points)
    reposition_many(p.clock.ticket_id for p in points if p.kind == SlaPointKind.BREACH)
    SlaPoint.objects.bulk_create(
        [
            SlaPoint(
                clock_id=p.clock.pk,
                kind=p.kind,
                cycle=p.clock.cycle,
                due_at=p.due_at,
                recorded_at=now,
            )
            for p in points
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    record_events(
        [
            NewEvent(
                ticket_id=p.clock.ticket_id,
                kind=EVENT_OF_POINT[p.kind],
                data={
                    "clock": p.clock.kind,
                    "due_at": p.due_at.isoformat(),
                    "cycle": p.clock.cycle,
                },
            )
            for p in points
        ],
        now,
    )
    breaches = [p for p in points if p.kind == SlaPointKind.BREACH]
    if breaches:
        notify_supervisors(breaches, now)
        escalate_breached(breaches, now)


# S11: the promises whose breach sends a ticket to supervisor review (policy: breach_action).
ESCALATING_CLOCKS = (ClockKind.RESOLUTION, ClockKind.PROGRESS_UPDATE)


def escalate_breached(breaches: list[DuePoint], now: datetime) -> None:
    """Put each ticket whose resolution or progress update breached in the level 1 queue,
    once: the conditional UPDATE lets only one sweeper (or one clock) raise a ticket, and a
    ticket in review already stays where it is."""
    if active_policy().document.sla.breach_action != "escalate":
        return
    ids = sorted({p.clock.ticket_id for p in breaches if p.clock.kind in ESCALATING_CLOCKS})
    waiting = Ticket.objects.filter(escalation_level=0, status__in=ACTIVE_STATUSES)
    raised = [
        pk for pk in ids
        if waiting.filter(pk=pk).update(escalation_level=1, escalated_at=now, updated_at=now)
    ]  # fmt: skip
    if not raised:
        return
    kinds = {p.clock.ticket_id: p.clock.kind for p in breaches if p.clock.kind in ESCALATING_CLOCKS}
    record_events(
        [NewEvent(ticket_id=pk, kind=EventKind.ESCALATED,
                  data={"from": 0, "to": 1, "reason": f"{kinds[pk]} deadline breached"})
         for pk in raised],
        now,
    )  # fmt: skip
    for ticket in Ticket.objects.filter(pk__in=raised).select_related("policy_version"):
        queue_for_requester(ticket, "escalation_notice", escalation_notice(ticket, now=now), now)


def notify_supervisors(breaches: list[DuePoint], now: datetime) -> None:
    """One mail per supervisor per batch, listing the batch's breaches: a flood of due clocks
    (after an outage, say) gives a few digests rather than thousands of mails."""
    document = active_policy().document
    zone = ZoneInfo(document.hours.time_zone)
    # In the desk's language and time zone, each line with the link to open the ticket.
    with translation.override(default_language()):
        lines = sorted(
            f"{p.clock.reference}  {ClockKind(p.clock.kind).label}  "
            f"{p.due_at.astimezone(zone):%Y-%m-%d %H:%M} {document.hours.zone_label}  "
            f"{settings.LOKET_BASE_URL}/console/t/{p.clock.reference}/"
            for p in breaches
        )
        content = breach_digest(lines)
    supervisors = User.objects.filter(groups__name="supervisors", is_active=True).exclude(email="")
    for supervisor in supervisors:
        queue_email(
            ticket=None, kind="sla_breach_digest", to_address=supervisor.email,
            content=content, now=now,
        )  # fmt: skip
