"""The benchmark's checks of the database: the fill as intended, each sweep's result exact.
Imported only after `django.setup()`."""

from __future__ import annotations

import math

from bench.common import BenchError
from bench.sla_sweep.config import NOW, SUPERVISORS
from loket.notify.models import OutboxMessage
from loket.sla.models import Clock, SlaPoint, SlaPointKind
from loket.sla.sweep import BATCH
from loket.tickets.models import Event, EventKind, Ticket


def check_fill(tickets: int, breaches: int) -> None:
    found = (Ticket.objects.count(), Clock.objects.count())
    due = Clock.objects.filter(next_check_at__lte=NOW).count()
    if found != (tickets, tickets) or due != breaches:
        raise BenchError(f"filled {found} tickets and clocks with {due} due; wanted {tickets}")


def verify(report: dict[str, object], breaches: int) -> None:
    """Exactly one breach, one event and no warning per due clock; one digest per supervisor
    per batch; nothing due any more."""
    digests = len(SUPERVISORS) * math.ceil(breaches / BATCH)
    found = {
        "reported breaches": (report["breaches"], breaches),
        "reported warnings": (report["warnings"], 0),
        "breach points": (SlaPoint.objects.filter(kind=SlaPointKind.BREACH).count(), breaches),
        "all points": (SlaPoint.objects.count(), breaches),
        "breach events": (Event.objects.filter(kind=EventKind.SLA_BREACH).count(), breaches),
        "all events": (Event.objects.count(), breaches),
        "breached clocks": (Clock.objects.filter(breached=True).count(), breaches),
        "clocks still due": (Clock.objects.filter(next_check_at__lte=NOW).count(), 0),
        "digest e-mails": (OutboxMessage.objects.filter(kind="sla_breach_digest").count(), digests),
    }
    wrong = [
        f"{name}: {got}, expected {wanted}"
        for name, (got, wanted) in found.items()
        if got != wanted
    ]
    if wrong:
        raise BenchError("wrong sweep result: " + "; ".join(wrong))
