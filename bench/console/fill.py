"""Filling the benchmark's database once, through the SLA sweep bench's loaders (COPY on
PostgreSQL, executemany on SQLite; columns the rows do not set get their model defaults), and
recognising a fill already made: a marker table holds the key (size and schema) it was made for.
Imported only after `django.setup()`.

On PostgreSQL the secondary indexes are dropped before the load and built after it (one sort
instead of millions of insertions), and foreign keys are not checked row by row
(`session_replication_role = replica`): the generator makes them right by construction.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, connections
from django.db.models import Model

from bench.common import BenchError
from bench.console.config import AGENTS, BENCH_AGENT, BLOCK, LOAD_CHUNK, MARKER_TABLE
from bench.console.data import TABLES, Plan, Target
from bench.console.texts import build_pools
from bench.sla_sweep.fill import copy_postgres, default_columns, fetch_one, insert_sqlite
from bench.sla_sweep.rows import copy_text, marks, postgres_time, sqlite_time
from loket.policy.operations import apply_policy
from loket.sla.models import Clock
from loket.sla.targets import budgets
from loket.tickets.models import PRIORITY_RANKS, Event, Message, SearchEntry, Ticket
from loket.tickets.roles import ensure_roles

MODELS: dict[str, type[Model]] = {
    "tickets_ticket": Ticket,
    "sla_clock": Clock,
    "tickets_message": Message,
    "tickets_event": Event,
    "tickets_searchentry": SearchEntry,
}


def read_marker(key: str) -> dict[str, object] | None:
    """What the fill with this key recorded, or None when the database holds no such fill."""
    with connection.cursor() as cursor:
        if MARKER_TABLE not in connection.introspection.table_names(cursor):
            return None
        cursor.execute(f"SELECT info FROM {MARKER_TABLE} WHERE key = %s", [key])  # noqa: S608
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def write_marker(key: str, info: dict[str, object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {MARKER_TABLE}")
        cursor.execute(f"CREATE TABLE {MARKER_TABLE} (key TEXT, info TEXT)")
        cursor.execute(f"INSERT INTO {MARKER_TABLE} VALUES (%s, %s)", [key, json.dumps(info)])  # noqa: S608


def prepare(tickets: int) -> Plan:
    """The shipped policy, the roles, the agents; what the rows will refer to."""
    now = datetime.now(UTC).replace(microsecond=0)
    path = Path(settings.LOKET_POLICY_FILE)
    applied = apply_policy(source=path.read_text(), filename=path.name, applied_by="bench", now=now)
    document = applied.document
    group = ensure_roles()["agents"]
    agents = []
    for n in range(1, AGENTS + 1):
        user = User.objects.create_user(username=f"bench-agent-{n:02d}", first_name=f"Agent {n}")
        user.groups.add(group)
        agents.append((user.pk, f"Agent {n}"))
    assert agents
    assert User.objects.filter(username=BENCH_AGENT).exists()
    codes = tuple(category.code for category in document.categories)
    return Plan(
        tickets=tickets,
        anchor=int(now.timestamp()),
        version_id=applied.version.pk,
        ranks={c.code: PRIORITY_RANKS.get(c.priority, 2) for c in document.categories},
        budgets={c.code: dict(budgets(document, c)) for c in document.categories},
        agents=tuple(agents),
        prefix=settings.LOKET_REFERENCE_PREFIX,
        reference_key=hashlib.sha256(settings.LOKET_REFERENCE_KEY.encode()).digest(),
        pools=build_pools(codes),
    )


def chunks(tickets: int) -> list[tuple[int, int]]:
    size = LOAD_CHUNK - LOAD_CHUNK % BLOCK  # a chunk starts a block: message ids follow from it
    return [(first, min(first + size - 1, tickets)) for first in range(1, tickets + 1, size)]


def fill(database: str, plan: Plan) -> dict[str, float]:
    """Load every table; seconds per table, and for indexes and statistics."""
    connections.close_all()  # the rows go through the driver, on a connection of its own
    loader = fill_postgres if database == "postgres" else fill_sqlite
    seconds = loader(plan)
    print(f"filled in {sum(seconds.values()):.0f} s: " + ", ".join(
        f"{name} {value:.0f} s" for name, value in seconds.items()
    ), flush=True)  # fmt: skip
    return seconds


def fill_sqlite(plan: Plan) -> dict[str, float]:
    target = Target(sqlite_time, 1, 0, copy=False)
    seconds = {}
    db = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]), isolation_level=None)
    try:
        db.execute("PRAGMA synchronous=OFF")
        for table, (columns, rows, _per_ticket) in TABLES.items():
            extra, defaults = default_columns(MODELS[table], columns, (1, 0))
            count = len(columns.split(",")) + len(defaults)
            insert = f"INSERT INTO {table} ({columns}{extra}) VALUES ({marks(count)})"  # noqa: S608
            seconds[table] = insert_sqlite(
                db, insert, (rows(plan, target, a, b, defaults) for a, b in chunks(plan.tickets))
            )
            print(f"  {table}: {seconds[table]:.1f} s", flush=True)
        began = time.perf_counter()
        db.execute("ANALYZE")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        seconds["ANALYZE"] = time.perf_counter() - began
    finally:
        db.close()
    return seconds


SECONDARY_INDEXES = """
SELECT indexname, indexdef FROM pg_indexes i
WHERE schemaname = 'public' AND tablename = ANY(%s)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
"""


def fill_postgres(plan: Plan) -> dict[str, float]:
    target = Target(postgres_time, "t", "f", copy=True)
    seconds = {}
    with psycopg.connect(os.environ["DATABASE_URL"]) as db:
        indexes = db.execute(SECONDARY_INDEXES, (list(TABLES),)).fetchall()
        for name, _definition in indexes:
            db.execute(f'DROP INDEX "{name}"')
        db.execute("SET session_replication_role = replica")
        db.commit()
        for table, (columns, rows, per_ticket) in TABLES.items():
            extra, defaults = default_columns(MODELS[table], columns, ("t", "f"))
            data = (
                "".join(map(copy_text, rows(plan, target, a, b, defaults)))
                for a, b in chunks(plan.tickets)
            )
            last_id = plan.tickets * (per_ticket + (1 if table == "tickets_searchentry" else 0))
            seconds[table] = copy_postgres(db, table, columns + extra, data, last_id)
            print(f"  {table}: {seconds[table]:.1f} s", flush=True)
        began = time.perf_counter()
        db.execute("SET maintenance_work_mem = '1GB'")
        for name, definition in indexes:
            db.execute(definition)
            db.commit()
            print(f"  index {name}: {time.perf_counter() - began:.0f} s so far", flush=True)
        seconds["indexes"] = time.perf_counter() - began
    began = time.perf_counter()
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as db:
        db.execute("VACUUM (ANALYZE)")
        db.execute("CHECKPOINT")
    seconds["VACUUM (ANALYZE)"] = time.perf_counter() - began
    return seconds


def check(plan: Plan) -> dict[str, int]:
    """The rows as intended: counts per table, open tickets, and a ticket of 50 messages."""
    counts = {
        table: int(fetch_one(f"SELECT count(*) FROM {table}"))  # noqa: S608
        for table in TABLES
    }
    if counts["tickets_ticket"] != plan.tickets or counts["tickets_message"] != 5 * plan.tickets:
        raise BenchError(f"the fill made {counts}, not {plan.tickets:,} tickets")
    if Message.objects.filter(ticket_id=1).count() != 50:
        raise BenchError("ticket 1 should have 50 messages")
    return counts
