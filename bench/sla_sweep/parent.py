"""The parent process: one child process per database, each with a fresh database of its own.

Nothing here needs Django: a child configures it for its own database (Django reads the
database settings once, at start).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from bench.common import REPO, BenchError, machine_info
from bench.sla_sweep.config import (
    CHILD_TIMEOUT,
    NAMES,
    PG_ADMIN_DATABASE,
    PG_DATABASE,
    PG_SERVER,
)
from bench.sla_sweep.results import Measured, Options


def admin_connect() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(f"{PG_SERVER}/{PG_ADMIN_DATABASE}", autocommit=True, connect_timeout=10)


def drop_database() -> None:
    with admin_connect() as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


def create_database() -> None:
    drop_database()
    with admin_connect() as admin:
        admin.execute(f"CREATE DATABASE {PG_DATABASE}")


def child_environment(database: str, root: Path) -> dict[str, str]:
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
    return env


def child_command(database: str, options: Options, result: Path) -> list[str]:
    command = [sys.executable, "-m", "bench.sla_sweep", "--child", database]
    command += ["--tickets", str(options.tickets[database]), "--breaches", str(options.breaches)]
    command += ["--runs", str(options.runs), "--repeats", str(options.repeats)]
    return [*command, "--result", str(result), *(["--profile"] if options.profile else [])]


def measure(database: str, options: Options) -> Measured:
    """Run the child for `database` and read what it measured."""
    root = Path(tempfile.mkdtemp(prefix=f"loket-sla-{database}-"))
    env = child_environment(database, root)
    if database == "postgres":
        create_database()
    result = root / "result.json"
    command = child_command(database, options, result)
    try:
        completed = subprocess.run(command, cwd=REPO, env=env, timeout=CHILD_TIMEOUT, check=False)
        if completed.returncode != 0:
            raise BenchError(
                f"the {NAMES[database]} measurement exited with {completed.returncode}"
            )
        return Measured.from_json(json.loads(result.read_text()))
    finally:
        clean_up(database, root, options.keep)


def clean_up(database: str, root: Path, keep: bool) -> None:
    if keep:
        print(f"kept {root}" + (f" and database {PG_DATABASE}" if database == "postgres" else ""))
        return
    if database == "postgres":
        drop_database()
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
