"""The business calendar: the SLA examples of POLICY.md, holidays and collective leave, DST,
validation, and property tests against a naive minute-stepping oracle kept here.

The oracle shares no code with loket.calendar: it decides "open" from the local wall clock with
plain weekday, window and closed-date checks, takes the holidays straight from the `holidays`
package, and walks the clock forward a minute at a time.
"""

from __future__ import annotations

import copy
import functools
import pickle
import threading
import time as clock
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loket.calendar import (
    BusinessCalendar,
    CalendarError,
    build_calendar,
    business_days,
)

WIB = ZoneInfo("Asia/Jakarta")
BERLIN = ZoneInfo("Europe/Berlin")
ONE_DAY = business_days(1)
HOUR = timedelta(hours=1)

type Week = Mapping[int, Sequence[tuple[time, time]]]

OFFICE_HOURS: Week = {day: [(time(9), time(18))] for day in range(5)}  # S3: Mon-Fri 09-18
LUNCH_BREAK: Week = {day: [(time(9), time(12)), (time(13), time(18))] for day in range(5)}
# Sunday windows that end and start inside the skipped hour of spring (02:00-03:00) and the
# repeated hour of autumn, where the European clocks change.
AROUND_DST: Week = {
    **{day: [(time(9), time(12)), (time(13), time(18))] for day in range(5)},
    5: [(time(22), time(0))],
    6: [(time(0, 30), time(2, 15)), (time(2, 30), time(4))],
}
BERLIN_CLOSURES = frozenset({date(2026, 4, 3), date(2026, 12, 24), date(2026, 12, 31)})


def wib(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WIB)


@functools.cache
def catalo(*categories: str) -> BusinessCalendar:
    """The Catalo.id calendar (S3): WIB, Mon-Fri 09:00-18:00, Indonesian holidays."""
    return build_calendar(
        time_zone="Asia/Jakarta",
        weekly=OFFICE_HOURS,
        holiday_country="ID",
        holiday_categories=categories or ("public",),
        closures=(),
    )


@functools.cache
def with_lunch_break() -> BusinessCalendar:
    return build_calendar(
        time_zone="Asia/Jakarta",
        weekly=LUNCH_BREAK,
        holiday_country="ID",
        holiday_categories=("public",),
        closures=[date(2026, 3, 10)],
    )


@functools.cache
def berlin() -> BusinessCalendar:
    return BusinessCalendar(
        time_zone="Europe/Berlin", weekly=AROUND_DST, closed_days=BERLIN_CLOSURES
    )


