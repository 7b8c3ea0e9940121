"""What is measured: every configuration of web processes and workers, round after round, on
one database; per configuration the intake rate, the acknowledgements sent meanwhile, the
backlog left and where the CPU went."""

from __future__ import annotations

import datetime as dt
import http.client
import os
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import psycopg

from bench.common import BenchError, machine_info
from bench.database import (
    SENT_ACKNOWLEDGEMENTS,
    UNSENT_ACKNOWLEDGEMENTS,
    Acknowledged,
    Database,
    admin_url,
    own_postgres_database,
    transport_problems,
)
from bench.intake.clients import Client
from bench.intake.server import Server, stop_server, tail_of, trouble_in, wait_ready
from bench.intake.timing import Phase, run_phase
from bench.scaleout.activity import Activity, backend_cores, backend_ticks
from bench.scaleout.cluster import Setup, prepare, setup_log, start
from bench.soak.load import NewRequester
from bench.soak.run import drain_or_fail

DRAIN_LIMIT = 300.0


@dataclass(frozen=True)
class Options:
    pairs: tuple[tuple[int, int], ...]  # (gunicorn worker processes, background workers)
    rounds: int
    seconds: float
    warmup: float
    clients: int
    database_url: str  # "" for SQLite in the var directory
    write_docs: bool
    keep: bool

    def configurations(self, round_: int) -> list[tuple[int, int]]:
        """Every pair; each round starts one further along, so that no configuration always
        runs first or last while the machine's load drifts."""
        shift = (round_ - 1) % len(self.pairs)
        return [*self.pairs[shift:], *self.pairs[:shift]]


@dataclass(frozen=True)
class Step:
    """One configuration in one round."""

    web: int
    workers: int
    round: int
    intake: Phase
    sent: int  # acknowledgements sent while the intake phase ran
    backlog: int  # unsent when it ended
    drain_seconds: float
    postgres_cores: float  # NaN on SQLite
    activity: dict[str, float]  # of PostgreSQL's busy backend samples; empty on SQLite

    @property
    def acknowledgements(self) -> float:
        return self.sent / self.intake.seconds

    @property
    def server_cores(self) -> float:
        postgres = 0.0 if self.postgres_cores != self.postgres_cores else self.postgres_cores
        return self.intake.cores["web"] + self.intake.cores["worker"] + postgres

    @property
    def per_core(self) -> float:
        """Submissions/s per core the server side kept busy (web, workers, PostgreSQL)."""
        return self.intake.rate / self.server_cores if self.server_cores else float("nan")


@dataclass(frozen=True)
class Result:
    options: Options
    machine: dict[str, str]
    load_after: str
    started: dt.datetime
    database: str
    steps: list[Step]
    acknowledged: Acknowledged
    problems: list[str]
    trouble: list[str]
    root: Path


def benchmark(options: Options) -> Result:
    root = Path(tempfile.mkdtemp(prefix="loket-scaleout-"))
    started = dt.datetime.now(dt.UTC)
    machine = machine_info(
        "django", "gunicorn", "psycopg", SQLite=sqlite3.sqlite_version, **postgres_version(options)
    )
    with database_for(options, root) as database:
        try:
            steps, problems = measure(options, root, database)
            acknowledged = database.acknowledged()
        except (BenchError, OSError, http.client.HTTPException, sqlite3.Error, psycopg.Error) as e:
            for line in trouble_in(setup_log(root)) or tail_of(setup_log(root)):
                print(f"  server: {line}", file=sys.stderr)
            raise BenchError(f"{e} (server files kept in {root})") from e
        if not acknowledged.all_exactly_once:
            problems.append(f"at the end: {acknowledged.describe()}")
        problems += transport_problems(database, root / "var" / "mail")
        return Result(
            options=options,
            machine=machine,
            load_after=", ".join(f"{value:.2f}" for value in os.getloadavg()),
            started=started,
            database=database.name,
            steps=steps,
            acknowledged=acknowledged,
            problems=problems,
            trouble=trouble_in(setup_log(root)),
            root=root,
        )
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


def measure(options: Options, root: Path, database: Database) -> tuple[list[Step], list[str]]:
    setup = prepare(root, database.environment)
    steps: list[Step] = []
    problems: list[str] = []
    for round_ in range(1, options.rounds + 1):
        for web, workers in options.configurations(round_):
            step, errors = one_step(options, setup, database, web, workers, round_)
            steps.append(step)
            problems += errors
            print(f"round {round_}: {describe(step)}", flush=True)
    return steps, problems


def one_step(
    options: Options, setup: Setup, database: Database, web: int, workers: int, round_: int
) -> tuple[Step, list[str]]:
    server = start(setup, web, workers)
    clients: list[Client] = []
    try:
        wait_ready(server)
        series = f"r{round_}-w{web}-b{workers}"
        clients = [NewRequester(server.port, n, series) for n in range(options.clients)]
        warm = run_phase("warm-up", clients, Client.submit, options.warmup, server)
        drain_or_fail(database, DRAIN_LIMIT)
        step = intake_step(options, server, database, clients, (web, workers, round_))
    finally:
        for client in clients:
            client.connection.close()
        stop_server(server)  # SIGTERM: the supervisor stops the workers between batches
    errors = [f"{web} web, {workers} worker(s): {sample}" for sample in warm.samples]
    errors += [f"{web} web, {workers} worker(s): {sample}" for sample in step.intake.samples]
    return step, errors


def intake_step(
    options: Options,
    server: Server,
    database: Database,
    clients: Sequence[Client],
    configuration: tuple[int, int, int],
) -> Step:
    url = database.url
    sent_before = database.scalar(SENT_ACKNOWLEDGEMENTS)
    postgres_before = backend_ticks(url) if url else {}
    watching = Activity(url) if url else nullcontext()
    with watching:
        phase = run_phase("intake", clients, Client.submit, options.seconds, server)
    postgres_after = backend_ticks(url) if url else {}
    sent = database.scalar(SENT_ACKNOWLEDGEMENTS) - sent_before
    backlog = database.scalar(UNSENT_ACKNOWLEDGEMENTS)
    drain = drain_or_fail(database, DRAIN_LIMIT)
    web, workers, round_ = configuration
    return Step(
        web=web,
        workers=workers,
        round=round_,
        intake=phase,
        sent=sent,
        backlog=backlog,
        drain_seconds=drain,
        postgres_cores=(
            backend_cores(postgres_before, postgres_after, phase.seconds) if url else float("nan")
        ),
        activity=watching.shares() if isinstance(watching, Activity) else {},
    )


def describe(step: Step) -> str:
    cores = step.intake.cores
    return (
        f"{step.web} web, {step.workers} worker(s): intake {step.intake.rate:6.1f}/s "
        f"({step.intake.errors} errors), acks {step.acknowledgements:6.1f}/s, "
        f"{step.backlog} unsent after, drained in {step.drain_seconds:.1f} s; cores web "
        f"{cores['web']:.2f} worker {cores['worker']:.2f} postgres {step.postgres_cores:.2f} "
        f"machine {cores['machine']:.0%}"
    )


def clean_up(result: Result) -> None:
    if not result.options.keep:
        shutil.rmtree(result.root, ignore_errors=True)
