"""Filling the child's fresh database: the shipped policy, two supervisors, then the tickets and
clocks loaded through the driver. Imported only after `django.setup()`."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import connection
from django.db.models import Model

from bench.common import BenchError
from bench.sla_sweep.config import CATEGORY, NOW, SUPERVISORS
from bench.sla_sweep.rows import (
    CLOCK_COLUMNS,
    TICKET_COLUMNS,
    Rows,
    copy_text,
    marks,
    postgres_time,
    row_values,
    sqlite_time,
)
from loket.policy.operations import apply_policy
from loket.sla.models import ClockKind
from loket.sla.targets import budgets
from loket.tickets.models import Ticket


@dataclass(frozen=True)
class Filled:
    version: str  # of the database server or library
    load_seconds: dict[str, float]  # table -> seconds to generate and load its rows
    analyze_seconds: float
    analyze_command: str


def prepare() -> tuple[int, int, int]:
    """The shipped policy and two supervisors; returns (policy version, warning s, breach s)."""
    path = Path(settings.LOKET_POLICY_FILE)
    applied = apply_policy(source=path.read_text(), filename=path.name, applied_by="bench", now=NOW)
    category = applied.document.category(CATEGORY)
    if category is None:
        raise BenchError(f"the shipped policy has no category {CATEGORY!r}")
    warning, breach = budgets(applied.document, category)[ClockKind.FIRST_RESPONSE]
    group = Group.objects.get_or_create(name="supervisors")[0]
    for username, email in SUPERVISORS:
        User.objects.create_user(username=username, email=email).groups.add(group)
    return applied.version.pk, warning, breach


def fill(database: str, rows: Rows) -> Filled:
    """Load the rows, then analyze; the caller closes Django's connections first."""
    if database == "postgres":
        load_seconds, analyze_seconds, analyze_command = fill_postgres(rows)
        version = fetch_one("SHOW server_version")
    else:
        load_seconds, analyze_seconds, analyze_command = fill_sqlite(rows)
        version = fetch_one("SELECT sqlite_version()")
    print(
        f"filled {rows.tickets:,} tickets and clocks in {sum(load_seconds.values()):.1f} s "
        f"({analyze_command}: {analyze_seconds:.1f} s)",
        flush=True,
    )
    return Filled(version, load_seconds, analyze_seconds, analyze_command)


def fetch_one(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return str(row[0]) if row else "unknown"


def other_ticket_columns(booleans: tuple[object, object]) -> tuple[str, tuple[object, ...]]:
    """The ticket columns the rows do not set, with their model defaults, as SQL and values."""
    return default_columns(Ticket, TICKET_COLUMNS, booleans, skip=("id", "assignee_id"))


def default_columns(
    model: type[Model], columns: str, booleans: tuple[object, object], skip: tuple[str, ...] = ()
) -> tuple[str, tuple[object, ...]]:
    """The columns of `model` not among `columns` (nor `skip`), with their model defaults as the
    driver takes them (booleans as `booleans`, JSON as text), as SQL and values."""
    listed = {name.strip() for name in columns.split(",")} | {"id", *skip}
    fields = [f for f in model._meta.concrete_fields if f.column not in listed]
    return "".join(f", {f.column}" for f in fields), tuple(
        driver_value(f.get_default(), booleans) for f in fields
    )


def driver_value(value: object, booleans: tuple[object, object]) -> object:
    if isinstance(value, bool):
        return booleans[0] if value else booleans[1]
    if isinstance(value, list | dict):
        return json.dumps(value)
    return value


def insert_sqlite(
    db: sqlite3.Connection, insert: str, chunks: Iterable[Iterable[tuple[object, ...]]]
) -> float:
    """Seconds to run `insert` over every row, one transaction per chunk."""
    began = time.perf_counter()
    for chunk in chunks:
        db.execute("BEGIN IMMEDIATE")
        db.executemany(insert, chunk)
        db.execute("COMMIT")
    return time.perf_counter() - began


def copy_postgres(
    db: psycopg.Connection[tuple[object, ...]],
    table: str,
    columns: str,
    chunks: Iterable[str],
    last_id: int,
) -> float:
    """Seconds to COPY the chunks (lines of the text format, see rows.copy_text) into `table`,
    commit, and move its id sequence past `last_id` (the rows carry their own ids)."""
    began = time.perf_counter()
    with db.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for text in chunks:
            copy.write(text)
    db.commit()
    with db.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", (last_id,))
    db.commit()
    return time.perf_counter() - began


def fill_sqlite(rows: Rows) -> tuple[dict[str, float], float, str]:
    path = str(settings.DATABASES["default"]["NAME"])
    extra, defaults = other_ticket_columns((1, 0))
    ticket_marks = marks(len(TICKET_COLUMNS.split(",")) + len(defaults))
    inserts = {
        "tickets_ticket": f"INSERT INTO tickets_ticket ({TICKET_COLUMNS}{extra}) "  # noqa: S608
        f"VALUES ({ticket_marks})",
        "sla_clock": f"INSERT INTO sla_clock ({CLOCK_COLUMNS}) VALUES ({marks(15)})",  # noqa: S608
    }
    seconds = {}
    db = sqlite3.connect(path, isolation_level=None)
    try:
        for table, insert in inserts.items():
            seconds[table] = insert_sqlite(
                db,
                insert,
                (
                    row_values(rows, table, first, last, sqlite_time, (1, 0), defaults)
                    for first, last in rows.chunks()
                ),
            )
            print(f"  {table}: {rows.tickets:,} rows in {seconds[table]:.1f} s", flush=True)
        began = time.perf_counter()
        db.execute("ANALYZE")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        analyze = time.perf_counter() - began
    finally:
        db.close()
    return seconds, analyze, "ANALYZE, WAL checkpoint"


def fill_postgres(rows: Rows) -> tuple[dict[str, float], float, str]:
    seconds = {"tickets_ticket": 0.0, "sla_clock": 0.0}
    extra, defaults = other_ticket_columns(("t", "f"))
    with psycopg.connect(os.environ["DATABASE_URL"]) as db:
        for table, columns in (
            ("tickets_ticket", TICKET_COLUMNS + extra),
            ("sla_clock", CLOCK_COLUMNS),
        ):
            chunks = (
                "".join(
                    map(
                        copy_text,
                        row_values(rows, table, first, last, postgres_time, ("t", "f"), defaults),
                    )
                )
                for first, last in rows.chunks()
            )
            seconds[table] = copy_postgres(db, table, columns, chunks, rows.tickets)
            print(f"  {table}: {rows.tickets:,} rows in {seconds[table]:.1f} s", flush=True)
    began = time.perf_counter()
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as db:
        db.execute("VACUUM (ANALYZE)")
        db.execute("CHECKPOINT")
    return seconds, time.perf_counter() - began, "VACUUM (ANALYZE), CHECKPOINT"
