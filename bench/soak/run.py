"""The soak from start to end: the server, the intake rate it takes, the open-loop load at a
share of it while the watcher samples, the final drain and the checks."""

from __future__ import annotations

import datetime as dt
import http.client
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from bench.common import BenchError, machine_info
from bench.database import (
    UNSENT_ACKNOWLEDGEMENTS,
    Acknowledged,
    Database,
    admin_url,
    own_postgres_database,
    transport_problems,
)
from bench.intake.clients import Client
from bench.intake.server import (
    Server,
    log_tail,
    server_trouble,
    start_server,
    stop_server,
    wait_ready,
)
from bench.intake.timing import Phase, run_phase
from bench.soak.load import Arrival, NewRequester, OpenLoop
from bench.soak.watch import Sample, Watcher


@dataclass(frozen=True)
class Options:
    minutes: float
    rate: float | None  # submissions/s to take as the intake rate; measured when None
    share: float  # of the intake rate offered during the soak
    calibration_seconds: float
    calibration_clients: int
    warmup: float
    clients: int  # open-loop client threads
    interval: float  # seconds between samples
    drain_seconds: float  # the most to wait after the load for the backlog to clear
    workers: int
    database_url: str  # "" for SQLite in the server's var directory
    write_docs: bool
    keep: bool


@dataclass(frozen=True)
class Calibration:
    """The intake rate the soak takes a share of: measured closed-loop, or given."""

    rate: float
    phase: Phase | None
    submitted: int  # tickets created before the soak (warm-up and measurement)
    backlog: int  # acknowledgements unsent when the measurement ended
    drain_seconds: float


@dataclass(frozen=True)
class Drain:
    seconds: float | None  # until the backlog was 0; None if it was not within the limit
    backlog: int  # when the wait ended


@dataclass(frozen=True)
class Result:
    options: Options
    machine: dict[str, str]
    load_after: str
    started: dt.datetime
    database: str
    calibration: Calibration
    target: float  # submissions/s offered
    samples: list[Sample]
    arrivals: list[Arrival]
    errors: int
    error_samples: list[str]
    pids: dict[str, set[int]]
    at_end: Acknowledged
    drain: Drain
    after_drain: Acknowledged
    problems: list[str]
    trouble: list[str]
    root: Path


def soak(options: Options) -> Result:
    root = Path(tempfile.mkdtemp(prefix="loket-soak-"))
    started = dt.datetime.now(dt.UTC)
    machine = machine_info(
        "django", "gunicorn", "psycopg", SQLite=sqlite3.sqlite_version, **postgres_version(options)
    )
    with database_for(options, root) as database:
        server = start_server(root, options.workers, database.environment)
        try:
            return measure(options, server, database, machine, started)
        except (BenchError, OSError, http.client.HTTPException, sqlite3.Error, psycopg.Error) as e:
            stop_server(server)
            for line in server_trouble(server) or log_tail(server):
                print(f"  server: {line}", file=sys.stderr)
            raise BenchError(f"{e} (server files kept in {root})") from e
        finally:
            stop_server(server)  # also on Ctrl-C: never leave a server behind
    raise AssertionError("unreachable")  # for mypy: a context manager may swallow exceptions


def postgres_version(options: Options) -> dict[str, str]:
    if not options.database_url:
        return {}
    try:
        with psycopg.connect(admin_url(options.database_url), connect_timeout=10) as db:
            row = db.execute("SHOW server_version").fetchone()
    except psycopg.Error as error:
        raise BenchError(f"PostgreSQL not reachable: {error}") from error
    return {"PostgreSQL": str(row[0]) if row else "unknown"}


@contextmanager
def database_for(options: Options, root: Path) -> Iterator[Database]:
    if options.database_url:
        with own_postgres_database(options.database_url) as database:
            yield database
    else:
        yield Database.sqlite(root / "var")


