"""What is measured in the child: the due-clock selection three ways, and one `sweep(now)` call
with the time spent inside its database calls. Imported only after `django.setup()`."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django_tasks_db.models import DBTaskResult

import loket.sla.sweep
from bench.common import BenchError, median
from bench.sla_sweep.checks import verify
from bench.sla_sweep.config import ACTUAL_ROWS, EXECUTION_TIME, NOW, PLAN_KIND
from bench.sla_sweep.results import SweepRun
from loket.notify.models import OutboxMessage
from loket.sla.models import Clock, SlaPoint
from loket.sla.sweep import BATCH, due_clocks, sweep
from loket.tickets.models import Event

STATEMENT_TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)


def fingerprint() -> str:
    """SHA-256 of the sweep's source as this process imported it."""
    return hashlib.sha256(Path(loket.sla.sweep.__file__).read_bytes()).hexdigest()


class StatementTimer:
    """An execute wrapper: time spent in the database calls, by statement and table."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self.calls: list[tuple[str, Any]] = []

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = statement_kind(sql)
            self.seconds[key] = self.seconds.get(key, 0.0) + time.perf_counter() - began
            self.counts[key] = self.counts.get(key, 0) + 1
            self.calls.append((sql, params))

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


def statement_kind(sql: str) -> str:
    verb = sql.split(None, 1)[0].upper() if sql.strip() else "?"
    match = STATEMENT_TABLE.search(sql)
    return f"{verb} {match.group(1)}" if match else verb


# --- The selection -----------------------------------------------------------------------------


def selection_statement() -> tuple[str, Any]:
    """The SQL and parameters `due_clocks()` sends, captured as it sends them."""
    timer = StatementTimer()
    with transaction.atomic(), connection.execute_wrapper(timer):
        due_clocks(NOW, BATCH)
        transaction.set_rollback(True)
    selects = [(sql, params) for sql, params in timer.calls if "sla_clock" in sql]
    if len(selects) != 1:
        raise BenchError(f"due_clocks() sent {len(selects)} statements on sla_clock, not one")
    return selects[0]


def display_sql(sql: str, params: Any) -> str:
    """The statement with its parameters in place, to show (never to run)."""
    literals = tuple(
        f"'{value}'" if isinstance(value, str | datetime) else str(value) for value in params
    )
    return sql % literals


def explain(database: str, sql: str, params: Any) -> str:
    """The plan, in a transaction rolled back (EXPLAIN ANALYZE runs the statement and locks)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"{PLAN_KIND[database]} {sql}", params)
        rows = cursor.fetchall()
        transaction.set_rollback(True)
    # PostgreSQL: a line of text per row; SQLite: (id, parent, notused, detail).
    return "\n".join(str(row[-1]) for row in rows)


class EngineTimer:
    """The selection as the database engine alone runs it, in ms: on PostgreSQL the execution
    time `EXPLAIN (ANALYZE, TIMING OFF)` reports (the server's work, no transfer); on SQLite the
    statement stepped to the end by the stdlib module on a connection of its own, without the
    type conversions Django's connection asks for."""

    def __init__(self, sql: str, params: Any) -> None:
        self.sql, self.params = sql, params
        self.db: sqlite3.Connection | None = None

    def __enter__(self) -> EngineTimer:
        if connection.vendor == "sqlite":
            path = settings.DATABASES["default"]["NAME"]
            self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.db is not None:
            self.db.close()

    def __call__(self) -> tuple[float, int]:
        """(ms, rows found)"""
        if self.db is not None:
            began = time.perf_counter()
            found = len(self.db.execute(self.sql.replace("%s", "?"), self.params).fetchall())
            return (time.perf_counter() - began) * 1000, found
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, TIMING OFF) " + self.sql, self.params)
            plan = "\n".join(str(row[0]) for row in cursor.fetchall())
            transaction.set_rollback(True)
        took, rows = EXECUTION_TIME.search(plan), ACTUAL_ROWS.search(plan)
        if took is None or rows is None:
            raise BenchError(f"no execution time in the plan:\n{plan}")
        return float(took.group(1)), int(rows.group(1))


def time_selection(
    engine: EngineTimer, sql: str, params: Any, repeats: int, expected: int
) -> tuple[float, float, float]:
    """Median ms of the selection: in the engine alone, through Django's cursor (execute and
    fetch all rows) and as the whole `due_clocks()` call (the same SQL, plus building the
    instances). Each in a transaction of its own, as the sweep runs it, rolled back."""
    engine_ms, query_ms, call_ms = [], [], []
    for _ in range(repeats):
        took, found = engine()
        engine_ms.append(took)
        if found != expected:
            raise BenchError(f"the selection found {found} clocks in the engine, not {expected}")
        took, found = time_cursor(sql, params)
        query_ms.append(took)
        took, clocks = time_due_clocks()
        call_ms.append(took)
        if found != expected or clocks != expected:
            raise BenchError(f"the selection found {found}/{clocks} clocks, not {expected}")
    return median(engine_ms), median(query_ms), median(call_ms)


def time_cursor(sql: str, params: Any) -> tuple[float, int]:
    """(ms, rows): the statement executed and all its rows fetched through Django's cursor."""
    with transaction.atomic(), connection.cursor() as cursor:
        began = time.perf_counter()
        cursor.execute(sql, params)
        found = len(cursor.fetchall())
        took = (time.perf_counter() - began) * 1000
        transaction.set_rollback(True)
    return took, found


def time_due_clocks() -> tuple[float, int]:
    """(ms, clocks): the whole `due_clocks()` call, as the sweep makes it."""
    with transaction.atomic():
        began = time.perf_counter()
        clocks = due_clocks(NOW, BATCH)
        took = (time.perf_counter() - began) * 1000
        transaction.set_rollback(True)
    return took, len(clocks)


# --- The sweep ---------------------------------------------------------------------------------


def reset(database: str) -> None:
    """Back to the state after the fill: the due clocks due again, nothing recorded."""
    with connection.cursor() as cursor:
        for model in (SlaPoint, Event, OutboxMessage, DBTaskResult):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608
        Clock.objects.filter(warned=True).update(breached=False, next_check_at=F("breach_at"))
        if database == "postgres":
            # Keep the runs alike: no dead rows from the last run, no checkpoint within a run.
            tables = ", ".join(m._meta.db_table for m in (Clock, SlaPoint, Event, OutboxMessage))
            cursor.execute(f"VACUUM (ANALYZE) {tables}")
            cursor.execute("CHECKPOINT")
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def time_sweep(breaches: int) -> SweepRun:
    timer = StatementTimer()
    with connection.execute_wrapper(timer):
        began = time.perf_counter()
        report = sweep(NOW)
        seconds = time.perf_counter() - began
    verify(report.as_dict(), breaches)
    return SweepRun(seconds, len(timer.calls), timer.total, timer.seconds, timer.counts)
