"""The parent process: for each database, a kept fill or a new one (in a child process), then
each run in a fresh child process (its memory is the web worker's), then the peer.

Nothing here needs Django: a child configures it for its own database.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from bench.common import REPO, BenchError
from bench.console.config import (
    CACHE,
    CHILD_TIMEOUT,
    GENERATOR,
    MARKER_TABLE,
    MIGRATIONS,
    NAMES,
    PG_ADMIN_DATABASE,
    PG_DATABASE,
    PG_SERVER,
)


@dataclass(frozen=True)
class Options:
    databases: tuple[str, ...]
    tickets: dict[str, int]
    runs: int
    requests: int
    quick: bool
    peer: Path | None
    drop: bool


@dataclass
class Measured:
    """One database: its fill (kept or new) and its runs."""

    database: str
    tickets: int
    fill: dict[str, object]
    reused: bool
    runs: list[dict[str, object]] = field(default_factory=list)


def fill_key(database: str, tickets: int) -> str:
    """What a kept fill must match: the generator and the size."""
    digest = hashlib.sha256(f"{database} {tickets}".encode())
    for path in GENERATOR:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def migrations() -> dict[str, str]:
    """Every migration file of the project, by path, with the SHA-256 of its text."""
    return {
        str(path.relative_to(MIGRATIONS)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(MIGRATIONS.glob("*/migrations/0*.py"))
    }


def schema_change(info: dict[str, object]) -> tuple[list[str], list[str]]:
    """(migrations of the fill since changed or removed, migrations added since the fill)."""
    recorded: dict[str, str] = info.get("migrations", {})  # type: ignore[assignment]
    current = migrations()
    changed = [name for name, digest in recorded.items() if current.get(name) != digest]
    return changed, [name for name in current if name not in recorded]


def var_dir(database: str, tickets: int) -> Path:
    return CACHE / f"{database}-{tickets}"


def admin_connect() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(f"{PG_SERVER}/{PG_ADMIN_DATABASE}", autocommit=True, connect_timeout=10)


def drop_database() -> None:
    with admin_connect() as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


def kept_fill(database: str, tickets: int, key: str) -> dict[str, object] | None:
    """What the kept fill recorded, if one with this key exists."""
    query = f"SELECT info FROM {MARKER_TABLE} WHERE key = %s"  # noqa: S608
    try:
        if database == "postgres":
            with psycopg.connect(f"{PG_SERVER}/{PG_DATABASE}", connect_timeout=10) as db:
                row = db.execute(query, (key,)).fetchone()
        else:
            path = var_dir(database, tickets) / "loket.sqlite3"
            if not path.exists():
                return None
            with sqlite3.connect(path) as db:
                row = db.execute(query.replace("%s", "?"), (key,)).fetchone()
    except (psycopg.Error, sqlite3.Error):
        return None
    return json.loads(row[0]) if row else None


def start_afresh(database: str, tickets: int) -> None:
    shutil.rmtree(var_dir(database, tickets), ignore_errors=True)
    if database == "postgres":
        drop_database()
        with admin_connect() as admin:
            admin.execute(f"CREATE DATABASE {PG_DATABASE}")


def child_environment(database: str, tickets: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="loket.settings",
        LOKET_VAR_DIR=str(var_dir(database, tickets)),
        LOKET_MAIL="file",
        LOKET_DEBUG="",
        LOKET_LOG_LEVEL="WARNING",
        ALLOWED_HOSTS="testserver",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")])),
    )
    env.pop("DATABASE_URL", None)
    if database == "postgres":
        env["DATABASE_URL"] = f"{PG_SERVER}/{PG_DATABASE}"
    return env


def run_child(role: str, database: str, tickets: int, options: Options) -> dict[str, object]:
    """`python -m bench.console --child ROLE`; what it wrote to its result file."""
    with tempfile.TemporaryDirectory(prefix="loket-console-") as folder:
        result = Path(folder) / "result.json"
        command = [sys.executable, "-m", "bench.console", "--child", role]
        command += ["--database", database, "--tickets", str(tickets), "--result", str(result)]
        command += ["--requests", str(options.requests), "--key", fill_key(database, tickets)]
        completed = subprocess.run(
            command,
            cwd=REPO,
            env=child_environment(database, tickets),
            timeout=CHILD_TIMEOUT,
            check=False,
        )
        if completed.returncode != 0:
            raise BenchError(f"the {NAMES[database]} {role} exited with {completed.returncode}")
        data: dict[str, object] = json.loads(result.read_text())
        return data


def measure(database: str, options: Options) -> Measured:
    tickets = options.tickets[database]
    key = fill_key(database, tickets)
    print(f"== {NAMES[database]}: {tickets:,} tickets (fill key {key})", flush=True)
    info = kept_fill(database, tickets, key)
    changed, added = schema_change(info) if info is not None else ([], [])
    if changed:
        print(f"the kept fill's migrations changed since ({', '.join(changed)})", flush=True)
    reused = info is not None and not changed
    if not reused:
        start_afresh(database, tickets)
        info = run_child("fill", database, tickets, options)
    elif added:
        print(f"reusing the kept fill; migrating it: {', '.join(added)}", flush=True)
        info = run_child("migrate", database, tickets, options)
    else:
        print("reusing the kept fill (same size, generator and migrations)", flush=True)
    assert info is not None
    measured = Measured(database, tickets, info, reused)
    for number in range(1, options.runs + 1):
        print(f"run {number} of {options.runs}", flush=True)
        measured.runs.append(run_child("measure", database, tickets, options))
    return measured
