"""The soak's goals (issue 13, "Must hold") and the figures they are judged on."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from bench.common import median
from bench.soak.run import Result
from bench.soak.watch import BOUNDED_ROLES, Sample, role_of_label

MEMORY_LIMIT_MB = 150.0
BACKLOG_LIMIT_SECONDS = 1.0  # of intake at the offered rate


@dataclass(frozen=True)
class Goal:
    name: str
    met: bool
    figure: str

    @property
    def verdict(self) -> str:
        return "met" if self.met else "missed"


@dataclass(frozen=True)
class Trend:
    first: float  # median backlog over the first third of the load
    last: float  # ... and over the last third
    slope: float  # least-squares backlog growth, messages per minute


def trend(samples: Sequence[Sample]) -> Trend:
    if len(samples) < 3:
        return Trend(float("nan"), float("nan"), float("nan"))
    end = samples[-1].at
    first = [s.backlog for s in samples if s.at <= end / 3]
    last = [s.backlog for s in samples if s.at >= 2 * end / 3]
    times = [s.at / 60 for s in samples]
    backlogs = [float(s.backlog) for s in samples]
    slope = statistics.linear_regression(times, backlogs).slope if len(set(times)) > 1 else 0.0
    return Trend(median(first), median(last), slope)


def max_rss(samples: Sequence[Sample]) -> dict[str, float]:
    """The highest RSS seen per role ("web worker" over all web workers), in MB."""
    peaks: dict[str, float] = {}
    for sample in samples:
        for label, mb in sample.rss.items():
            role = role_of_label(label)
            peaks[role] = max(peaks.get(role, 0.0), mb)
    return peaks


def goals(result: Result) -> list[Goal]:
    samples = result.samples
    limit = result.target * BACKLOG_LIMIT_SECONDS
    end = samples[-1].backlog if samples else -1
    shape = trend(samples)
    peaks = max_rss(samples)
    bounded = {role: mb for role, mb in peaks.items() if role in BOUNDED_ROLES}
    worst = max(bounded.values(), default=float("nan"))
    return [
        Goal(
            "backlog at the end of the load at most 1 s of intake",
            0 <= end <= limit,
            f"{end} unsent, limit {limit:.0f}",
        ),
        Goal(
            "backlog not growing",
            shape.last <= shape.first + limit,
            f"median {shape.first:.0f} over the first third, {shape.last:.0f} over the last; "
            f"slope {shape.slope:+.1f}/min",
        ),
        Goal(
            "every ticket exactly one acknowledgement",
            result.after_drain.all_exactly_once,
            f"{result.after_drain.exactly_one_sent:,} of {result.after_drain.tickets:,} "
            "after the drain",
        ),
        Goal(
            f"RSS of each web process and the worker under {MEMORY_LIMIT_MB:.0f} MB",
            len(bounded) == len(BOUNDED_ROLES) and worst < MEMORY_LIMIT_MB,
            ", ".join(f"{role} {mb:.1f} MB" for role, mb in sorted(bounded.items())),
        ),
    ]
