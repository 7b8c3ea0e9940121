"""The tickets and their clocks as rows, generated on the fly for the driver to load."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from bench.sla_sweep.config import (
    CATEGORY,
    CREATED_SPREAD,
    FUTURE_SPREAD,
    LOAD_CHUNK,
    NOW,
    PAST_SPREAD,
)

TICKET_COLUMNS = (
    "id, reference, subject, status, channel, requester_name, requester_email, language, "
    "created_at, updated_at, category_id, policy_version_id, complex_reason, time_zone"
)
# Columns the benchmark does not set itself get their model default (fill.py reads them from
# the model), so a new column never breaks the benchmark.
CLOCK_COLUMNS = (
    "id, ticket_id, kind, policy_version_id, status, warning_seconds, breach_seconds, "
    "accrued_seconds, running_since, warning_at, breach_at, cycle, warned, breached, "
    "next_check_at"
)


def marks(count: int) -> str:
    return ", ".join("?" * count)


@dataclass(frozen=True)
class Rows:
    """The tickets and their clocks, generated on the fly: whole-second instants as epoch
    seconds, spread deterministically (the sweep reads them; it never recomputes them)."""

    tickets: int
    breaches: int
    version_id: int
    warning_seconds: int
    breach_seconds: int

    @property
    def step(self) -> int:
        return self.tickets // self.breaches

    def is_due(self, i: int) -> bool:
        """Every step-th ticket, the first `breaches` of them: spread over the whole table."""
        return (i - 1) % self.step == 0 and (i - 1) // self.step < self.breaches

    def generate(self, first: int, last: int) -> Iterator[tuple[int, bool, int, int, int, int]]:
        """(id, due, created, warning_at, breach_at, next_check_at) for ids first..last."""
        now = int(NOW.timestamp())
        gap = self.breach_seconds - self.warning_seconds
        for i in range(first, last + 1):
            if self.is_due(i):
                breach = now - 1 - (i * 31) % PAST_SPREAD
                warning = breach - gap
                created = warning - self.warning_seconds
                yield i, True, created, warning, breach, breach
            else:
                warning = now + 60 + (i * 7919) % FUTURE_SPREAD
                created = now - 60 - (i * 104_729) % CREATED_SPREAD
                yield i, False, created, warning, warning + gap, warning

    def chunks(self) -> Iterator[tuple[int, int]]:
        for first in range(1, self.tickets + 1, LOAD_CHUNK):
            yield first, min(first + LOAD_CHUNK - 1, self.tickets)


def sqlite_time(epoch: int) -> str:
    """As Django stores an aware datetime in SQLite: naive UTC text, no fraction when zero."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch))


def postgres_time(epoch: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(epoch))


def row_values(
    rows: Rows,
    table: str,
    first: int,
    last: int,
    stamp: Callable[[int], str],
    booleans: tuple[object, object],
    defaults: tuple[object, ...] = (),
) -> Iterator[tuple[object, ...]]:
    true, false = booleans
    for i, due, created, warning, breach, next_check in rows.generate(first, last):
        if table == "tickets_ticket":
            yield (
                i, f"BEN-{i:09d}", f"Benchmark ticket {i}", "open", "web", f"Requester {i}",
                f"requester{i % 50_000}@example.com", "id", stamp(created), stamp(created),
                CATEGORY, rows.version_id, "", "", *defaults,
            )  # fmt: skip
        else:
            yield (
                i, i, "first_response", rows.version_id, "running", rows.warning_seconds,
                rows.breach_seconds, 0, stamp(created), stamp(warning), stamp(breach), 0,
                true if due else false, false, stamp(next_check),
            )  # fmt: skip


def copy_text(values: tuple[object, ...]) -> str:
    """One line of PostgreSQL's COPY text format."""
    return "\t".join(r"\N" if value is None else str(value) for value in values) + "\n"
