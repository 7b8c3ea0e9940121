"""Reports for supervisors (issue 15): what happened to the tickets opened in a period, from the
tickets, their clocks, the event log and the satisfaction answers - the same queries on SQLite
and PostgreSQL, each a grouped count or one column read, never a row per ticket in Python
except the two time distributions (business seconds of the stopped clocks)."""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate

from loket.sla.models import Clock, ClockKind, ClockStatus
from loket.tickets.models import Event, EventKind, Rating, SatisfactionSurvey, Status, Ticket

# The events that resolve a ticket: a status change, a reply sent with "then resolved", a review.
RESOLVING = (
    Q(kind=EventKind.STATUS_CHANGED, data__to=Status.RESOLVED)
    | Q(kind=EventKind.PUBLIC_REPLY, data__status__to=Status.RESOLVED)
    | Q(kind=EventKind.RESOLVED_IN_REVIEW)
)


@dataclass(frozen=True)
class Period:
    """Whole days in the desk's time zone (WIB), `first` to `last` included."""

    first: date
    last: date
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=self.zone)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=self.zone)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class Attainment:
    met: int
    breached: int
    open_at_risk: int  # still running or paused, not breached yet

    @property
    def total(self) -> int:
        return self.met + self.breached + self.open_at_risk

    @property
    def rate(self) -> float | None:
        """Met among those decided (met or breached), as a percentage."""
        decided = self.met + self.breached
        return round(100 * self.met / decided, 1) if decided else None


@dataclass(frozen=True)
class Distribution:
    count: int
    median_hours: float | None
    p90_hours: float | None


@dataclass(frozen=True)
class AgentRow:
    name: str
    replies: int
    resolved: int
    good: int
    bad: int


@dataclass
class Report:
    period: Period
    opened: int = 0
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_channel: list[tuple[str, int]] = field(default_factory=list)
    by_language: list[tuple[str, int]] = field(default_factory=list)
    first_response: Attainment = Attainment(0, 0, 0)
    resolution: Attainment = Attainment(0, 0, 0)
    first_response_time: Distribution = Distribution(0, None, None)
    resolution_time: Distribution = Distribution(0, None, None)
    daily: list[tuple[date, int, int]] = field(default_factory=list)  # day, opened, resolved
    backlog_now: int = 0
    escalations: int = 0
    complex_cases: int = 0
    satisfaction: tuple[int, int] = (0, 0)  # good, bad
    agents: list[AgentRow] = field(default_factory=list)


def build_report(period: Period) -> Report:
    opened = Ticket.objects.filter(
        created_at__gte=period.start, created_at__lt=period.end, merged_into__isnull=True
    )
    clocks = Clock.objects.filter(ticket__in=opened.values("pk"))
    events = Event.objects.filter(created_at__gte=period.start, created_at__lt=period.end)
    answered = SatisfactionSurvey.objects.filter(
        answered_at__gte=period.start, answered_at__lt=period.end
    )
    return Report(
        period=period,
        opened=opened.count(),
        by_category=grouped(opened, "category_id"),
        by_channel=grouped(opened, "channel"),
        by_language=grouped(opened, "language"),
        first_response=attainment(clocks.filter(kind=ClockKind.FIRST_RESPONSE)),
        resolution=attainment(clocks.filter(kind=ClockKind.RESOLUTION)),
        first_response_time=distribution(clocks.filter(kind=ClockKind.FIRST_RESPONSE)),
        resolution_time=distribution(clocks.filter(kind=ClockKind.RESOLUTION)),
        daily=daily(opened, events, period),
        backlog_now=Ticket.objects.filter(status__in=(Status.NEW, Status.OPEN,
                                                      Status.PENDING_CUSTOMER)).count(),
        escalations=events.filter(kind=EventKind.ESCALATED).count(),
        complex_cases=events.filter(kind=EventKind.MARKED_COMPLEX).count(),
        satisfaction=(answered.filter(rating=Rating.GOOD).count(),
                      answered.filter(rating=Rating.BAD).count()),
        agents=agent_rows(events, answered),
    )  # fmt: skip


def grouped(tickets: QuerySet[Ticket], column: str) -> list[tuple[str, int]]:
    rows = tickets.values_list(column).annotate(n=Count("id")).order_by("-n", column)
    return [(str(value), n) for value, n in rows]


def attainment(clocks: QuerySet[Clock]) -> Attainment:
    counts = clocks.aggregate(
        n_breached=Count("id", filter=Q(breached=True)),
        n_met=Count("id", filter=Q(breached=False, status=ClockStatus.STOPPED)),
        n_running=Count("id", filter=Q(breached=False) & ~Q(status=ClockStatus.STOPPED)),
    )
    return Attainment(counts["n_met"], counts["n_breached"], counts["n_running"])


def distribution(clocks: QuerySet[Clock]) -> Distribution:
    """Business hours until the clock stopped (an agent's first answer; the resolution)."""
    seconds = sorted(
        clocks.filter(status=ClockStatus.STOPPED).values_list("accrued_seconds", flat=True)
    )
    if not seconds:
        return Distribution(0, None, None)
    return Distribution(
        len(seconds), round(statistics.median(seconds) / 3600, 2),
        round(percentile(seconds, 0.9) / 3600, 2),
    )  # fmt: skip


def percentile(ordered: Sequence[int], fraction: float) -> float:
    """Nearest-rank percentile of sorted values (p90 of 10 values is the 9th)."""
    rank = max(1, -(-len(ordered) * fraction // 1))
    return float(ordered[int(rank) - 1])


def daily(
    opened: QuerySet[Ticket], events: QuerySet[Event], period: Period
) -> list[tuple[date, int, int]]:
    """Per day in WIB: tickets opened, and tickets resolved (a change to resolved, by anyone)."""
    created = dict(
        opened.annotate(day=TruncDate("created_at", tzinfo=period.zone))
        .values_list("day").annotate(n=Count("id")).values_list("day", "n")
    )  # fmt: skip
    resolutions = events.filter(RESOLVING)
    resolved = dict(
        resolutions.annotate(day=TruncDate("created_at", tzinfo=period.zone))
        .values_list("day").annotate(n=Count("id")).values_list("day", "n")
    )  # fmt: skip
    return [(day, created.get(day, 0), resolved.get(day, 0)) for day in period.days()]


def agent_rows(events: QuerySet[Event], answered: QuerySet[SatisfactionSurvey]) -> list[AgentRow]:
    """Per agent: public replies and resolutions in the period (the event log's actors), and
    the satisfaction answers about tickets they held when resolved."""
    replies = dict(
        events.filter(kind=EventKind.PUBLIC_REPLY, actor__isnull=False)
        .values_list("actor__username").annotate(n=Count("id")).values_list("actor__username", "n")
    )  # fmt: skip
    resolved = dict(
        events.filter(RESOLVING, actor__isnull=False)
        .values_list("actor__username").annotate(n=Count("id")).values_list("actor__username", "n")
    )  # fmt: skip
    ratings: dict[str, dict[str, int]] = {}
    rows = answered.filter(agent__isnull=False).values_list("agent__username", "rating")
    for name, rating, n in rows.annotate(n=Count("id")).values_list(
        "agent__username", "rating", "n"
    ):
        ratings.setdefault(name, {})[rating] = n
    names = sorted(set(replies) | set(resolved) | set(ratings))
    return [
        AgentRow(
            name,
            replies.get(name, 0),
            resolved.get(name, 0),
            ratings.get(name, {}).get(Rating.GOOD, 0),
            ratings.get(name, {}).get(Rating.BAD, 0),
        )
        for name in names
    ]