# --- the oracle --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Oracle:
    """Business time the slow, obvious way.

    Every window edge is a whole minute and both zones' offsets are whole hours, so whether
    the desk is open cannot change inside a UTC minute: stepping from minute boundary to minute
    boundary (with the partial minutes at either end) sees every second right.
    """

    zone: ZoneInfo
    weekly: Week
    closed: frozenset[date]

    MAX_STEPS = 400_000  # a bug in the oracle must fail the test, not hang it

    def is_open(self, second: int) -> bool:
        local = datetime.fromtimestamp(second, self.zone)
        if local.date() in self.closed:
            return False
        now = local.time()
        return any(
            start <= now and (now < end or end == time(0))
            for start, end in self.weekly.get(local.weekday(), ())
        )

    def steps(self, second: int) -> Iterable[tuple[int, int, bool]]:
        """(start, end, open) for each piece of minute from ``second`` on."""
        for _ in range(self.MAX_STEPS):
            boundary = (second // 60 + 1) * 60
            yield second, boundary, self.is_open(second)
            second = boundary
        raise AssertionError("the oracle walked too far")

    def add(self, start: int, duration: int) -> int:
        left = duration
        moment = start
        for piece_start, piece_end, is_open in self.steps(start):
            if left == 0:
                break
            moment = piece_end
            if is_open:
                taken = min(piece_end - piece_start, left)
                left -= taken
                moment = piece_start + taken
        return moment

    def between(self, a: int, b: int) -> int:
        if b < a:
            return -self.between(b, a)
        total = 0
        for piece_start, piece_end, is_open in self.steps(a):
            if piece_start >= b:
                break
            if is_open:
                total += min(piece_end, b) - piece_start
        return total

    def next_open(self, second: int) -> int:
        for piece_start, _, is_open in self.steps(second):
            if is_open:
                return piece_start
        raise AssertionError("unreachable")


def indonesian_holidays(*categories: str) -> frozenset[date]:
    table = holidays.country_holidays("ID", years=range(2024, 2029), categories=categories)
    return frozenset(table)


@dataclass(frozen=True)
class Case:
    name: str
    calendar: Callable[[], BusinessCalendar]
    oracle: Oracle
    days: Sequence[date]  # days worth sampling more often: holidays, DST changes, closures

    def __repr__(self) -> str:
        return self.name


PUBLIC = indonesian_holidays("public")
GOVERNMENT = indonesian_holidays("public", "government")
CASES = [
    Case("catalo", catalo, Oracle(WIB, OFFICE_HOURS, PUBLIC), sorted(PUBLIC)),
    Case(
        "catalo+cuti",
        lambda: catalo("public", "government"),
        Oracle(WIB, OFFICE_HOURS, GOVERNMENT),
        sorted(GOVERNMENT),
    ),
    Case(
        "lunch",
        with_lunch_break,
        Oracle(WIB, LUNCH_BREAK, PUBLIC | {date(2026, 3, 10)}),
        sorted(PUBLIC),
    ),
    Case(
        "berlin",
        berlin,
        Oracle(BERLIN, AROUND_DST, BERLIN_CLOSURES),
        [date(2026, 3, 29), date(2026, 10, 25), date(2027, 3, 28), *BERLIN_CLOSURES],
    ),
]

# --- strategies --------------------------------------------------------------------------------

FIRST_DAY, LAST_DAY = date(2025, 12, 1), date(2027, 1, 31)
EDGES = [time(0), time(0, 30), time(2, 15), time(2, 30), time(9), time(12), time(13), time(18)]


@st.composite
def instants(draw: st.DrawFn, case: Case, around: date | None = None) -> datetime:
    """Instants biased to the edges: near a window edge or midnight, on or around a special day
    (or within ten days of ``around``)."""
    if around is not None:
        day = around + timedelta(days=draw(st.integers(-10, 10)))
    elif draw(st.booleans()):
        day = draw(st.dates(min_value=FIRST_DAY, max_value=LAST_DAY))
    else:
        special = [day for day in case.days if FIRST_DAY <= day <= LAST_DAY]
        day = draw(st.sampled_from(special)) + timedelta(days=draw(st.integers(-2, 1)))
    edge = draw(st.sampled_from(EDGES))
    offset = draw(
        st.one_of(
            st.integers(-90, 90),
            st.integers(-3 * 3600, 3 * 3600),
            st.integers(0, 86_399),
        )
    )
    local = datetime.combine(day, edge, tzinfo=case.oracle.zone)
    return datetime.fromtimestamp(local.timestamp() + offset, UTC)


durations = st.one_of(
    st.integers(0, 30 * 3600),
    st.integers(0, 3).map(lambda days: days * 9 * 3600),
    st.tuples(st.integers(1, 3), st.integers(-120, 120)).map(lambda d: d[0] * 9 * 3600 + d[1]),
).map(lambda seconds: timedelta(seconds=max(seconds, 0)))

cases = st.sampled_from(CASES)
oracle_settings = settings(max_examples=200, deadline=None)


def seconds_of(moment: datetime) -> int:
    return int(moment.timestamp())


# --- the SLA examples of POLICY.md (S3, S4, "SLA clock semantics") ---------------------------


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (wib(2026, 3, 2, 9), wib(2026, 3, 2, 18)),  # Mon 09:00 -> Mon 18:00
        (wib(2026, 3, 6, 17), wib(2026, 3, 9, 17)),  # Fri 17:00 -> Mon 17:00
        (wib(2026, 3, 7, 10), wib(2026, 3, 9, 18)),  # Sat 10:00 -> Mon 18:00
    ],
    ids=["monday-0900", "friday-1700", "saturday-1000"],
)
def test_one_business_day_from_the_policy_examples(start: datetime, due: datetime) -> None:
    deadline = catalo().add(start.astimezone(UTC), ONE_DAY)
    assert deadline == due
    assert deadline.tzinfo is UTC
    assert catalo().add(start, ONE_DAY) == due  # the zone of the input does not matter