def measure(
    options: Options,
    server: Server,
    database: Database,
    machine: dict[str, str],
    started: dt.datetime,
) -> Result:
    wait_ready(server)
    count = max(options.clients, options.calibration_clients)
    clients: list[Client] = []
    try:
        clients = [NewRequester(server.port, index) for index in range(count)]
        calibration = calibrate(options, server, database, clients[: options.calibration_clients])
        target = options.share * calibration.rate
        print(f"soak: {target:.1f} submissions/s for {options.minutes:g} min", flush=True)
        load = OpenLoop(clients[: options.clients], target, options.minutes * 60)
        watcher = Watcher(server.process.pid, database, lambda: load.accepted, options.interval)
        with watcher, load:
            pass  # the load runs in its threads until every arrival is answered
        at_end = database.acknowledged()
        drain = wait_for_backlog(database, options.drain_seconds)
        after_drain = database.acknowledged()
    finally:
        for client in clients:
            client.connection.close()
    stop_server(server)
    problems = check(load, watcher, calibration.submitted, after_drain, database, server)
    return Result(
        options=options,
        machine=machine,
        load_after=", ".join(f"{value:.2f}" for value in os.getloadavg()),
        started=started,
        database=database.name,
        calibration=calibration,
        target=target,
        samples=watcher.samples,
        arrivals=load.arrivals(),
        errors=load.errors,
        error_samples=load.problems(),
        pids=watcher.pids,
        at_end=at_end,
        drain=drain,
        after_drain=after_drain,
        problems=problems,
        trouble=server_trouble(server),
        root=server.root,
    )


def calibrate(
    options: Options, server: Server, database: Database, clients: Sequence[Client]
) -> Calibration:
    """A closed-loop warm-up, then (unless --rate) the intake rate: all clients submitting as
    fast as they are answered. The outbox is drained after each, so the soak starts empty."""
    warm = run_phase("warm-up", clients, Client.submit, options.warmup, server)
    if warm.errors:
        raise BenchError(f"{warm.errors} submissions failed during the warm-up: {warm.samples}")
    drain_or_fail(database)
    if options.rate is not None:
        return Calibration(options.rate, None, warm.successes, 0, 0.0)
    phase = run_phase("calibration", clients, Client.submit, options.calibration_seconds, server)
    if phase.errors:
        raise BenchError(f"{phase.errors} submissions failed while measuring: {phase.samples}")
    backlog = database.scalar(UNSENT_ACKNOWLEDGEMENTS)
    drained = drain_or_fail(database)
    print(
        f"intake: {phase.rate:.1f} submissions/s with {len(clients)} clients closed-loop "
        f"({backlog} acknowledgements unsent at the end, drained in {drained:.1f} s)",
        flush=True,
    )
    return Calibration(phase.rate, phase, warm.successes + phase.successes, backlog, drained)


def wait_for_backlog(database: Database, limit: float) -> Drain:
    began = time.monotonic()
    while (backlog := database.scalar(UNSENT_ACKNOWLEDGEMENTS)) > 0:
        if time.monotonic() - began > limit:
            return Drain(None, backlog)
        time.sleep(0.2)
    return Drain(time.monotonic() - began, 0)


def drain_or_fail(database: Database, limit: float = 300.0) -> float:
    drain = wait_for_backlog(database, limit)
    if drain.seconds is None:
        raise BenchError(f"{drain.backlog} acknowledgements still unsent after {limit:.0f} s")
    return drain.seconds


def check(
    load: OpenLoop,
    watcher: Watcher,
    before: int,
    after_drain: Acknowledged,
    database: Database,
    server: Server,
) -> list[str]:
    """What fails the run, as opposed to a goal missed: wrong answers and wrong data."""
    problems = [f"watching: {error}" for error in watcher.errors]
    if load.errors:
        problems.append(f"{load.errors} submission(s) were not answered with the thanks page")
    if after_drain.tickets != before + load.accepted:
        problems.append(
            f"{before + load.accepted} submissions accepted in all, {after_drain.tickets} tickets"
        )
    if not after_drain.all_exactly_once:
        problems.append(f"after the drain: {after_drain.describe()}")
    problems += transport_problems(database, server.root / "var" / "mail")
    return problems
