"""The sweep: every warning and breach that has come due is recorded once, with an event on
the ticket, and breaches are mailed to the supervisors.

Due clocks are found through the partial index on `next_check_at`. On PostgreSQL each batch is
claimed with `FOR UPDATE SKIP LOCKED`, so parallel sweepers take disjoint batches; on SQLite
the IMMEDIATE write transaction serialises them. The unique key of `SlaPoint` (clock, kind,
cycle) is the last guard: a point that exists already is never recorded twice.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import translation

from loket.notify.operations import queue_email
from loket.sla.models import Clock, SlaPoint, SlaPointKind
from loket.sla.operations import next_check
from loket.tickets.models import Event, EventKind, Ticket

BATCH = 2000


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


def due_clocks(now: datetime, limit: int) -> list[Clock]:
    query = Clock.objects.filter(next_check_at__lte=now).order_by("next_check_at")
    if connection.features.has_select_for_update_skip_locked:
        query = query.select_for_update(skip_locked=True)
    return list(query[:limit])


def sweep(now: datetime, *, dry_run: bool = False, batch: int = BATCH) -> SweepReport:
    report = SweepReport()
    while True:
        with transaction.atomic():
            clocks = due_clocks(now, batch)
            if not clocks:
                return report
            points = due_points(clocks, now)
            references = dict(
                Ticket.objects.filter(pk__in={c.ticket_id for c in clocks}).values_list(
                    "pk", "reference"
                )
            )
            for point in points:
                entry = (str(references[point.clock.ticket_id]), point.clock.kind)
                (report.breaches if point.kind == SlaPointKind.BREACH else report.warnings).append(
                    entry
                )
            if dry_run:
                transaction.set_rollback(True)
                return report
            record(clocks, points, references, now)
        if len(clocks) < batch:
            return report


def due_points(clocks: list[Clock], now: datetime) -> list[SlaPoint]:
    """Decide what each clock owes, and advance it past it."""
    points = []
    for clock in clocks:
        if not clock.warned and clock.warning_at is not None and clock.warning_at <= now:
            clock.warned = True
            points.append(point(clock, SlaPointKind.WARNING, clock.warning_at, now))
        if not clock.breached and clock.breach_at is not None and clock.breach_at <= now:
            clock.warned = clock.breached = True
            points.append(point(clock, SlaPointKind.BREACH, clock.breach_at, now))
        clock.next_check_at = next_check(clock)
    return points


def point(clock: Clock, kind: str, due_at: datetime, now: datetime) -> SlaPoint:
    return SlaPoint(clock=clock, kind=kind, cycle=clock.cycle, due_at=due_at, recorded_at=now)


def record(
    clocks: list[Clock], points: list[SlaPoint], references: dict[int, str | None], now: datetime
) -> None:
    Clock.objects.bulk_update(clocks, ["warned", "breached", "next_check_at"], batch_size=1000)
    SlaPoint.objects.bulk_create(points, ignore_conflicts=True, batch_size=1000)
    Event.objects.bulk_create(
        [
            Event(
                ticket_id=p.clock.ticket_id,
                kind=EventKind.SLA_BREACH
                if p.kind == SlaPointKind.BREACH
                else EventKind.SLA_WARNING,
                actor_label="Loket",
                data={"clock": p.clock.kind, "due_at": p.due_at.isoformat(), "cycle": p.cycle},
                created_at=now,
            )
            for p in points
        ],
        batch_size=1000,
    )
    breaches = [p for p in points if p.kind == SlaPointKind.BREACH]
    if breaches:
        notify_supervisors(breaches, references, now)


def notify_supervisors(
    breaches: list[SlaPoint], references: dict[int, str | None], now: datetime
) -> None:
    """One mail per supervisor per batch, listing the batch's breaches: a flood of due clocks
    (after an outage, say) gives a few digests rather than thousands of mails."""
    from loket.notify.emails import breach_digest

    lines = sorted(
        f"{references[p.clock.ticket_id]}  {p.clock.kind}  due {p.due_at:%Y-%m-%d %H:%M} UTC"
        for p in breaches
    )
    supervisors = User.objects.filter(groups__name="supervisors", is_active=True).exclude(email="")
    for supervisor in supervisors:
        with translation.override("en"):
            content = breach_digest(lines)
        queue_email(
            ticket=None, kind="sla_breach_digest", to_address=supervisor.email,
            subject=content.subject, body=content.body, headers=content.headers, now=now,
        )  # fmt: skip
