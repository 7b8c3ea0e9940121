"""What people see of the clocks: deadlines, badges, business time left."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from django.utils.translation import gettext_lazy as _

from loket.policy.queries import calendar_of
from loket.sla import clock as clock_state
from loket.sla.models import Clock, ClockKind, ClockStatus
from loket.tickets.models import Ticket

# How clocks are listed: the promise made first comes first.
CLOCK_ORDER: dict[str, int] = {
    ClockKind.FIRST_RESPONSE: 0,
    ClockKind.RESOLUTION: 1,
    ClockKind.PROGRESS_UPDATE: 2,
}


@dataclass(frozen=True)
class ClockView:
    kind: str
    label: str
    status: str  # on_track | warning | breached | paused | stopped
    warning_at: datetime | None
    breach_at: datetime | None
    seconds_left: int

    BADGES: ClassVar[dict[str, object]] = {
        "on_track": _("On track"),
        "warning": _("Warning"),
        "breached": _("Breached"),
        "paused": _("Paused"),
        "stopped": _("Done"),
    }

    @property
    def badge(self) -> str:
        return str(self.BADGES[self.status])

    @property
    def time_left(self) -> str:
        """Business time left as h:mm (negative once overdue)."""
        sign = "-" if self.seconds_left < 0 else ""
        minutes = abs(self.seconds_left) // 60
        return f"{sign}{minutes // 60}:{minutes % 60:02d}"


def clock_status(clock: Clock) -> str:
    if clock.status == ClockStatus.STOPPED:
        return "stopped"
    if clock.breached:
        return "breached"
    if clock.status == ClockStatus.PAUSED:
        return "paused"
    return "warning" if clock.warned else "on_track"


def clock_views(ticket: Ticket, now: datetime) -> list[ClockView]:
    clocks = sorted(
        Clock.objects.filter(ticket=ticket).select_related("policy_version"),
        key=lambda clock: CLOCK_ORDER[clock.kind],
    )
    return [
        ClockView(
            kind=clock.kind,
            label=str(ClockKind(clock.kind).label),
            status=clock_status(clock),
            warning_at=clock.warning_at,
            breach_at=clock.breach_at,
            seconds_left=clock_state.remaining(
                clock.state(), now, calendar_of(clock.policy_version)
            ),
        )
        for clock in clocks
    ]


def ticket_badge(statuses: list[str]) -> str:
    """The worst state of the clocks that still matter."""
    live = [status for status in statuses if status != "stopped"]
    for status in ("breached", "warning", "on_track", "paused"):
        if status in live:
            return status
    return "stopped"


def badge_label(status: str) -> str:
    return str(ClockView.BADGES[status])


def queue_badge(ticket: Ticket) -> str:
    """From the prefetched clocks: no calendar arithmetic for a list page."""
    return ticket_badge([clock_status(clock) for clock in ticket.clocks.all()])


@dataclass(frozen=True)
class RequesterDeadline:
    kind: str
    label: str
    due_at: datetime | None
    paused: bool


REQUESTER_LABELS = {
    ClockKind.FIRST_RESPONSE: _("First answer by"),
    ClockKind.RESOLUTION: _("Resolution by"),
    ClockKind.PROGRESS_UPDATE: _("Next progress update by"),
}


def requester_deadlines(
    ticket: Ticket, clocks: Sequence[Clock] | None = None
) -> list[RequesterDeadline]:
    """The promises still open, in the words the requester reads (labels are lazy: render
    them under the requester's language). `clocks`: all the ticket's clocks, when the caller
    holds them as they are now."""
    held = list(Clock.objects.filter(ticket=ticket)) if clocks is None else clocks
    live = [clock for clock in held if clock.status != ClockStatus.STOPPED]
    return [
        RequesterDeadline(
            kind=clock.kind,
            label=str(REQUESTER_LABELS[ClockKind(clock.kind)]),
            due_at=clock.breach_at,
            paused=clock.status == ClockStatus.PAUSED,
        )
        for clock in sorted(live, key=lambda clock: CLOCK_ORDER[clock.kind])
    ]
