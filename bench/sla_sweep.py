"""SLA sweep benchmark (issue 4): finding the due clocks, and recording 10,000 breaches.

Fills a fresh database with N open tickets, each with a running first-response clock, of which
exactly `--breaches` are due for a breach at the sweep instant (their warning is recorded
already) and all the others are due in the future. Then, per run: the due-clock selection query
exactly as `loket.sla.sweep.due_clocks()` issues it (timed as SQL alone and as the whole call),
and `sweep(now)` recording the breaches, timed from call to return. The plan of the selection
must use the `clock_due` partial index; after every sweep the database must hold exactly one
breach point and one event per due clock. The medians replace the SLA sweep section of
docs/benchmarks.md.

    .venv/bin/python -m bench.sla_sweep            # SQLite 100,000 and PostgreSQL 1,000,000
    .venv/bin/python -m bench.sla_sweep --quick    # small numbers, 1 run, writes nothing
    .venv/bin/python -m bench.sla_sweep --database sqlite --profile

Each database is measured in a child process of its own (Django reads its database once, at
start): SQLite in a file under a fresh LOKET_VAR_DIR, PostgreSQL in a database `loket_bench` on
127.0.0.1:5432 that is dropped and created first and dropped again at the end. Only local
databases are touched and every loop is bounded.

The bar (issue 4): selecting the due clocks takes at most 10 ms and uses an index; 10,000
breaches are processed in at most 2 s; at least 20 times the 231 tickets/s of django-helpdesk
2.6.1's escalation pass.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import math
import os
import pstats
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import DOCS, REPO, machine_info, write_docs

SECTION = "## SLA sweep (issue 4)"
COMMAND = ".venv/bin/python -m bench.sla_sweep"

DATABASES = ("sqlite", "postgres")
NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
PLAN_KIND = {"sqlite": "EXPLAIN QUERY PLAN", "postgres": "EXPLAIN (ANALYZE, BUFFERS, WAL)"}
DEFAULT_TICKETS = {"sqlite": 100_000, "postgres": 1_000_000}
QUICK_TICKETS = {"sqlite": 5_000, "postgres": 20_000}
MAX_TICKETS = 10_000_000  # a bound on what a typo can make this script write
# Only this server is ever contacted; the benchmark database is created and dropped on it.
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_ADMIN_DATABASE = "postgres"
PG_DATABASE = "loket_bench"
CHILD_TIMEOUT = 3 * 3600.0

# The goals of issue 4.
SELECTION_GOAL_MS = 10.0
BREACHES_PER_GOAL = 10_000
PROCESSING_GOAL_SECONDS = 2.0
BASELINE_RATE = 231.0  # tickets/s, django-helpdesk 2.6.1's escalation pass (from the issue)
BASELINE_FACTOR = 20.0

# The sweep instant: a Monday, 12:00 in Jakarta. Every instant in the data is whole seconds.
NOW = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
CATEGORY = "support"  # first response in 1 business day: warning 24,300 s, breach 32,400 s
SUPERVISORS = (
    ("bench-supervisor-1", "sup1@example.com"),
    ("bench-supervisor-2", "sup2@example.com"),
)
LOAD_CHUNK = 50_000
FUTURE_SPREAD = 14 * 86_400  # future warnings spread over two weeks after the sweep instant
PAST_SPREAD = 3_600  # due breaches spread over the hour before it
CREATED_SPREAD = 3 * 86_400


class BenchError(Exception):
    """The benchmark could not measure what it set out to measure, or got a wrong answer."""


# --- Results (passed from each child process to the parent as JSON) ----------------------------


@dataclass
class SweepRun:
    seconds: float
    queries: int
    database_seconds: float  # inside the database calls, driver included
    by_statement: dict[str, float]  # statement ("UPDATE sla_clock") -> seconds
    statements: dict[str, int]  # statement -> how many


@dataclass
class Measured:
    database: str
    version: str
    tickets: int
    breaches: int
    batch: int
    repeats: int
    load_seconds: dict[str, float]  # table -> seconds to generate and load its rows
    analyze_seconds: float
    analyze_command: str
    selection_sql: str
    plan: str
    engine_ms: list[float] = field(default_factory=list)  # per run: median of the repeats
    query_ms: list[float] = field(default_factory=list)
    call_ms: list[float] = field(default_factory=list)
    runs: list[SweepRun] = field(default_factory=list)
    sweep_sha256: str = ""  # of src/loket/sla/sweep.py as the child imported it
    profile_seconds: float = 0.0
    profile_shares: dict[str, float] = field(default_factory=dict)  # part -> share of the sweep
    profile: str = ""

    @property
    def name(self) -> str:
        return NAMES[self.database]

    @property
    def fill_seconds(self) -> float:
        return sum(self.load_seconds.values())

    @property
    def sweep_seconds(self) -> list[float]:
        return [run.seconds for run in self.runs]

    @property
    def seconds_per_goal(self) -> float:
        """Median sweep time, scaled to the 10,000 breaches of the goal."""
        return statistics.median(self.sweep_seconds) * BREACHES_PER_GOAL / self.breaches

    @property
    def rate(self) -> float:
        return statistics.median([self.breaches / seconds for seconds in self.sweep_seconds])

    @property
    def engine_median(self) -> float:
        return statistics.median(self.engine_ms)

    @property
    def query_median(self) -> float:
        return statistics.median(self.query_ms)

    @property
    def call_median(self) -> float:
        return statistics.median(self.call_ms)

    def statement_median(self, statement: str) -> float:
        return statistics.median([run.by_statement.get(statement, 0.0) for run in self.runs])

    @property
    def database_median(self) -> float:
        return statistics.median([run.database_seconds for run in self.runs])

    def goals(self) -> dict[str, bool]:
        return {
            "selection": self.call_median <= SELECTION_GOAL_MS,
            "processing": self.seconds_per_goal <= PROCESSING_GOAL_SECONDS,
            "ratio": self.rate >= BASELINE_FACTOR * BASELINE_RATE,
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> Measured:
        runs = [SweepRun(**run) for run in data.pop("runs")]
        return Measured(**data, runs=runs)


# --- The parent: one child per database --------------------------------------------------------


@dataclass(frozen=True)
class Options:
    databases: tuple[str, ...]
    tickets: dict[str, int]
    breaches: int
    runs: int
    repeats: int
    write_docs: bool
    keep: bool
    profile: bool


def admin_connect() -> Any:
    import psycopg

    return psycopg.connect(f"{PG_SERVER}/{PG_ADMIN_DATABASE}", autocommit=True, connect_timeout=10)


def drop_database() -> None:
    with admin_connect() as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


def create_database() -> None:
    drop_database()
    with admin_connect() as admin:
        admin.execute(f"CREATE DATABASE {PG_DATABASE}")


def measure(database: str, options: Options) -> Measured:
    root = Path(tempfile.mkdtemp(prefix=f"loket-sla-{database}-"))
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="loket.settings",
        LOKET_VAR_DIR=str(root / "var"),
        LOKET_MAIL="file",
        LOKET_DEBUG="",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")])),
    )
    env.pop("DATABASE_URL", None)
    if database == "postgres":
        env["DATABASE_URL"] = f"{PG_SERVER}/{PG_DATABASE}"
        create_database()
    result = root / "result.json"
    command = [sys.executable, "-m", "bench.sla_sweep", "--child", database]
    command += ["--tickets", str(options.tickets[database]), "--breaches", str(options.breaches)]
    command += ["--runs", str(options.runs), "--repeats", str(options.repeats)]
    command += ["--result", str(result), *(["--profile"] if options.profile else [])]
    try:
        completed = subprocess.run(command, cwd=REPO, env=env, timeout=CHILD_TIMEOUT, check=False)
        if completed.returncode != 0:
            raise BenchError(
                f"the {NAMES[database]} measurement exited with {completed.returncode}"
            )
        return Measured.from_json(json.loads(result.read_text()))
    finally:
        if database == "postgres" and not options.keep:
            drop_database()
        if options.keep:
            print(
                f"kept {root}" + (f" and database {PG_DATABASE}" if database == "postgres" else "")
            )
        else:
            shutil.rmtree(root, ignore_errors=True)


def benchmark(options: Options) -> tuple[list[Measured], dict[str, str], datetime]:
    started = datetime.now(UTC)
    machine = machine_info("django", "psycopg")
    results = []
    for database in options.databases:
        print(f"== {NAMES[database]}: {options.tickets[database]:,} tickets", flush=True)
        results.append(measure(database, options))
    if len({result.sweep_sha256 for result in results}) > 1:
        raise BenchError("src/loket/sla/sweep.py changed between the databases' measurements")
    return results, machine, started


# --- The child: fill, then measure -------------------------------------------------------------


def child(
    database: str, tickets: int, breaches: int, runs: int, repeats: int, profile: bool
) -> Measured:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from loket.sla.sweep import BATCH

    call_command("migrate", verbosity=0)
    version_id, warning_seconds, breach_seconds = prepare()
    connections.close_all()  # the rows are loaded through the driver, on a connection of its own
    rows = Rows(tickets, breaches, version_id, warning_seconds, breach_seconds)
    if database == "postgres":
        load_seconds, analyze_seconds, analyze_command = fill_postgres(rows)
        version = fetch_one("SHOW server_version")
    else:
        load_seconds, analyze_seconds, analyze_command = fill_sqlite(rows)
        version = fetch_one("SELECT sqlite_version()")
    print(
        f"filled {tickets:,} tickets and clocks in {sum(load_seconds.values()):.1f} s "
        f"({analyze_command}: {analyze_seconds:.1f} s)",
        flush=True,
    )
    check_fill(tickets, breaches)
    sql, params = selection_statement()
    plan = explain(database, sql, params)
    print(plan, flush=True)
    if "clock_due" not in plan:
        raise BenchError(f"the due-clock selection does not use the clock_due index:\n{plan}")
    measured = Measured(
        database=database,
        version=version,
        tickets=tickets,
        breaches=breaches,
        batch=BATCH,
        repeats=repeats,
        load_seconds=load_seconds,
        analyze_seconds=analyze_seconds,
        analyze_command=analyze_command,
        selection_sql=display_sql(sql, params),
        plan=plan,
        sweep_sha256=fingerprint(),
    )
    with EngineTimer(sql, params) as engine:
        for number in range(1, runs + 1):
            reset(database)
            engine_ms, query_ms, call_ms = time_selection(
                engine, sql, params, repeats, min(breaches, BATCH)
            )
            measured.engine_ms.append(engine_ms)
            measured.query_ms.append(query_ms)
            measured.call_ms.append(call_ms)
            run = time_sweep(breaches)
            measured.runs.append(run)
            print(
                f"run {number}: selection {engine_ms:.2f} ms (engine) / {query_ms:.2f} ms "
                f"(Django cursor) / {call_ms:.2f} ms (due_clocks()); sweep {run.seconds:.3f} s "
                f"= {breaches / run.seconds:,.0f} breaches/s, {run.queries} queries taking "
                f"{run.database_seconds:.3f} s",
                flush=True,
            )
    reset(database)
    measured.profile_seconds, measured.profile_shares, measured.profile = profile_sweep(breaches)
    print(
        f"one more sweep under cProfile: {measured.profile_seconds:.3f} s; "
        + ", ".join(f"{part} {share:.0%}" for part, share in measured.profile_shares.items()),
        flush=True,
    )
    if profile:
        print(measured.profile, flush=True)
    connections.close_all()
    if fingerprint() != measured.sweep_sha256:
        raise BenchError("src/loket/sla/sweep.py changed while it was being measured")
    return measured


def fingerprint() -> str:
    import loket.sla.sweep

    return hashlib.sha256(Path(loket.sla.sweep.__file__).read_bytes()).hexdigest()


def prepare() -> tuple[int, int, int]:
    """The shipped policy and two supervisors; returns (policy version, warning s, breach s)."""
    from django.conf import settings
    from django.contrib.auth.models import Group, User

    from loket.policy.operations import apply_policy
    from loket.sla.models import ClockKind
    from loket.sla.operations import budgets

    path = Path(settings.LOKET_POLICY_FILE)
    applied = apply_policy(source=path.read_text(), filename=path.name, applied_by="bench", now=NOW)
    category = applied.document.category(CATEGORY)
    if category is None:
        raise BenchError(f"the shipped policy has no category {CATEGORY!r}")
    warning, breach = budgets(applied.document, category)[ClockKind.FIRST_RESPONSE]
    group = Group.objects.create(name="supervisors")
    for username, email in SUPERVISORS:
        User.objects.create_user(username=username, email=email).groups.add(group)
    return applied.version.pk, warning, breach


def fetch_one(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return str(row[0]) if row else "unknown"


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


TICKET_COLUMNS = (
    "id, reference, subject, status, channel, requester_name, requester_email, language, "
    "created_at, updated_at, category_id, policy_version_id, complex_reason"
)
CLOCK_COLUMNS = (
    "id, ticket_id, kind, policy_version_id, status, warning_seconds, breach_seconds, "
    "accrued_seconds, running_since, warning_at, breach_at, cycle, warned, breached, "
    "next_check_at"
)


def fill_sqlite(rows: Rows) -> tuple[dict[str, float], float, str]:
    from django.conf import settings

    path = str(settings.DATABASES["default"]["NAME"])
    inserts = {
        "tickets_ticket": f"INSERT INTO tickets_ticket ({TICKET_COLUMNS}) VALUES ({MARKS[13]})",  # noqa: S608
        "sla_clock": f"INSERT INTO sla_clock ({CLOCK_COLUMNS}) VALUES ({MARKS[15]})",  # noqa: S608
    }
    seconds = {}
    db = sqlite3.connect(path, isolation_level=None)
    try:
        for table, insert in inserts.items():
            began = time.perf_counter()
            for first, last in rows.chunks():
                db.execute("BEGIN IMMEDIATE")
                db.executemany(insert, row_values(rows, table, first, last, sqlite_time, (1, 0)))
                db.execute("COMMIT")
            seconds[table] = time.perf_counter() - began
            print(f"  {table}: {rows.tickets:,} rows in {seconds[table]:.1f} s", flush=True)
        began = time.perf_counter()
        db.execute("ANALYZE")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        analyze = time.perf_counter() - began
    finally:
        db.close()
    return seconds, analyze, "ANALYZE, WAL checkpoint"


MARKS = {count: ", ".join("?" * count) for count in (13, 15)}


def row_values(
    rows: Rows,
    table: str,
    first: int,
    last: int,
    stamp: Callable[[int], str],
    booleans: tuple[object, object],
) -> Iterator[tuple[object, ...]]:
    true, false = booleans
    for i, due, created, warning, breach, next_check in rows.generate(first, last):
        if table == "tickets_ticket":
            yield (
                i, f"BEN-{i:09d}", f"Benchmark ticket {i}", "open", "web", f"Requester {i}",
                f"requester{i % 50_000}@example.com", "id", stamp(created), stamp(created),
                CATEGORY, rows.version_id, "",
            )  # fmt: skip
        else:
            yield (
                i, i, "first_response", rows.version_id, "running", rows.warning_seconds,
                rows.breach_seconds, 0, stamp(created), stamp(warning), stamp(breach), 0,
                true if due else false, false, stamp(next_check),
            )  # fmt: skip


def copy_text(values: tuple[object, ...]) -> str:
    return "\t".join(r"\N" if value is None else str(value) for value in values) + "\n"


def fill_postgres(rows: Rows) -> tuple[dict[str, float], float, str]:
    import psycopg

    seconds = {"tickets_ticket": 0.0, "sla_clock": 0.0}
    with psycopg.connect(os.environ["DATABASE_URL"]) as db:
        for table, columns in (("tickets_ticket", TICKET_COLUMNS), ("sla_clock", CLOCK_COLUMNS)):
            began = time.perf_counter()
            with db.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for first, last in rows.chunks():
                    values = row_values(rows, table, first, last, postgres_time, ("t", "f"))
                    copy.write("".join(map(copy_text, values)))
            db.commit()
            with db.cursor() as cursor:
                # The rows carry their own ids: move the identity sequence past them.
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", (rows.tickets,)
                )
            db.commit()
            seconds[table] = time.perf_counter() - began
            print(f"  {table}: {rows.tickets:,} rows in {seconds[table]:.1f} s", flush=True)
    began = time.perf_counter()
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as db:
        db.execute("VACUUM (ANALYZE)")
        db.execute("CHECKPOINT")
    return seconds, time.perf_counter() - began, "VACUUM (ANALYZE), CHECKPOINT"


def check_fill(tickets: int, breaches: int) -> None:
    from loket.sla.models import Clock
    from loket.tickets.models import Ticket

    found = (Ticket.objects.count(), Clock.objects.count())
    due = Clock.objects.filter(next_check_at__lte=NOW).count()
    if found != (tickets, tickets) or due != breaches:
        raise BenchError(f"filled {found} tickets and clocks with {due} due; wanted {tickets}")


# --- Measuring ---------------------------------------------------------------------------------


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


STATEMENT_TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)


def statement_kind(sql: str) -> str:
    verb = sql.split(None, 1)[0].upper() if sql.strip() else "?"
    match = STATEMENT_TABLE.search(sql)
    return f"{verb} {match.group(1)}" if match else verb


def selection_statement() -> tuple[str, Any]:
    """The SQL and parameters `due_clocks()` sends, captured as it sends them."""
    from django.db import connection, transaction

    from loket.sla.sweep import BATCH, due_clocks

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
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"{PLAN_KIND[database]} {sql}", params)
        rows = cursor.fetchall()
        transaction.set_rollback(True)
    # PostgreSQL: a line of text per row; SQLite: (id, parent, notused, detail).
    return "\n".join(str(row[-1]) for row in rows)


EXECUTION_TIME = re.compile(r"Execution Time: ([0-9.]+) ms")
ACTUAL_ROWS = re.compile(r"actual rows=(\d+)")


class EngineTimer:
    """The selection as the database engine alone runs it, in ms: on PostgreSQL the execution
    time `EXPLAIN (ANALYZE, TIMING OFF)` reports (the server's work, no transfer); on SQLite the
    statement stepped to the end by the stdlib module on a connection of its own, without the
    type conversions Django's connection asks for."""

    def __init__(self, sql: str, params: Any) -> None:
        self.sql, self.params = sql, params
        self.db: sqlite3.Connection | None = None

    def __enter__(self) -> EngineTimer:
        from django.conf import settings
        from django.db import connection

        if connection.vendor == "sqlite":
            path = settings.DATABASES["default"]["NAME"]
            self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.db is not None:
            self.db.close()

    def __call__(self) -> tuple[float, int]:
        """(ms, rows found)"""
        from django.db import connection, transaction

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
    from django.db import connection, transaction

    from loket.sla.sweep import BATCH, due_clocks

    engine_ms, query_ms, call_ms = [], [], []
    for _ in range(repeats):
        took, found = engine()
        engine_ms.append(took)
        if found != expected:
            raise BenchError(f"the selection found {found} clocks in the engine, not {expected}")
        with transaction.atomic(), connection.cursor() as cursor:
            began = time.perf_counter()
            cursor.execute(sql, params)
            found = len(cursor.fetchall())
            query_ms.append((time.perf_counter() - began) * 1000)
            transaction.set_rollback(True)
        with transaction.atomic():
            began = time.perf_counter()
            clocks = due_clocks(NOW, BATCH)
            call_ms.append((time.perf_counter() - began) * 1000)
            transaction.set_rollback(True)
        if found != expected or len(clocks) != expected:
            raise BenchError(f"the selection found {found}/{len(clocks)} clocks, not {expected}")
    return statistics.median(engine_ms), statistics.median(query_ms), statistics.median(call_ms)


def reset(database: str) -> None:
    """Back to the state after the fill: the due clocks due again, nothing recorded."""
    from django.db import connection
    from django.db.models import F
    from django_tasks_db.models import DBTaskResult

    from loket.notify.models import OutboxMessage
    from loket.sla.models import Clock, SlaPoint
    from loket.tickets.models import Event

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
    from django.db import connection

    from loket.sla.sweep import sweep

    timer = StatementTimer()
    with connection.execute_wrapper(timer):
        began = time.perf_counter()
        report = sweep(NOW)
        seconds = time.perf_counter() - began
    verify(report.as_dict(), breaches)
    return SweepRun(seconds, len(timer.calls), timer.total, timer.seconds, timer.counts)


def verify(report: dict[str, object], breaches: int) -> None:
    """Exactly one breach, one event and no warning per due clock; one digest per supervisor
    per batch; nothing due any more."""
    from loket.notify.models import OutboxMessage
    from loket.sla.models import Clock, SlaPoint, SlaPointKind
    from loket.sla.sweep import BATCH
    from loket.tickets.models import Event, EventKind

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


# Parts of the sweep, found in the profile by (file path ending, function name).
SWEEP = ("loket/sla/sweep.py", "sweep")
PROFILED_PARTS = {
    "due_clocks()": ("loket/sla/sweep.py", "due_clocks"),
    "due_points()": ("loket/sla/sweep.py", "due_points"),
    "record()": ("loket/sla/sweep.py", "record"),
    "record(): advance()": ("loket/sla/sweep.py", "advance"),
    "record(): Clock bulk_update()": ("django/db/models/query.py", "bulk_update"),
    "record(): bulk_create() of points and events": ("django/db/models/query.py", "bulk_create"),
    "record(): notify_supervisors()": ("loket/sla/sweep.py", "notify_supervisors"),
}


def profile_sweep(breaches: int) -> tuple[float, dict[str, float], str]:
    """One more sweep, under cProfile: (seconds, share of each part, the listing)."""
    from loket.sla.sweep import sweep

    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    report = sweep(NOW)
    profiler.disable()
    seconds = time.perf_counter() - began
    verify(report.as_dict(), breaches)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    entries: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    cumulative: dict[tuple[str, str], float] = {}
    for (path, _, function), row in entries.items():
        for ending, name in [SWEEP, *PROFILED_PARTS.values()]:
            if path.endswith(ending) and function == name:
                cumulative[ending, name] = cumulative.get((ending, name), 0.0) + row[3]
    total = cumulative.get(SWEEP, 0.0)
    if not total:
        raise BenchError("sweep() is missing from its own profile")
    shares = {part: cumulative.get(key, 0.0) / total for part, key in PROFILED_PARTS.items()}
    out.write(f"profiled sweep: {seconds:.3f} s under cProfile\n")
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    return seconds, shares, out.getvalue()


# --- The machine -------------------------------------------------------------------------------


# --- Reporting ---------------------------------------------------------------------------------


def mark(ok: bool, markdown: bool = True) -> str:
    if ok:
        return "pass"
    return "**missed**" if markdown else "MISSED"


def print_summary(results: Sequence[Measured]) -> None:
    print()
    print(
        f"{'database':<11}{'tickets':>10}{'fill s':>8}{'engine ms':>11}{'cursor ms':>11}"
        f"{'due_clocks ms':>15}{'s /10k':>8}{'breaches/s':>12}{'x 231/s':>9}  goals"
    )
    for result in results:
        goals = ", ".join(f"{name} {mark(ok, False)}" for name, ok in result.goals().items())
        print(
            f"{result.name:<11}{result.tickets:>10,}{result.fill_seconds:>8.1f}"
            f"{result.engine_median:>11.2f}{result.query_median:>11.2f}"
            f"{result.call_median:>15.2f}{result.seconds_per_goal:>8.3f}{result.rate:>12,.0f}"
            f"{result.rate / BASELINE_RATE:>9.1f}  {goals}"
        )


def statements(results: Sequence[Measured]) -> list[str]:
    """Every statement kind seen, the most expensive first."""
    seen: dict[str, float] = {}
    for result in results:
        for run in result.runs:
            for name in run.by_statement:
                seen[name] = max(seen.get(name, 0.0), result.statement_median(name))
    return sorted(seen, key=lambda name: -seen[name])


FULL_PAGE_IMAGES = re.compile(r"fpi=(\d+)")


def plan_note(result: Measured) -> list[str]:
    """Why the plan's own execution time may differ from the engine column."""
    took = EXECUTION_TIME.search(result.plan)
    if took is None or float(took.group(1)) < 1.5 * result.engine_median:
        return []
    note = (
        f"The plan's {float(took.group(1)):.2f} ms is a single execution with per-node timing, "
        "right after the fill and its `CHECKPOINT` (only the captured `due_clocks()` call ran "
        f"before it); the engine column is the median of the timed repeats with `TIMING OFF`, "
        f"{result.engine_median:.2f} ms."
    )
    images = FULL_PAGE_IMAGES.search(result.plan)
    if images is not None:
        note += (
            f" Its WAL line shows {int(images.group(1)):,} full-page images: the first change "
            "to a page after a checkpoint, and a row lock is one, writes the whole page to the "
            "WAL."
        )
    return [note, ""]


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def render_section(
    results: Sequence[Measured], machine: dict[str, str], started: datetime, options: Options
) -> str:
    lines = [
        SECTION,
        "",
        "<!-- Written by bench/sla_sweep.py; rerunning it replaces this section. -->",
        "",
        "The SLA sweep over a table of open tickets, each with a running first-response clock, "
        f"of which {options.breaches:,} are due for a breach at the sweep instant: selecting "
        "the due clocks (`loket.sla.sweep.due_clocks(now, batch)`, the query of each of the "
        f"sweep's batches), and `sweep(now)` recording the {options.breaches:,} breaches (a "
        "`SlaPoint` and an event each, the clocks advanced, one digest e-mail per supervisor "
        "and batch). The goals of issue 4: selecting the due clocks in at most "
        f"{SELECTION_GOAL_MS:.0f} ms through an index; {BREACHES_PER_GOAL:,} breaches in at "
        f"most {PROCESSING_GOAL_SECONDS:.0f} s; at least {BASELINE_FACTOR:.0f} times the "
        f"{BASELINE_RATE:.0f} tickets/s of django-helpdesk 2.6.1's escalation pass (the "
        f"issue's figure, not measured here), that is {BASELINE_FACTOR * BASELINE_RATE:,.0f} "
        "breaches/s.",
        "",
    ]
    for result in results:
        met = [name for name, ok in result.goals().items() if ok]
        lines.append(
            f"- **{result.name}, {result.tickets:,} tickets, median of "
            f"{plural(len(result.runs), 'run')}: "
            f"`due_clocks()` {result.call_median:.2f} ms ({result.engine_median:.2f} ms of it in "
            f"the database engine); {result.breaches:,} breaches in "
            f"{statistics.median(result.sweep_seconds):.3f} s = {result.rate:,.0f} breaches/s, "
            f"{result.rate / BASELINE_RATE:.1f} times the baseline.** Goals met: "
            f"{len(met)} of {len(result.goals())}."
        )
    lines += [
        "",
        "### Against the goals",
        "",
        f"| Database | Tickets | `due_clocks()` call (goal ≤ {SELECTION_GOAL_MS:.0f} ms) "
        "| of which: SQL through Django's cursor | of which: in the engine | Index "
        f"| {BREACHES_PER_GOAL:,} breaches (goal ≤ {PROCESSING_GOAL_SECONDS:.0f} s) "
        f"| Breaches/s | Ratio to {BASELINE_RATE:.0f}/s (goal ≥ {BASELINE_FACTOR:.0f}) |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for result in results:
        goals = result.goals()
        lines.append(
            f"| {result.name} | {result.tickets:,} | {result.call_median:.2f} ms "
            f"{mark(goals['selection'])} | {result.query_median:.2f} ms "
            f"{mark(result.query_median <= SELECTION_GOAL_MS)} | {result.engine_median:.2f} ms "
            f"{mark(result.engine_median <= SELECTION_GOAL_MS)} | `clock_due` "
            f"| {result.seconds_per_goal:.3f} s {mark(goals['processing'])} "
            f"| {result.rate:,.0f} | {result.rate / BASELINE_RATE:.1f} {mark(goals['ratio'])} |"
        )
    lines += [
        "",
        "### Results per run",
        "",
        "Selection: the median of the run's timings of each kind, in ms. Sweep: one "
        "`sweep(now)` call; *in database calls* is the time inside the statements' execute "
        "calls (driver and Django's cursor included), the rest is Python.",
        "",
        "| Database | Run | Engine ms | Django cursor ms | `due_clocks()` ms | Sweep s "
        f"| Breaches/s | Ratio to {BASELINE_RATE:.0f}/s | Queries | In database calls |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        columns = (result.engine_ms, result.query_ms, result.call_ms, result.runs)
        for number, (engine, query, call, run) in enumerate(zip(*columns, strict=True), 1):
            rate = result.breaches / run.seconds
            lines.append(
                f"| {result.name} | {number} | {engine:.2f} | {query:.2f} | {call:.2f} "
                f"| {run.seconds:.3f} | {rate:,.0f} | {rate / BASELINE_RATE:.1f} | {run.queries} "
                f"| {run.database_seconds:.3f} s ({run.database_seconds / run.seconds:.0%}) |"
            )
        database = result.database_median
        sweep_median = statistics.median(result.sweep_seconds)
        lines.append(
            f"| {result.name} | **Median** | **{result.engine_median:.2f}** "
            f"| **{result.query_median:.2f}** | **{result.call_median:.2f}** "
            f"| **{sweep_median:.3f}** | **{result.rate:,.0f}** "
            f"| **{result.rate / BASELINE_RATE:.1f}** | | {database:.3f} s "
            f"({database / sweep_median:.0%}) |"
        )
    lines += [
        "",
        "### Where a sweep's time goes",
        "",
        "Inside the database calls, by statement: median seconds per sweep (how many such "
        "statements a sweep sends in brackets). A SELECT's rows are fetched after its execute "
        "call returns, and SQLite does most of a query's work while they are fetched, so its "
        "SELECT lines are low: the selection's own figures are in the tables above. *Outside "
        "database calls* is Python, and the fetching just mentioned: Django building queries "
        "and objects, the sweep's own loop, rendering the digests, and the commits.",
        "",
        "| Statement | " + " | ".join(result.name for result in results) + " |",
        "|---|" + "---:|" * len(results),
    ]
    for name in statements(results):
        cells = []
        for result in results:
            count = result.runs[0].statements.get(name, 0)
            cells.append(f"{result.statement_median(name):.3f} s ({count})" if count else "")
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    outside = [statistics.median(r.sweep_seconds) - r.database_median for r in results]
    lines += [
        "| Outside database calls | " + " | ".join(f"{o:.3f} s" for o in outside) + " |",
        "",
        "By part of `loket/sla/sweep.py`: the share of one more sweep, run under cProfile after "
        "the timed runs (cumulative time, callees included; profiling slows Python code more "
        "than database calls, so the shares lean towards the Python-heavy parts).",
        "",
        "| Part | " + " | ".join(result.name for result in results) + " |",
        "|---|" + "---:|" * len(results),
    ]
    for part in PROFILED_PARTS:
        if not any(result.profile_shares.get(part) for result in results):
            continue  # not in the sweep measured
        cells = [f"{result.profile_shares.get(part, 0.0):.0%}" for result in results]
        lines.append(f"| `{part}` | " + " | ".join(cells) + " |")
    lines += [
        "| Sweep under cProfile | "
        + " | ".join(f"{result.profile_seconds:.3f} s" for result in results)
        + " |",
        "",
        "### Filling the database",
        "",
        "| Database | Tickets + clocks | Tickets s | Clocks s | Rows/s | Then |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for result in results:
        rows_per_second = 2 * result.tickets / result.fill_seconds
        lines.append(
            f"| {result.name} | {result.tickets:,} + {result.tickets:,} "
            f"| {result.load_seconds['tickets_ticket']:.1f} "
            f"| {result.load_seconds['sla_clock']:.1f} | {rows_per_second:,.0f} "
            f"| {result.analyze_command}: {result.analyze_seconds:.1f} s |"
        )
    lines += ["", "### The selection and its plan", ""]
    for result in results:
        kind = PLAN_KIND[result.database]
        lines += [
            f"{result.name} {result.version}, `{kind}` with {result.breaches:,} clocks due "
            f"among {result.tickets:,}, the statement as `due_clocks()` sends it:",
            "",
            "```sql",
            result.selection_sql,
            "```",
            "",
            "```",
            result.plan,
            "```",
            "",
        ]
        lines += plan_note(result)
    parameters = "; ".join(f"{r.name} {r.tickets:,} tickets" for r in results)
    batch = results[0].batch if results else 0
    lines += [
        "### Machine and date",
        "",
        f"- Date: {started:%Y-%m-%d %H:%M} UTC",
        *(f"- {name}: {value}" for name, value in machine.items()),
        *(f"- {result.name}: {result.version}" for result in results),
        f"- Code measured: src/loket/sla/sweep.py with SHA-256 "
        f"`{results[0].sweep_sha256[:16] if results else ''}…`",
        "",
        "### How it was measured",
        "",
        f"- Rerun: `make bench`, or `{COMMAND}` (options `--database sqlite|postgres|both`, "
        "`--tickets`, `--breaches`, `--runs`, `--repeats`, `--profile` to print the profile; "
        "`--quick` is a small smoke run that leaves this file alone).",
        f"- Parameters: {parameters}; {options.breaches:,} due breaches; "
        f"{plural(options.runs, 'run')} per database; the selection timed {options.repeats} "
        f"times per run in each of its three forms; the sweep's default batch of {batch:,} clocks.",
        "- Each database is measured in a process of its own with `DJANGO_SETTINGS_MODULE="
        "loket.settings` and a fresh `LOKET_VAR_DIR`: SQLite in a file there (with the "
        f"settings' WAL and IMMEDIATE transactions), PostgreSQL in a database `{PG_DATABASE}` "
        "on 127.0.0.1, created for the run and dropped after it. Then `migrate`, the shipped "
        "policy (`apply_policy`, policies/catalo-id.toml) and two supervisors with e-mail "
        "addresses.",
        "- Fill: an open ticket in category `support` per row, with its `first_response` clock "
        "(running; 24,300 s to the warning and 32,400 s to the breach, as the policy sets "
        "them), loaded through the driver rather than the ORM: `COPY` on PostgreSQL, "
        f"`executemany` in transactions of {LOAD_CHUNK:,} rows on SQLite, every index and "
        "constraint in place. Every n-th clock (n = tickets / breaches, so they are scattered "
        "over the whole table, the worst case for the selection's row lookups) is due: its "
        "warning already recorded, its breach in the hour before the sweep instant, so "
        "`next_check_at` is the breach. All others have their warning, their `next_check_at`, "
        "in the two weeks after it. The instants are fixed, not derived from the business "
        "calendar, which the sweep does not consult.",
        "- Selection: the statement `due_clocks()` sends is captured with an execute wrapper "
        "and timed three ways, each in a transaction of its own (as the sweep runs it; "
        "`FOR UPDATE SKIP LOCKED` on PostgreSQL), rolled back: in the engine alone (PostgreSQL: "
        "the execution time `EXPLAIN (ANALYZE, TIMING OFF)` reports; SQLite: the statement "
        "stepped to its end by the stdlib `sqlite3` module on a connection of its own, without "
        "Django's type conversions); executed and all its rows fetched through Django's cursor; "
        f"and the whole `due_clocks(now, {batch})` call, which adds building the objects it "
        "returns. The benchmark fails unless the plan uses `clock_due`.",
        "- Processing: each run first puts the data back (deletes the points, events, outbox "
        "rows and task rows and makes the due clocks due again; then on PostgreSQL `VACUUM "
        "(ANALYZE)` of the touched tables and `CHECKPOINT`, on SQLite a WAL checkpoint), times "
        "the selection, then times one `sweep(now)` call wall-clock (`time.perf_counter()`), "
        "its commits and the after-commit enqueueing of the digests' delivery tasks included. "
        "Afterwards there must be exactly one breach point and one `sla_breach` event per due "
        "clock, no warning, no clock still due and one digest per supervisor and batch; any "
        "other count fails the benchmark. No e-mail is sent: the digests stay in the outbox.",
        "",
        "### Reading",
        "",
        " ".join(reading(results)),
    ]
    return "\n".join(lines) + "\n"


def reading(results: Sequence[Measured]) -> list[str]:
    sentences = []
    for result in results:
        sentences += read_selection(result) + read_sweep(result)
    if any(r.profile_shares.get(BULK_UPDATE, 0.0) >= 0.5 for r in results):
        sentences.append(
            "`bulk_update()` writes each changed field as a `CASE WHEN id = ... THEN ... END` "
            "with one `When` per clock, so a batch of 2,000 clocks and 3 fields makes Django "
            "build, resolve and compile 6,000 expressions in Python, and the database then "
            "evaluates those CASEs row by row (the `UPDATE sla_clock` line above). The clocks "
            "of a batch come out of `due_points()` in only a few "
            "states (`next_check()` gives `warning_at`, `breach_at` or nothing), so one "
            "`UPDATE ... WHERE id IN (...)` per state, with `F('breach_at')` or NULL for "
            "`next_check_at`, would write the same rows without that work."
        )
    return sentences


BULK_UPDATE = "record(): Clock bulk_update()"


def read_selection(result: Measured) -> list[str]:
    building = result.call_median - result.query_median
    fetching = result.query_median - result.engine_median
    rows = min(result.batch, result.breaches)
    sorts = "Sort" in result.plan or "TEMP B-TREE" in result.plan
    how = (
        f"reads the {rows:,} due rows through the `clock_due` index and sorts them"
        if sorts
        else f"reads the `clock_due` index in `next_check_at` order and stops after {rows:,} rows"
    )
    if "tickets_ticket" in result.plan:
        how += ", each joined to its ticket (for the reference) through the ticket's primary key"
    text = (
        f"On {result.name} the selection {how}: {result.engine_median:.2f} ms in the engine, "
        f"{fetching:.2f} ms more to bring the rows through Django's cursor, and "
        f"{building:.2f} ms more for `due_clocks()` to build the {rows:,} objects it returns, "
        f"{result.call_median:.2f} ms in all."
    )
    if result.call_median <= SELECTION_GOAL_MS:
        return [text + f" That meets the {SELECTION_GOAL_MS:.0f} ms goal."]
    verdict = f" That misses the {SELECTION_GOAL_MS:.0f} ms goal. The query in the engine alone "
    verdict += (
        "meets it; the rows' way through the driver and Django's cursor and the objects built "
        "from them take the call over it."
        if result.engine_median <= SELECTION_GOAL_MS
        else "misses it too."
    )
    if "LockRows" in result.plan:
        verdict += (
            f" Locking the {rows:,} rows (`FOR UPDATE SKIP LOCKED`, a WAL record per row) is a "
            "large part of the engine's time: compare the LockRows node with the one below it "
            "in the plan."
        )
    if result.database == "sqlite" and result.engine_median > SELECTION_GOAL_MS / 2:
        verdict += (
            " The due rows are scattered over the table, so SQLite reads a page for nearly "
            "every one of them (from the operating system's cache; its own page cache is small "
            "by default)."
        )
    return [text + verdict]


def read_sweep(result: Measured) -> list[str]:
    sweep_median = statistics.median(result.sweep_seconds)
    outside = sweep_median - result.database_median
    shares = result.profile_shares
    leaves = [part for part in PROFILED_PARTS if part != "record()"]
    largest = max(leaves, key=lambda part: shares.get(part, 0.0))
    statement = statements([result])[0]
    text = (
        f"The sweep took {sweep_median:.3f} s for {result.breaches:,} breaches, of which "
        f"{result.database_median / sweep_median:.0%} inside the database calls (the largest, "
        f"`{statement}`, {result.statement_median(statement):.3f} s) and "
        f"{outside / sweep_median:.0%} in Python outside them; under the profiler "
        f"`{largest}` alone took {shares.get(largest, 0.0):.0%} of the sweep."
    )
    goals = result.goals()
    if goals["processing"] and goals["ratio"]:
        text += (
            f" That meets the goals: {result.seconds_per_goal:.2f} s per "
            f"{BREACHES_PER_GOAL:,} breaches, {result.rate / BASELINE_RATE:.1f} times the "
            "baseline."
        )
        slowest = max(result.sweep_seconds) * BREACHES_PER_GOAL / result.breaches
        if slowest > PROCESSING_GOAL_SECONDS:
            text += (
                f" The margin is thin: the slowest run took {slowest:.2f} s per "
                f"{BREACHES_PER_GOAL:,}, over the goal."
            )
    else:
        text += (
            f" That misses the goals: {result.seconds_per_goal:.2f} s per "
            f"{BREACHES_PER_GOAL:,} breaches against {PROCESSING_GOAL_SECONDS:.0f} s, and "
            f"{result.rate / BASELINE_RATE:.1f} times the baseline against "
            f"{BASELINE_FACTOR:.0f}."
        )
    return [text]


SAVED = Path(tempfile.gettempdir()) / "loket-sla-sweep-results.json"


def save_results(
    results: Sequence[Measured], machine: dict[str, str], started: datetime, options: Options
) -> None:
    """Kept outside the repository, so that --render can write the docs again from them."""
    data = {
        "results": [asdict(result) for result in results],
        "machine": machine,
        "started": started.isoformat(),
        "options": asdict(options),
    }
    SAVED.write_text(json.dumps(data))
    print(f"results saved in {SAVED}")


def load_results(
    path: Path, current: Options
) -> tuple[list[Measured], dict[str, str], datetime, Options]:
    data = json.loads(path.read_text())
    saved = data["options"]
    saved.update(databases=tuple(saved["databases"]), write_docs=current.write_docs)
    return (
        [Measured.from_json(result) for result in data["results"]],
        data["machine"],
        datetime.fromisoformat(data["started"]),
        Options(**saved),
    )


# --- Command line ------------------------------------------------------------------------------


def parse_options(argv: Sequence[str] | None) -> tuple[argparse.Namespace, Options]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database", choices=[*DATABASES, "both"], default="both")
    parser.add_argument(
        "--tickets", type=int, help="open tickets (default 100,000 SQLite, 1,000,000 PostgreSQL)"
    )
    parser.add_argument("--breaches", type=int, default=BREACHES_PER_GOAL, help="due clocks")
    parser.add_argument("--runs", type=int, default=5, help="runs; the medians are reported")
    parser.add_argument("--repeats", type=int, default=20, help="selection timings per run")
    parser.add_argument("--quick", action="store_true", help="small numbers, 1 run; no docs")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--keep", action="store_true", help="keep the var dirs and loket_bench")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one sweep")
    parser.add_argument("--render", type=Path, help="write the docs from saved results only")
    parser.add_argument("--child", choices=DATABASES, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    databases = DATABASES if arguments.database == "both" else (arguments.database,)
    if arguments.child:
        databases = (arguments.child,)
    defaults = QUICK_TICKETS if arguments.quick else DEFAULT_TICKETS
    tickets = {db: arguments.tickets or defaults[db] for db in databases}
    if arguments.quick and not arguments.child:
        arguments.runs, arguments.repeats = 1, 5
        arguments.breaches = min(arguments.breaches, 1_000)
    if arguments.runs < 1 or arguments.repeats < 1 or arguments.breaches < 1:
        parser.error("--runs, --repeats and --breaches must be positive")
    for count in tickets.values():
        if not arguments.breaches <= count <= MAX_TICKETS:
            parser.error(f"--tickets must be from --breaches to {MAX_TICKETS:,}")
    options = Options(
        databases=databases,
        tickets=tickets,
        breaches=arguments.breaches,
        runs=arguments.runs,
        repeats=arguments.repeats,
        write_docs=not (arguments.quick or arguments.no_docs),
        keep=arguments.keep,
        profile=arguments.profile,
    )
    return arguments, options


def main(argv: Sequence[str] | None = None) -> int:
    arguments, options = parse_options(argv)
    if arguments.child:
        database = arguments.child
        try:
            measured = child(
                database, options.tickets[database], options.breaches, options.runs,
                options.repeats, options.profile,
            )  # fmt: skip
        except BenchError as error:
            print(f"benchmark failed: {error}", file=sys.stderr)
            return 1
        arguments.result.write_text(json.dumps(asdict(measured)))
        return 0
    if arguments.render:
        results, machine, started, options = load_results(arguments.render, options)
    else:
        try:
            results, machine, started = benchmark(options)
        except BenchError as error:
            print(f"benchmark failed: {error}", file=sys.stderr)
            return 1
        save_results(results, machine, started, options)
    print_summary(results)
    if options.write_docs:
        write_docs(SECTION, render_section(results, machine, started, options))
        print(f"\nwrote the SLA sweep section of {DOCS.relative_to(REPO)}")
    sys.stdout.flush()
    missed = [
        f"{result.name}: {name}"
        for result in results
        for name, ok in result.goals().items()
        if not ok
    ]
    for goal in missed:
        print(f"GOAL MISSED: {goal}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
