"""Business time: when the desk is open, and SLA deadlines counted in open time only.

Pure Python (no Django), so the SLA clock can be tested and reused without settings.

Semantics (docs: POLICY.md, "SLA clock semantics"):

- The desk is open at an instant when its local wall-clock time, in ``time_zone``, lies in one
  of the ``[start, end)`` windows of that weekday and the local date is not closed. A window
  belongs to the date it starts on; ``end == time(0)`` means midnight at the end of that day.
  Across a DST change the wall clock decides: a window that spans a skipped hour is that much
  shorter, one that spans a repeated hour that much longer.
- Second precision. Instants are truncated to the whole second on the way in; durations must
  be whole seconds (``ValueError`` otherwise: a fractional target is a caller's bug, and
  `business_days` already rounds). Every instant returned is a whole second, in UTC, because
  that is what the rest of the application stores.
- ``add(start, d)`` is the earliest instant ``t >= start`` at which the business time in
  ``[start, t)`` equals ``d``. So ``add(start, 0) == start``, and a clock that runs out exactly
  at closing time is due at closing time (Mon 09:00 + 9 h is Mon 18:00, not Tue 09:00).
- ``between(a, b)`` is the business time in ``[a, b)``; for ``b < a`` it is
  ``-between(b, a)``, so "time left until the deadline" simply goes negative once overdue.
- A closed stretch of a year or more (``LONG_CLOSURE``) that a clock would have to wait through
  is taken as a configuration error: ``add`` and ``next_open`` raise `CalendarError` instead of
  searching on. Real calendars close for days, not years.
- The calendar answers for the local years in ``years`` only (at most `SUPPORTED_YEARS`), so a
  holiday source that knows a limited range of years is never silently extrapolated.

Cost: the calendar keeps, per instance, a sorted array of its business intervals as UTC epoch
seconds and a running total of business seconds, built lazily over a horizon of whole local
years that grows (in both directions) when a call reaches past it. Every call is then two
binary searches, whatever the distance between the instants.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate, pairwise
from math import ceil, isfinite
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "LONG_CLOSURE",
    "SUPPORTED_YEARS",
    "BusinessCalendar",
    "CalendarError",
    "HolidaySource",
    "Window",
    "business_days",
]

type Window = tuple[time, time]
type _Fast = tuple[int, int, list[int], list[int], list[int], int]
# Closed days looked up one year at a time, the first time the horizon reaches that year.
type HolidaySource = Callable[[int], Iterable[date]]

# The widest range of local years a calendar covers: far beyond any SLA, and a bound on how far
# a horizon can ever grow.
SUPPORTED_YEARS = range(1970, 2400)
LONG_CLOSURE = timedelta(days=365)

_DAY = 86_400
_SECOND = timedelta(seconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_from_epoch = datetime.fromtimestamp  # one lookup fewer on the hot path
_LONG_CLOSURE = int(LONG_CLOSURE.total_seconds())
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# The first horizon spans the year before the first instant asked about to the year after it.
# At least a year before: then any closed stretch that began before lo and is still running at
# an instant asked about is already a year long inside the horizon, so whether a long closure
# is refused never depends on how the horizon happened to grow.
_YEARS_BEFORE = 1
_YEARS_AFTER = 1


class CalendarError(ValueError):
    """The calendar is misconfigured, or cannot answer within the years it covers."""


def business_days(n: float, hours_per_day: float = 9) -> timedelta:
    """N business days as business time: N x the length of one business day (S4: 9 hours).

    Rounded to the whole second, the calendar's precision.
    """
    if not isfinite(n) or n < 0:
        raise ValueError(f"a number of business days must be finite and >= 0, not {n!r}")
    if not isfinite(hours_per_day) or not 0 < hours_per_day <= 24:
        raise ValueError(f"hours per business day must be in (0, 24], not {hours_per_day!r}")
    return timedelta(seconds=round(n * hours_per_day * 3600))


@dataclass(frozen=True)
class BusinessCalendar:
    """Opening hours in one time zone, with the days they do not apply.

    ``weekly`` maps a weekday (0 = Monday) to its ``[start, end)`` windows in local time;
    several per day are allowed (a lunch break), days without windows are closed.
    ``closed_days`` are local dates closed all day (holidays, admin closures); ``holidays``
    adds more, asked one year at a time. The constructor validates everything and stores
    ``weekly`` normalised (sorted, read-only); it raises `CalendarError` when the week has no
    business hours at all.
    """

    time_zone: str
    weekly: Mapping[int, Sequence[Window]]
    closed_days: frozenset[date] = frozenset()
    holidays: HolidaySource | None = None
    years: range = SUPPORTED_YEARS
    _horizon: _Horizon = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        zone = _zone(self.time_zone)
        weekly = _normalised_week(self.weekly)
        closed = _closed_days(self.closed_days)
        _check_years(self.years)
        object.__setattr__(self, "weekly", MappingProxyType(weekly))
        object.__setattr__(self, "closed_days", closed)
        rules = _Rules(zone, _day_seconds(weekly), closed, self.holidays, self.years)
        object.__setattr__(self, "_horizon", _Horizon(rules))

    def __hash__(self) -> int:
        # The generated hash would choke on the mapping; hash what equality compares.
        week = tuple(sorted((day, tuple(windows)) for day, windows in self.weekly.items()))
        return hash((self.time_zone, week, self.closed_days, self.holidays, self.years))

    def __reduce__(self) -> tuple[type[BusinessCalendar], tuple[object, ...]]:
        # Copies and pickles are rebuilt from the settings: the read-only mapping cannot be
        # pickled, and the horizon is only a cache (with a lock that cannot be either).
        week = {day: tuple(windows) for day, windows in self.weekly.items()}
        return (
            BusinessCalendar,
            (self.time_zone, week, self.closed_days, self.holidays, self.years),
        )

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The deadline: earliest instant at which ``duration`` of business time has accrued
        since ``start``. ``add(start, 0)`` is ``start``."""
        # The hot path of every SLA computation, so the checks of _epoch_seconds and
        # _duration_seconds are spelt out here: a call costs as much as a binary search.
        try:
            origin = (start - _EPOCH) // _SECOND  # exact floor; naive -> TypeError
        except TypeError:
            raise ValueError(_not_aware(start)) from None
        if duration.microseconds:
            raise ValueError(f"{duration!r} is not a whole number of seconds")
        seconds = duration.days * _DAY + duration.seconds
        if seconds <= 0:
            if seconds:
                raise ValueError(f"a duration of business time cannot be negative: {duration!r}")
            return _from_epoch(origin, UTC)
        horizon = self._horizon
        fast = horizon.fast
        if fast is not None:
            # _Horizon.add, inlined for the common case: inside the horizon, nothing to grow,
            # no long closure to refuse.
            lo, hi, starts, ends, cum_end, cum_hi = fast
            if lo <= origin <= hi:
                i = bisect_right(starts, origin) - 1
                end = ends[i]
                target = seconds + cum_end[i] - (end - origin if end > origin else 0)
                if target <= cum_hi:
                    j = bisect_left(cum_end, target)
                    return _from_epoch(ends[j] - (cum_end[j] - target), UTC)
        return _from_epoch(horizon.add(origin, seconds), UTC)

    def between(self, a: datetime, b: datetime) -> timedelta:
        """Business time in ``[a, b)``; negative (``-between(b, a)``) when ``b`` is before ``a``."""
        return timedelta(seconds=self._horizon.between(_epoch_seconds(a), _epoch_seconds(b)))

    def is_open(self, t: datetime) -> bool:
        return self._horizon.is_open(_epoch_seconds(t))

    def next_open(self, t: datetime) -> datetime:
        """The first instant at or after ``t`` when the desk is open: ``t`` itself when open."""
        return _from_epoch(self._horizon.next_open(_epoch_seconds(t)), UTC)