def test_the_test_dates_are_real_indonesian_holidays() -> None:
    public = holidays.country_holidays("ID", years=2026, categories="public")
    government = holidays.country_holidays("ID", years=2026, categories="government")
    assert {date(2026, 3, 19), date(2026, 12, 25)} <= set(public)  # Nyepi, Christmas
    assert {date(2026, 3, 18), date(2026, 3, 20), date(2026, 12, 24)} <= set(government)
    assert date(2026, 3, 18) not in public
    assert date(2026, 12, 24) not in public


def test_a_clock_started_before_nyepi_skips_it() -> None:
    # Wed 17:00: one hour on Wednesday, Thursday 19 March is Nyepi, eight hours on Friday.
    assert catalo().add(wib(2026, 3, 18, 17), ONE_DAY) == wib(2026, 3, 20, 17)
    assert not catalo().is_open(wib(2026, 3, 19, 10))
    assert catalo().next_open(wib(2026, 3, 19, 10)) == wib(2026, 3, 20, 9)


def test_a_clock_started_before_christmas_skips_it_and_the_weekend() -> None:
    # Thu 24 December 17:00; Friday 25 is Christmas, then the weekend.
    assert catalo().add(wib(2026, 12, 24, 17), ONE_DAY) == wib(2026, 12, 28, 17)
    assert catalo().between(wib(2026, 12, 24, 9), wib(2026, 12, 28, 9)) == timedelta(hours=9)


def test_collective_leave_closes_only_when_the_setting_asks() -> None:
    cuti = wib(2026, 12, 24, 10)  # Cuti Bersama Hari Raya Natal
    assert catalo("public").is_open(cuti)
    assert not catalo("public", "government").is_open(cuti)
    # With collective leave, 18 to 24 March is closed: Nyepi, Idul Fitri and cuti bersama.
    assert catalo("public", "government").add(wib(2026, 3, 18, 17), ONE_DAY) == wib(2026, 3, 25, 18)
    assert catalo("public", "government").add(wib(2026, 12, 24, 17), ONE_DAY) == wib(
        2026, 12, 28, 18
    )


def test_several_windows_a_day() -> None:
    calendar = with_lunch_break()
    assert calendar.add(wib(2026, 3, 2, 11), 2 * HOUR) == wib(2026, 3, 2, 14)
    assert calendar.add(wib(2026, 3, 2, 9), 3 * HOUR) == wib(2026, 3, 2, 12)  # ends at 12:00
    assert not calendar.is_open(wib(2026, 3, 2, 12, 30))
    assert calendar.next_open(wib(2026, 3, 2, 12, 30)) == wib(2026, 3, 2, 13)
    assert calendar.between(wib(2026, 3, 2), wib(2026, 3, 3)) == 8 * HOUR
    # Tuesday 10 March is an admin closure.
    assert calendar.between(wib(2026, 3, 10), wib(2026, 3, 11)) == timedelta(0)


def test_touching_windows_and_a_window_until_midnight() -> None:
    calendar = BusinessCalendar(
        time_zone="Asia/Jakarta",
        weekly={0: [(time(13), time(0)), (time(9), time(13))], 1: [(time(0), time(2))]},
    )
    assert calendar.between(wib(2026, 3, 2), wib(2026, 3, 3, 12)) == 17 * HOUR
    assert calendar.add(wib(2026, 3, 2, 23), 2 * HOUR) == wib(2026, 3, 3, 1)
    assert calendar.is_open(wib(2026, 3, 3, 0))
    assert calendar.next_open(wib(2026, 3, 3, 5)) == wib(2026, 3, 9, 9)


