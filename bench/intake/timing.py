"""What is measured: phases of all clients against one endpoint, runs of an intake and a ceiling
phase, and the whole benchmark around one server."""

from __future__ import annotations

import datetime as dt
import http.client
import sqlite3
import statistics
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.common import BenchError, machine_info, median
from bench.intake.clients import (
    MAX_ERROR_SAMPLES,
    REQUEST_TIMEOUT,
    Action,
    Client,
    Tally,
    drive,
)
from bench.intake.cpu import Sampler, Snapshot, cores_used, snapshot, web_workers
from bench.intake.server import (
    Server,
    count_rows,
    log_tail,
    server_trouble,
    start_server,
    stop_server,
    unsent_acknowledgements,
    wait_for_outbox,
    wait_ready,
)

# --- Phases and runs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Phase:
    name: str
    successes: int
    errors: int
    seconds: float
    latencies: tuple[float, ...]
    samples: tuple[str, ...]
    cores: dict[str, float]
    web_states: dict[str, float]  # share of web-worker time per WORKER_STATES entry

    @property
    def rate(self) -> float:
        return self.successes / self.seconds

    def latency_ms(self, percentile: int) -> float:
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100)[percentile - 1] * 1000


def run_phase(
    name: str, clients: Sequence[Client], action: Action, seconds: float, server: Server
) -> Phase:
    """All clients hammer one endpoint for `seconds`; the rate counts only requests that
    finished, over the time until the last one did."""
    tallies = [Tally() for _ in clients]
    start = threading.Barrier(len(clients) + 1)
    threads = [
        threading.Thread(
            target=drive,
            args=(client, action, seconds, start, tally),
            name=f"{name}-{client.index}",
            daemon=True,
        )
        for client, tally in zip(clients, tallies, strict=True)
    ]
    for thread in threads:
        thread.start()
    start.wait(timeout=REQUEST_TIMEOUT)
    before = snapshot(server.process.pid)
    limit = seconds + REQUEST_TIMEOUT + 5
    with Sampler(web_workers(before.server), limit) as sampler:
        for thread in threads:
            thread.join(timeout=limit)
    after = snapshot(server.process.pid)
    if any(thread.is_alive() for thread in threads):
        raise BenchError(f"a client thread of the {name} phase did not finish")
    return phase_of(name, tallies, before, after, sampler.shares())


def phase_of(
    name: str,
    tallies: Sequence[Tally],
    before: Snapshot,
    after: Snapshot,
    web_states: dict[str, float],
) -> Phase:
    """The client threads' tallies added up, with the CPU used between the snapshots."""
    return Phase(
        name=name,
        successes=sum(tally.successes for tally in tallies),
        errors=sum(tally.errors for tally in tallies),
        seconds=after.at - before.at,
        latencies=tuple(sorted(latency for tally in tallies for latency in tally.latencies)),
        samples=tuple(sample for tally in tallies for sample in tally.samples)[:MAX_ERROR_SAMPLES],
        cores=cores_used(before, after),
        web_states=web_states,
    )


@dataclass(frozen=True)
class Run:
    intake: Phase
    health: Phase
    backlog: int  # acknowledgements not yet sent when the intake phase ended
    drain_seconds: float

    @property
    def delivery_rate(self) -> float:
        """Acknowledgements the background worker sent per second while intake ran (the
        outbox was empty when the phase began)."""
        return (self.intake.successes - self.backlog) / self.intake.seconds

    @property
    def ratio(self) -> float:
        return self.intake.rate / self.health.rate if self.health.rate else float("nan")


def one_run(clients: Sequence[Client], server: Server, seconds: float) -> Run:
    intake = run_phase("intake", clients, Client.submit, seconds, server)
    backlog = unsent_acknowledgements(server)
    drain = wait_for_outbox(server)
    health = run_phase("health", clients, Client.health, seconds, server)
    return Run(intake, health, backlog, drain)