# --- validation --------------------------------------------------------------------------------


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise CalendarError(f"'{name}' is not a known time zone (e.g. Asia/Jakarta)") from error


def _normalised_week(weekly: Mapping[int, Sequence[Window]]) -> dict[int, tuple[Window, ...]]:
    week: dict[int, tuple[Window, ...]] = {}
    for day, windows in weekly.items():
        if not isinstance(day, int) or not 0 <= day <= 6:
            raise CalendarError(f"weekday {day!r} is not 0 (Monday) to 6 (Sunday)")
        checked = sorted(_checked_window(day, window) for window in windows)
        for (_, first_end), (second_start, _) in pairwise(checked):
            # A window ending at midnight sorts last, so it can only overlap nothing after it.
            if second_start < first_end or first_end == time(0):
                raise CalendarError(f"weekday {day}: windows overlap")
        if checked:
            week[day] = tuple(checked)
    if not week:
        raise CalendarError(
            "no business hours at all: give at least one weekday a window such as 09:00-18:00"
        )
    return week


def _checked_window(day: int, window: Window) -> Window:
    start, end = window
    for moment in (start, end):
        if not isinstance(moment, time) or moment.tzinfo is not None or moment.microsecond:
            raise CalendarError(
                f"weekday {day}: window bounds must be naive local times in whole seconds, "
                f"not {moment!r}"
            )
    if end != time(0) and end <= start:
        raise CalendarError(f"weekday {day}: window {start}-{end} ends before it starts")
    return (start, end)