def test_zero_duration_is_the_start_itself_even_when_closed() -> None:
    saturday = wib(2026, 3, 7, 10)
    assert catalo().add(saturday, timedelta(0)) == saturday
    assert catalo().add(wib(2026, 3, 2, 18), timedelta(seconds=1)) == wib(
        2026, 3, 3, 9
    ) + timedelta(seconds=1)


def test_between_is_antisymmetric() -> None:
    monday, tuesday_noon = wib(2026, 3, 2, 9), wib(2026, 3, 3, 12)
    assert catalo().between(monday, tuesday_noon) == 12 * HOUR
    assert catalo().between(tuesday_noon, monday) == -12 * HOUR


def test_instants_are_truncated_to_the_second() -> None:
    start = wib(2026, 3, 2, 9) + timedelta(microseconds=999_999)
    assert catalo().add(start, HOUR) == wib(2026, 3, 2, 10)
    assert catalo().between(start, wib(2026, 3, 2, 10)) == HOUR
    assert catalo().next_open(wib(2026, 3, 2, 8, 59) + timedelta(seconds=59.5)) == wib(
        2026, 3, 2, 9
    )


def test_business_days_are_nine_hours_each() -> None:
    assert business_days(1) == timedelta(hours=9)
    assert business_days(5) == timedelta(hours=45)
    assert business_days(0.5) == timedelta(hours=4, minutes=30)
    assert business_days(1 / 3) == timedelta(hours=3)
    assert business_days(2, hours_per_day=8) == timedelta(hours=16)
    with pytest.raises(ValueError, match="business days"):
        business_days(-1)
    with pytest.raises(ValueError, match="hours per business day"):
        business_days(1, hours_per_day=0)


# --- daylight saving time (Europe/Berlin changes on the last Sundays of March and October) ---