def warm_up(clients: Sequence[Client], server: Server, seconds: float) -> list[Phase]:
    """Load every code path, template and translation in both workers before measuring."""
    phases = [
        run_phase("warm-up health", clients, Client.health, seconds, server),
        run_phase("warm-up intake", clients, Client.submit, seconds, server),
    ]
    wait_for_outbox(server)
    return phases


def describe_run(run: Run) -> str:
    return (
        f"intake {run.intake.rate:7.1f}/s ({run.intake.errors} errors), "
        f"health {run.health.rate:7.1f}/s ({run.health.errors} errors), "
        f"ratio {run.ratio:.3f}, {run.backlog} acks unsent after intake, "
        f"drained in {run.drain_seconds:.1f} s"
    )


# --- The whole benchmark -----------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    runs: int
    seconds: float
    warmup: float
    clients: int
    workers: int
    write_docs: bool
    keep: bool


@dataclass(frozen=True)
class Result:
    options: Options
    machine: dict[str, str]
    started: dt.datetime
    runs: list[Run]
    warmups: list[Phase]
    problems: list[str]
    trouble: list[str]
    root: Path

    @property
    def errors(self) -> int:
        return sum(phase.errors for phase in self.phases())

    def phases(self) -> list[Phase]:
        return [*self.warmups, *(p for run in self.runs for p in (run.intake, run.health))]


def benchmark(options: Options) -> Result:
    root = Path(tempfile.mkdtemp(prefix="loket-bench-"))
    started = dt.datetime.now(dt.UTC)
    info = machine_info("django", "gunicorn", SQLite=sqlite3.sqlite_version)
    server = start_server(root, options.workers)
    try:
        warmups, runs = measure(server, options)
        intakes = [phase for phase in warmups if phase.name == "warm-up intake"]
        problems = integrity_problems(server, [*intakes, *(run.intake for run in runs)])
    except (BenchError, OSError, http.client.HTTPException, sqlite3.Error) as error:
        stop_server(server)
        for line in server_trouble(server) or log_tail(server):
            print(f"  server: {line}", file=sys.stderr)
        raise BenchError(f"{error} (server files kept in {root})") from error
    finally:
        stop_server(server)  # also on Ctrl-C: never leave a server behind
    return Result(options, info, started, runs, warmups, problems, server_trouble(server), root)


def measure(server: Server, options: Options) -> tuple[list[Phase], list[Run]]:
    wait_ready(server)
    clients: list[Client] = []
    try:
        clients = [Client(server.port, index) for index in range(options.clients)]
        warmups = warm_up(clients, server, options.warmup)
        runs: list[Run] = []
        for number in range(1, options.runs + 1):
            runs.append(one_run(clients, server, options.seconds))
            print(f"run {number}/{options.runs}: {describe_run(runs[-1])}", flush=True)
        return warmups, runs
    finally:
        for client in clients:
            client.connection.close()


def integrity_problems(server: Server, intakes: Sequence[Phase]) -> list[str]:
    """Every 302 must be a ticket in the database and every acknowledgement must be sent."""
    submitted = sum(phase.successes for phase in intakes)
    tickets = count_rows(server.database, "SELECT COUNT(*) FROM tickets_ticket")
    unsent = count_rows(
        server.database, "SELECT COUNT(*) FROM notify_outboxmessage WHERE status != 'sent'"
    )
    problems = []
    if tickets != submitted:
        problems.append(
            f"{submitted} submissions answered 302 but the database has {tickets} tickets"
        )
    if unsent:
        problems.append(f"{unsent} acknowledgement(s) in the outbox are not sent")
    return problems


def medians(runs: Sequence[Run]) -> dict[str, float]:
    """The headline figures: median intake and ceiling rates and their ratio."""
    return {
        "intake": median([run.intake.rate for run in runs]),
        "health": median([run.health.rate for run in runs]),
        "ratio": median([run.ratio for run in runs]),
    }