def _closed_days(days: Iterable[date]) -> frozenset[date]:
    closed = frozenset(days)
    for day in closed:
        # A datetime is a date too, but never equal to one: it would silently close nothing.
        if type(day) is not date:
            raise CalendarError(f"closed day {day!r} must be a date")
    return closed


def _check_years(years: range) -> None:
    inside = SUPPORTED_YEARS.start <= years.start < years.stop <= SUPPORTED_YEARS.stop
    if years.step != 1 or not inside:
        raise CalendarError(
            f"years must be consecutive, at least one, within {SUPPORTED_YEARS.start}-"
            f"{SUPPORTED_YEARS.stop - 1}, not {years}"
        )


def _day_seconds(weekly: Mapping[int, Sequence[Window]]) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Windows as (start, end) seconds after local midnight, for weekdays 0..6."""

    def seconds(moment: time) -> int:
        return moment.hour * 3600 + moment.minute * 60 + moment.second

    return tuple(
        tuple((seconds(start), seconds(end) or _DAY) for start, end in weekly.get(day, ()))
        for day in range(7)
    )


def _epoch_seconds(moment: datetime) -> int:
    try:
        return (moment - _EPOCH) // _SECOND  # exact floor, whatever the microseconds
    except TypeError:
        raise ValueError(_not_aware(moment)) from None


def _not_aware(moment: object) -> str:
    return f"{moment!r} is not an aware datetime (a naive one has no time zone)"


def _duration_seconds(duration: timedelta) -> int:
    if duration.microseconds:
        raise ValueError(f"{duration!r} is not a whole number of seconds")
    seconds = duration.days * _DAY + duration.seconds
    if seconds < 0:
        raise ValueError(f"a duration of business time cannot be negative: {duration!r}")
    return seconds


# --- the horizon -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rules:
    zone: ZoneInfo
    windows: tuple[tuple[tuple[int, int], ...], ...]  # per weekday, seconds after midnight
    closed_days: frozenset[date]
    holidays: HolidaySource | None
    years: range

    def midnight(self, year: int) -> int:
        """Epoch second of the local midnight that opens ``year``."""
        return int(datetime(year, 1, 1, tzinfo=self.zone).timestamp())

    def local(self, second: int) -> datetime:
        return datetime.fromtimestamp(second, self.zone)

    def offset(self, second: int) -> int:
        offset = self.local(second).utcoffset()
        assert offset is not None  # a ZoneInfo always has one
        return offset.days * _DAY + offset.seconds

    def intervals(self, year: int) -> list[tuple[int, int]]:
        """The business intervals of the windows that start on the local dates of ``year``."""
        closed = set(self.closed_days)
        if self.holidays is not None:
            closed.update(self.holidays(year))
        found: list[tuple[int, int]] = []
        day = date(year, 1, 1)
        while day.year == year:
            if day not in closed:
                midnight = (day.toordinal() - _EPOCH_ORDINAL) * _DAY  # wall clock, as if UTC
                for start, end in self.windows[day.weekday()]:
                    found += self.wall_interval(midnight + start, midnight + end)
            day += timedelta(days=1)
        found.sort()
        return found

    def wall_interval(self, wall_start: int, wall_end: int) -> list[tuple[int, int]]:
        """The instants whose local wall-clock time is in ``[wall_start, wall_end)``.

        Such instants lie within a day of the wall times whatever the offset. With one offset
        there, it is one interval; around a DST change (assumed at most one within those two
        days) it is the part before the change at the old offset plus the part after it at the
        new one, which shortens a window across a skipped hour and lengthens one across a
        repeated hour, as the wall clock does.
        """
        before, after = wall_start - _DAY, wall_end + _DAY
        old, new = self.offset(before), self.offset(after)
        if old == new:
            return [(wall_start - old, wall_end - old)]
        change = self.change_between(before, after, new)
        parts = [
            (wall_start - old, min(wall_end - old, change)),
            (max(wall_start - new, change), wall_end - new),
        ]
        return [(start, end) for start, end in parts if start < end]

    def change_between(self, low: int, high: int, new: int) -> int:
        """First second in (low, high] at the offset ``new`` (which ``high`` has, ``low`` not)."""
        while high - low > 1:
            middle = (low + high) // 2
            if self.offset(middle) == new:
                high = middle
            else:
                low = middle
        return high


class _State:
    """An immutable snapshot of the horizon, swapped whole so readers never need the lock.

    The arrays hold the merged business intervals ``[starts[i], ends[i])``, after a
    zero-length sentinel at ``lo`` (so every covered instant has an interval at or before it),
    and ``cum_end[i]``, the business time from ``lo`` to ``ends[i]``. Every business interval
    that meets ``[lo, hi]`` is in the arrays, so for ``lo <= t <= hi`` the business time from
    ``lo`` to ``t`` is ``cum_end[i] - max(ends[i] - t, 0)``, ``i`` being the last interval
    starting at or before ``t``.
    """

    __slots__ = (
        "cum_end",
        "cum_hi",
        "ends",
        "fast",
        "first_year",
        "hi",
        "last_year",
        "lo",
        "long_gap_ends",
        "starts",
        "trailing_gap",
    )

    def __init__(
        self,
        rules: _Rules,
        first_year: int,
        last_year: int,
        intervals: Iterable[tuple[int, int]],
    ) -> None:
        self.first_year, self.last_year = first_year, last_year  # local years [first, last)
        self.lo = lo = rules.midnight(first_year)
        self.hi = hi = rules.midnight(last_year)
        starts, ends = [lo], [lo]
        for start, end in sorted(intervals):
            if start <= ends[-1]:
                ends[-1] = max(ends[-1], end)  # touching or overlapping: one interval
            else:
                starts.append(start)
                ends.append(end)
        cum_end = list(accumulate(end - start for start, end in zip(starts, ends, strict=True)))
        self.starts, self.ends, self.cum_end = starts, ends, cum_end
        self.cum_hi = cum_hi = self.accrued(hi)
        # Where each closed stretch of LONG_CLOSURE or more ends (at the next opening).
        self.long_gap_ends = [
            start
            for start, previous_end in pairwise_ends(starts, ends)
            if start - previous_end >= _LONG_CLOSURE
        ]
        # Business time stopped here and has not resumed by hi.
        self.trailing_gap = ends[-1]
        # What BusinessCalendar.add reads, in one attribute load; None sends it the slow way.
        self.fast = None if self.long_gap_ends else (lo, hi, starts, ends, cum_end, cum_hi)

    def accrued(self, t: int) -> int:
        """Business time from lo to t, for lo <= t <= hi."""
        i = bisect_right(self.starts, t) - 1
        return self.cum_end[i] - max(self.ends[i] - t, 0)


def pairwise_ends(starts: Sequence[int], ends: Sequence[int]) -> Iterable[tuple[int, int]]:
    """Each interval's start with the end of the one before it."""
    return zip(starts[1:], ends, strict=False)


