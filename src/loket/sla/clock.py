"""One SLA clock as plain data, and what happens to it. Pure: no Django.

A clock has a budget of business seconds up to its warning point and up to its breach point.
It accrues business time only while running; `accrued` holds what it accrued before
`running_since`, so pausing and resuming never lose or double-count time. The instants at which
the warning and the breach fall are derived from the business calendar whenever the clock
(re)starts, and stored so that the sweep can find due clocks with one indexed query.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol


class Calendar(Protocol):
    def add(self, start: datetime, duration: timedelta) -> datetime: ...
    def between(self, a: datetime, b: datetime) -> timedelta: ...


@dataclass(frozen=True)
class ClockState:
    warning_seconds: int
    breach_seconds: int
    accrued: int = 0
    running_since: datetime | None = None

    @property
    def running(self) -> bool:
        return self.running_since is not None


@dataclass(frozen=True)
class DueInstants:
    warning_at: datetime | None
    breach_at: datetime | None


def warning_point(target_seconds: int | None, breach_seconds: int, warning_share: float) -> int:
    """A separate, shorter target is the warning point (POLICY.md S9: "target 1 (warning),
    deadline 2 (breach)"); otherwise the warning falls at `warning_share` of the deadline."""
    if target_seconds is not None and target_seconds < breach_seconds:
        return target_seconds
    return round(breach_seconds * warning_share)


def start(state: ClockState, now: datetime) -> ClockState:
    return state if state.running else replace(state, running_since=now)


def pause(state: ClockState, now: datetime, calendar: Calendar) -> ClockState:
    if state.running_since is None:
        return state
    spent = int(calendar.between(state.running_since, now).total_seconds())
    return replace(state, accrued=state.accrued + max(spent, 0), running_since=None)


def restart(state: ClockState, now: datetime) -> ClockState:
    """A fresh cycle (a progress update was given): nothing accrued, running from now."""
    return replace(state, accrued=0, running_since=now)


def extend(state: ClockState, seconds: int) -> ClockState:
    return replace(state, breach_seconds=state.breach_seconds + seconds)


def accrued_at(state: ClockState, now: datetime, calendar: Calendar) -> int:
    if state.running_since is None:
        return state.accrued
    return state.accrued + max(int(calendar.between(state.running_since, now).total_seconds()), 0)


def due_instants(state: ClockState, calendar: Calendar) -> DueInstants:
    if state.running_since is None:
        return DueInstants(None, None)

    def instant(budget: int) -> datetime:
        left = max(budget - state.accrued, 0)
        return calendar.add(state.running_since, timedelta(seconds=left))  # type: ignore[arg-type]

    return DueInstants(instant(state.warning_seconds), instant(state.breach_seconds))


def remaining(state: ClockState, now: datetime, calendar: Calendar) -> int:
    """Business seconds left until the breach point; negative once it has passed."""
    return state.breach_seconds - accrued_at(state, now, calendar)