def berlin_time(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def test_windows_follow_the_wall_clock_across_the_skipped_hour() -> None:
    spring = date(2026, 3, 29)  # 02:00 CET becomes 03:00 CEST
    day = (berlin_time(2026, 3, 29, 0), berlin_time(2026, 3, 30, 0))
    # 00:30-02:15 is 00:30-02:00 (1.5 h), and 02:30-04:00 is 03:00-04:00 (1 h).
    assert berlin().between(*day) == timedelta(hours=2.5)
    assert berlin().is_open(datetime(2026, 3, 29, 0, 59, tzinfo=UTC))  # 01:59 CET
    assert berlin().is_open(datetime(2026, 3, 29, 1, 0, tzinfo=UTC))  # 03:00 CEST
    assert berlin().add(datetime.combine(spring, time(1, 30), BERLIN), HOUR) == datetime(
        2026, 3, 29, 1, 30, tzinfo=UTC
    )  # 01:30-02:00 CET, then 03:00-03:30 CEST


def test_windows_follow_the_wall_clock_across_the_repeated_hour() -> None:
    day = (berlin_time(2026, 10, 25, 0), berlin_time(2026, 10, 26, 0))
    # 00:30-02:15 runs 1 h 45 min plus the repeated 02:00-02:15; 02:30-04:00 gets a second
    # 02:30-03:00: 2 h + 2 h in all.
    assert berlin().between(*day) == timedelta(hours=4)
    assert berlin().is_open(datetime(2026, 10, 25, 0, 10, tzinfo=UTC))  # 02:10 CEST
    assert not berlin().is_open(datetime(2026, 10, 25, 0, 20, tzinfo=UTC))  # 02:20 CEST
    assert berlin().is_open(datetime(2026, 10, 25, 1, 10, tzinfo=UTC))  # 02:10 CET


def test_an_ordinary_berlin_week_keeps_its_local_hours_in_summer_and_winter() -> None:
    for monday in (date(2026, 1, 5), date(2026, 7, 6)):
        start = datetime.combine(monday, time(9), BERLIN)
        assert berlin().add(start, timedelta(hours=8)) == datetime.combine(monday, time(18), BERLIN)


# --- the oracle, over random instants --------------------------------------------------------


@oracle_settings
@given(data=st.data(), case=cases, duration=durations)
def test_add_agrees_with_the_oracle(data: st.DataObject, case: Case, duration: timedelta) -> None:
    start = data.draw(instants(case))
    deadline = case.calendar().add(start, duration)
    expected = case.oracle.add(seconds_of(start), int(duration.total_seconds()))
    assert seconds_of(deadline) == expected


@oracle_settings
@given(data=st.data(), case=cases)
def test_between_agrees_with_the_oracle(data: st.DataObject, case: Case) -> None:
    a = data.draw(instants(case))
    if data.draw(st.booleans()):
        b = a + timedelta(seconds=data.draw(st.integers(-5 * 86_400, 5 * 86_400)))
    else:
        b = data.draw(instants(case, around=in_zone(a, case).date()))
    expected = case.oracle.between(seconds_of(a), seconds_of(b))
    assert case.calendar().between(a, b) == timedelta(seconds=expected)


def in_zone(moment: datetime, case: Case) -> datetime:
    return moment.astimezone(case.oracle.zone)


@oracle_settings
@given(data=st.data(), case=cases)
def test_is_open_and_next_open_agree_with_the_oracle(data: st.DataObject, case: Case) -> None:
    moment = data.draw(instants(case))
    second = seconds_of(moment)
    assert case.calendar().is_open(moment) == case.oracle.is_open(second)
    assert seconds_of(case.calendar().next_open(moment)) == case.oracle.next_open(second)


@oracle_settings
@given(data=st.data(), case=cases, duration=durations)
def test_the_business_time_to_a_deadline_is_its_target(
    data: st.DataObject, case: Case, duration: timedelta
) -> None:
    start = data.draw(instants(case))
    deadline = case.calendar().add(start, duration)
    assert case.calendar().between(start, deadline) == duration
    if duration:  # and it is the earliest such instant
        assert case.calendar().between(start, deadline - timedelta(seconds=1)) < duration


@oracle_settings
@given(data=st.data(), case=cases, first=durations, second=durations)
def test_add_is_monotonic_and_composes(
    data: st.DataObject, case: Case, first: timedelta, second: timedelta
) -> None:
    calendar = case.calendar()
    a, b = sorted([data.draw(instants(case)), data.draw(instants(case))])
    short, long = sorted([first, second])
    assert calendar.add(a, first) <= calendar.add(b, first)
    assert calendar.add(a, short) <= calendar.add(a, long)
    assert calendar.add(calendar.add(a, first), second) == calendar.add(a, first + second)


# --- far targets and the lazily grown horizon ------------------------------------------------


def fresh_catalo() -> BusinessCalendar:
    return build_calendar(
        time_zone="Asia/Jakarta",
        weekly=OFFICE_HOURS,
        holiday_country="ID",
        holiday_categories=("public",),
        closures=(),
    )


def test_a_one_year_target_matches_between_and_day_by_day_steps() -> None:
    calendar = fresh_catalo()
    start = wib(2026, 3, 2, 11, 17)
    year = business_days(261)
    deadline = calendar.add(start, year)
    assert calendar.between(start, deadline) == year
    step = start
    for _ in range(261):
        step = calendar.add(step, ONE_DAY)
    assert step == deadline
    assert wib(2027, 3, 1) < deadline < wib(2027, 4, 1)


def test_a_ten_year_target_grows_the_horizon_and_stays_consistent() -> None:
    calendar = fresh_catalo()
    start = wib(2026, 3, 2, 9)
    deadline = calendar.add(start, business_days(2610))
    assert calendar.between(start, deadline) == business_days(2610)
    assert wib(2035, 1, 1) < deadline < wib(2037, 1, 1)


def test_answers_do_not_depend_on_the_order_the_horizon_grew_in() -> None:
    moments = [wib(2040, 6, 3, 10), wib(1999, 2, 3, 17), wib(2026, 8, 14, 12), wib(2070, 1, 2, 8)]
    forward, backward = fresh_catalo(), fresh_catalo()
    answers = [forward.add(moment, business_days(3)) for moment in moments]
    assert [backward.add(moment, business_days(3)) for moment in reversed(moments)] == list(
        reversed(answers)
    )
    assert forward.between(moments[1], moments[3]) == backward.between(moments[1], moments[3])


def test_threads_growing_one_calendar_agree_with_a_single_thread() -> None:
    starts = [wib(year, 5, 4, 10) for year in range(1980, 2090, 7)]
    expected = [fresh_catalo().add(start, business_days(40)) for start in starts]
    shared = fresh_catalo()
    results: dict[int, datetime] = {}

    def work(index: int) -> None:
        results[index] = shared.add(starts[index], business_days(40))

    threads = [threading.Thread(target=work, args=(index,)) for index in range(len(starts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [results[index] for index in range(len(starts))] == expected


def test_instants_outside_the_known_holiday_years_are_refused() -> None:
    with pytest.raises(ValueError, match="outside the years this calendar covers"):
        catalo().add(wib(2101, 1, 3, 10), HOUR)
    with pytest.raises(ValueError, match="outside the years"):
        catalo().is_open(wib(1960, 1, 4, 10))
    with pytest.raises(CalendarError, match="no deadline before the end of 2100"):
        catalo().add(wib(2100, 12, 1, 10), business_days(100))


# --- configuration errors are errors, not hangs -----------------------------------------------


def test_a_week_without_business_hours_is_refused() -> None:
    empty_days: Week = {0: [], 6: []}
    for weekly in ({}, empty_days):
        with pytest.raises(CalendarError, match="no business hours at all"):
            BusinessCalendar(time_zone="Asia/Jakarta", weekly=weekly)


@pytest.mark.parametrize(
    ("weekly", "message"),
    [
        ({0: [(time(9), time(12)), (time(11), time(18))]}, "overlap"),
        ({0: [(time(20), time(0)), (time(22), time(23))]}, "overlap"),
        ({0: [(time(18), time(9))]}, "ends before it starts"),
        ({0: [(time(9), time(9))]}, "ends before it starts"),
        ({7: [(time(9), time(18))]}, "weekday 7"),
        ({0: [(time(9, tzinfo=UTC), time(18))]}, "naive local times"),
        ({0: [(time(9, 0, 0, 5), time(18))]}, "whole seconds"),
    ],
)
def test_malformed_windows_are_refused(weekly: Week, message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        BusinessCalendar(time_zone="Asia/Jakarta", weekly=weekly)


def test_other_bad_settings_are_refused() -> None:
    with pytest.raises(CalendarError, match="not a known time zone"):
        BusinessCalendar(time_zone="Asia/Atlantis", weekly=OFFICE_HOURS)
    with pytest.raises(CalendarError, match="must be a date"):
        BusinessCalendar(
            time_zone="Asia/Jakarta", weekly=OFFICE_HOURS, closed_days=frozenset({wib(2026, 1, 2)})
        )
    with pytest.raises(CalendarError, match="years"):
        BusinessCalendar(time_zone="Asia/Jakarta", weekly=OFFICE_HOURS, years=range(1900, 2000))
    with pytest.raises(CalendarError, match="not a country"):
        build_calendar(
            time_zone="Asia/Jakarta", weekly=OFFICE_HOURS, holiday_country="XX", closures=()
        )
    with pytest.raises(CalendarError, match="bogus"):
        build_calendar(
            time_zone="Asia/Jakarta",
            weekly=OFFICE_HOURS,
            holiday_country="ID",
            holiday_categories=("bogus",),
        )
    with pytest.raises(CalendarError, match="beyond 1970-2100"):
        build_calendar(
            time_zone="Asia/Jakarta",
            weekly=OFFICE_HOURS,
            holiday_country="ID",
            years=range(2000, 2200),
        )


def every_day_of(year: int) -> frozenset[date]:
    first = date(year, 1, 1)
    return frozenset(first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days))


def quickly[T](call: Callable[[], T]) -> T:
    began = clock.monotonic()
    try:
        return call()
    finally:
        assert clock.monotonic() - began < 1.0


def test_closures_covering_a_whole_year_give_a_clear_error() -> None:
    calendar = build_calendar(
        time_zone="Asia/Jakarta",
        weekly=OFFICE_HOURS,
        holiday_country="ID",
        holiday_categories=("public",),
        closures=every_day_of(2027),
    )
    message = "no business time in the year after 2026-12-31 18:00 .* check the holidays and"
    for start in (wib(2026, 12, 31, 17), wib(2027, 6, 1, 10), wib(2027, 12, 31, 23)):
        with pytest.raises(CalendarError, match=message):
            quickly(functools.partial(calendar.add, start, 2 * HOUR))
    with pytest.raises(CalendarError, match=message):
        quickly(lambda: calendar.next_open(wib(2027, 6, 1, 10)))
    # Measuring is still fine, and so are clocks that do not cross the closed year.
    assert calendar.between(wib(2026, 12, 31, 17), wib(2028, 1, 4, 10)) == 11 * HOUR
    assert calendar.add(wib(2026, 12, 31, 16), 2 * HOUR) == wib(2026, 12, 31, 18)
    assert calendar.add(wib(2028, 1, 3, 10), HOUR) == wib(2028, 1, 3, 11)


def test_a_holiday_source_that_closes_every_day_gives_a_clear_error() -> None:
    calendar = BusinessCalendar(
        time_zone="Asia/Jakarta", weekly=OFFICE_HOURS, holidays=every_day_of
    )
    with pytest.raises(CalendarError, match="no business time in the year after"):
        quickly(lambda: calendar.add(wib(2026, 3, 2, 10), HOUR))
    with pytest.raises(CalendarError, match="no business time in the year after"):
        quickly(lambda: calendar.next_open(wib(2026, 3, 2, 10)))
    assert not calendar.is_open(wib(2026, 3, 2, 10))


# --- bad arguments -----------------------------------------------------------------------------


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 3, 2, 10)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="not an aware datetime"):
        catalo().add(naive, HOUR)
    with pytest.raises(ValueError, match="not an aware datetime"):
        catalo().between(wib(2026, 3, 2), naive)
    with pytest.raises(ValueError, match="not an aware datetime"):
        catalo().is_open(naive)
    with pytest.raises(ValueError, match="not an aware datetime"):
        catalo().next_open(naive)


def test_negative_and_fractional_durations_are_refused() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        catalo().add(wib(2026, 3, 2, 10), -HOUR)
    with pytest.raises(ValueError, match="cannot be negative"):
        catalo().add(wib(2026, 3, 2, 10), timedelta(seconds=-1))
    with pytest.raises(ValueError, match="whole number of seconds"):
        catalo().add(wib(2026, 3, 2, 10), timedelta(seconds=1.5))


# --- the calendar as a value -------------------------------------------------------------------


def test_calendars_built_from_the_same_settings_are_equal_and_copyable() -> None:
    assert fresh_catalo() == catalo()
    assert hash(fresh_catalo()) == hash(catalo())
    assert fresh_catalo() != catalo("public", "government")
    for duplicate in (
        copy.copy(catalo()),
        copy.deepcopy(catalo()),
        pickle.loads(pickle.dumps(catalo())),  # noqa: S301 - bytes made just above
    ):
        assert duplicate == catalo()
        assert duplicate.add(wib(2026, 3, 6, 17), ONE_DAY) == wib(2026, 3, 9, 17)


def test_weekly_is_stored_sorted_and_read_only() -> None:
    calendar = BusinessCalendar(
        time_zone="Asia/Jakarta", weekly={2: [(time(13), time(18)), (time(9), time(12))]}
    )
    assert calendar.weekly == {2: ((time(9), time(12)), (time(13), time(18)))}
    with pytest.raises(TypeError):
        calendar.weekly[3] = ()  # type: ignore[index]