class _Horizon:
    """The lazily grown business intervals of one calendar."""

    __slots__ = ("_intervals", "_lock", "fast", "rules", "state")

    def __init__(self, rules: _Rules) -> None:
        self.rules = rules
        self.state: _State | None = None
        self.fast: _Fast | None = None  # state.fast, one attribute load closer
        self._lock = threading.Lock()
        self._intervals: dict[int, list[tuple[int, int]]] = {}  # per local year

    # The hot paths read one snapshot and fall back to _cover only past its edges.

    def add(self, t: int, seconds: int) -> int:
        state = self.state
        if state is None or not state.lo <= t <= state.hi:
            state = self._cover(t, t)
        target = seconds + state.accrued(t)
        while target > state.cum_hi:
            grown = self._extend_for(state, target)
            if grown.lo != state.lo:  # another thread grew it backwards: restate the target
                target += grown.accrued(state.lo)
            state = grown
        cum_end = state.cum_end
        j = bisect_left(cum_end, target)
        deadline = state.ends[j] - (cum_end[j] - target)
        if state.long_gap_ends:
            self._refuse_long_gap(state, t, deadline)
        return deadline

    def between(self, a: int, b: int) -> int:
        state = self.state
        if state is None or not (state.lo <= a <= state.hi and state.lo <= b <= state.hi):
            state = self._cover(min(a, b), max(a, b))
        return state.accrued(b) - state.accrued(a)

    def is_open(self, t: int) -> bool:
        state = self.state
        if state is None or not state.lo <= t < state.hi:
            state = self._cover(t, t)
        return t < state.ends[bisect_right(state.starts, t) - 1]

    def next_open(self, t: int) -> int:
        state = self.state
        if state is None or not state.lo <= t < state.hi:
            state = self._cover(t, t)
        while True:
            j = bisect_right(state.starts, t)
            if t < state.ends[j - 1]:
                return t
            if j < len(state.starts) and state.starts[j] <= state.hi:
                break
            # Opening after hi: one more second of business time past hi reaches it.
            state = self._extend_for(state, state.cum_hi + 1)
        opening = state.starts[j]
        if state.long_gap_ends:
            self._refuse_long_gap(state, t, opening)
        return opening

    # --- growing the horizon (under the lock; readers keep using the snapshot they have) ---

    def _cover(self, low: int, high: int) -> _State:
        """A snapshot with lo <= low and high < hi, grown a few years around them."""
        rules = self.rules
        for moment in (low, high):
            if not rules.midnight(rules.years.start) <= moment < rules.midnight(rules.years.stop):
                raise ValueError(
                    f"{datetime.fromtimestamp(moment, UTC):%Y-%m-%d %H:%M} UTC is outside the "
                    f"years this calendar covers ({rules.years.start}-{rules.years.stop - 1})"
                )
        with self._lock:
            state = self.state
            if state is not None and state.lo <= low and high < state.hi:
                return state
            first = rules.local(low).year - _YEARS_BEFORE
            last = rules.local(high).year + _YEARS_AFTER + 1
            if state is not None:
                first, last = min(first, state.first_year), max(last, state.last_year)
            return self._grow(first, last)

    def _extend_for(self, state: _State, target: int) -> _State:
        """A snapshot that reaches business time ``target`` (in ``state``'s terms) by its hi.

        Refuses to search past a closed stretch of a year or more, and past the last year.
        """
        if state.hi - state.trailing_gap >= _LONG_CLOSURE:
            raise self._long_gap_error(state.trailing_gap)
        rules = self.rules
        if state.last_year >= rules.years.stop:
            raise CalendarError(
                f"no deadline before the end of {rules.years.stop - 1}, the last year this "
                "calendar covers"
            )
        with self._lock:
            current = self.state
            assert current is not None  # only ever called with a snapshot in hand
            if current.last_year > state.last_year:
                return current  # another thread grew it meanwhile
            # Enough years at the rate seen so far (at least one), so a far target needs few
            # rebuilds; lo stays put, so accrued business times keep their meaning.
            span = current.hi - current.lo
            missing = target - current.cum_hi
            years = 1 if current.cum_hi <= 0 else ceil(missing * span / current.cum_hi / 365 / _DAY)
            return self._grow(current.first_year, current.last_year + max(years, 1))

    def _grow(self, first: int, last: int) -> _State:
        rules = self.rules
        first, last = max(first, rules.years.start), min(last, rules.years.stop)
        intervals: list[tuple[int, int]] = []
        for year in range(first, last):
            if year not in self._intervals:
                self._intervals[year] = rules.intervals(year)
            intervals += self._intervals[year]
        state = _State(rules, first, last, intervals)
        self.state, self.fast = state, state.fast
        return state

    def _refuse_long_gap(self, state: _State, start: int, end: int) -> None:
        """Raise when a closed stretch of a year or more ends within (start, end]."""
        i = bisect_right(state.long_gap_ends, start)
        if i < len(state.long_gap_ends) and state.long_gap_ends[i] <= end:
            opening = state.long_gap_ends[i]
            k = bisect_left(state.starts, opening)
            raise self._long_gap_error(state.ends[k - 1])

    def _long_gap_error(self, closing: int) -> CalendarError:
        local = self.rules.local(closing)
        return CalendarError(
            f"no business time in the year after {local:%Y-%m-%d %H:%M} "
            f"({self.rules.zone.key}) - check the holidays and closures"
        )
