"""What is measured: rounds of a contact-form phase and a webhook phase against one server, and
the whole benchmark around the fake Graph API and that server."""

from __future__ import annotations

import datetime as dt
import http.client
import itertools
import os
import signal
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests import graph

from bench.common import BenchError, machine_info, median
from bench.intake.clients import Client
from bench.intake.cpu import group_processes
from bench.intake.server import (
    Server,
    count_rows,
    log_tail,
    server_trouble,
    start_server,
    stop_server,
    wait_for_outbox,
    wait_ready,
)
from bench.intake.timing import Phase, run_phase, warm_up
from bench.whatsapp_webhook.load import Acks, Webhooks, collect_acks

PAUSE_ATTEMPTS = 50


@dataclass(frozen=True)
class Options:
    runs: int
    seconds: float
    warmup: float
    clients: int
    workers: int
    ack_timeout: float
    write_docs: bool
    keep: bool


@dataclass(frozen=True)
class Round:
    contact: Phase  # phase A: the contact form, as bench/intake measures it
    webhook: Phase  # phase B: signed webhook POSTs
    acks: Acks

    @property
    def ratio(self) -> float:
        return self.webhook.rate / self.contact.rate if self.contact.rate else float("nan")


@dataclass(frozen=True)
class Measured:
    warmups: list[Phase]
    rounds: list[Round]
    # Diagnosis, after the rounds: the contact form, then webhook POSTs, with the background
    # worker stopped, i.e. without its writes competing for SQLite's write lock.
    alone: Round
    problems: list[str]


@dataclass(frozen=True)
class Result:
    options: Options
    machine: dict[str, str]
    started: dt.datetime
    measured: Measured
    trouble: list[str]
    root: Path

    @property
    def rounds(self) -> list[Round]:
        return self.measured.rounds

    @property
    def problems(self) -> list[str]:
        return self.measured.problems

    @property
    def errors(self) -> int:
        return sum(phase.errors for phase in self.phases())

    def phases(self) -> list[Phase]:
        rounds = (p for r in self.rounds for p in (r.contact, r.webhook))
        alone = self.measured.alone
        return [*self.measured.warmups, *rounds, alone.contact, alone.webhook]


def graph_environment(fake: graph.FakeGraph) -> dict[str, str]:
    """The WhatsApp settings of the server under test: the fake's credentials and address."""
    return {
        "LOKET_WHATSAPP_PHONE_NUMBER_ID": graph.PHONE_NUMBER_ID,
        "LOKET_WHATSAPP_ACCESS_TOKEN": graph.ACCESS_TOKEN,
        "LOKET_WHATSAPP_APP_SECRET": graph.APP_SECRET,
        "LOKET_WHATSAPP_VERIFY_TOKEN": graph.VERIFY_TOKEN,
        "LOKET_WHATSAPP_GRAPH_URL": fake.url,
    }


def webhook_phase(
    name: str,
    clients: Sequence[Client],
    serials: Iterator[int],
    seconds: float,
    server: Server,
    fake: graph.FakeGraph,
    ack_timeout: float,
) -> tuple[Phase, Acks]:
    webhooks = Webhooks(len(clients), serials)
    phase = run_phase(name, clients, webhooks, seconds, server)
    ended = time.monotonic()
    acks = collect_acks(fake, webhooks.answered(), ended, ack_timeout)
    return phase, acks


def diagnose(
    clients: Sequence[Client], serials: Iterator[int], server: Server, seconds: float
) -> Round:
    """Both phases while the worker is stopped: what each costs without its competition.
    Nothing is processed, so there are no acknowledgements to wait for."""
    contact = run_phase("contact, worker stopped", clients, Client.submit, seconds, server)
    webhooks = Webhooks(len(clients), serials)
    webhook = run_phase("webhook, worker stopped", clients, webhooks, seconds, server)
    return Round(contact, webhook, Acks(0, (), 0, 0.0, 0))


def one_round(
    clients: Sequence[Client],
    serials: Iterator[int],
    server: Server,
    fake: graph.FakeGraph,
    options: Options,
) -> Round:
    contact = run_phase("contact", clients, Client.submit, options.seconds, server)
    wait_for_outbox(server)  # the contact form's e-mails must not eat the webhook's CPU
    webhook, acks = webhook_phase(
        "webhook", clients, serials, options.seconds, server, fake, options.ack_timeout
    )
    wait_for_outbox(server)  # nothing of this round left for the next one
    return Round(contact, webhook, acks)


def describe_round(one: Round) -> str:
    acks = one.acks
    return (
        f"contact form {one.contact.rate:6.1f}/s ({one.contact.errors} errors), "
        f"webhook {one.webhook.rate:6.1f}/s ({one.webhook.errors} errors), "
        f"ratio {one.ratio:.1f}x; acks {acks.arrived}/{acks.expected} "
        f"({acks.during} during the phase), p50 {acks.percentile(50):.2f} s, "
        f"p95 {acks.percentile(95):.2f} s, last {acks.waited:.1f} s after the phase"
    )


def benchmark(options: Options) -> Result:
    root = Path(tempfile.mkdtemp(prefix="loket-bench-whatsapp-"))
    started = dt.datetime.now(dt.UTC)
    info = machine_info("django", "gunicorn", SQLite=sqlite3.sqlite_version)
    fake = graph.FakeGraph().start()
    server = start_server(root, options.workers, graph_environment(fake))
    try:
        measured = measure(server, fake, options)
    except (BenchError, OSError, http.client.HTTPException, sqlite3.Error) as error:
        stop_server(server)
        for line in server_trouble(server) or log_tail(server):
            print(f"  server: {line}", file=sys.stderr)
        raise BenchError(f"{error} (server files kept in {root})") from error
    finally:
        stop_server(server)  # also on Ctrl-C: never leave a server behind
        fake.stop()
    return Result(options, info, started, measured, server_trouble(server), root)


def measure(server: Server, fake: graph.FakeGraph, options: Options) -> Measured:
    wait_ready(server)
    serials = itertools.count(1)
    clients: list[Client] = []
    try:
        clients = [Client(server.port, index) for index in range(options.clients)]
        # Every code path, template and translation loaded in both web workers and the worker.
        warmups = warm_up(clients, server, options.warmup)
        phase, acks = webhook_phase(
            "warm-up webhook", clients, serials, options.warmup, server, fake, options.ack_timeout
        )
        if not acks.complete:
            raise BenchError(f"only {acks.arrived} of {acks.expected} warm-up acks arrived")
        warmups.append(phase)
        wait_for_outbox(server)
        rounds: list[Round] = []
        for number in range(1, options.runs + 1):
            rounds.append(one_round(clients, serials, server, fake, options))
            print(f"round {number}/{options.runs}: {describe_round(rounds[-1])}", flush=True)
        problems = integrity_problems(server, fake, warmups, rounds)
        with worker_paused(server):
            alone = diagnose(clients, serials, server, options.seconds)
            # Durable: every 200 is a row in the database before anything processed it.
            answered = sum(p.successes for p in warmups if p.name.endswith("webhook"))
            answered += sum(r.webhook.successes for r in [*rounds, alone])
            stored = count_rows(server.database, "SELECT COUNT(*) FROM inbound_inboundrecord")
            if stored != answered:
                problems.append(f"{answered} webhook POSTs answered 200 but {stored} stored")
        print(
            f"diagnosis, background worker stopped: webhook {alone.webhook.rate:.1f} POSTs/s, "
            f"contact form {alone.contact.rate:.1f} submissions/s, ratio {alone.ratio:.1f}x"
        )
        return Measured(warmups, rounds, alone, problems)
    finally:
        for client in clients:
            client.connection.close()


def integrity_problems(
    server: Server, fake: graph.FakeGraph, warmups: Sequence[Phase], rounds: Sequence[Round]
) -> list[str]:
    """Every 200 must be a stored item that became a ticket with one acknowledgement sent on
    WhatsApp; every contact-form 302 a ticket."""
    phases = [*warmups, *(p for r in rounds for p in (r.contact, r.webhook))]
    webhooks = sum(p.successes for p in phases if p.name.endswith("webhook"))
    submissions = sum(p.successes for p in phases if p.name.endswith(("intake", "contact")))
    database = server.database
    records = count_rows(database, "SELECT COUNT(*) FROM inbound_inboundrecord")
    problems: list[str] = []
    if records != webhooks:
        problems.append(f"{webhooks} webhook POSTs answered 200 but {records} items were stored")
    duplicates = sum(r.acks.duplicates for r in rounds)
    if duplicates:
        problems.append(f"{duplicates} numbers got more than one acknowledgement")
    if not all(r.acks.complete for r in rounds):
        return problems  # reported as acks that did not arrive in time, not checked further
    created = count_rows(
        database, "SELECT COUNT(*) FROM inbound_inboundrecord WHERE status = 'created'"
    )
    tickets = count_rows(database, "SELECT COUNT(*) FROM tickets_ticket")
    if created != webhooks:
        problems.append(f"{webhooks} webhook items stored but {created} opened a ticket")
    if tickets != submissions + webhooks:
        problems.append(
            f"{submissions} submissions and {webhooks} webhook messages but {tickets} tickets"
        )
    sent = len(fake.sent)
    if sent != webhooks:
        problems.append(f"{webhooks} webhook messages but the fake Graph API got {sent} sends")
    return problems


@contextmanager
def worker_paused(server: Server) -> Iterator[None]:
    """SIGSTOP the background worker, at a moment it holds no write lock, until the block ends."""
    workers = [pid for pid, p in group_processes(server.process.pid).items() if p.role == "worker"]
    if len(workers) != 1:
        raise BenchError(f"expected one background worker process, found {len(workers)}")
    pid = workers[0]
    for _ in range(PAUSE_ATTEMPTS):
        os.kill(pid, signal.SIGSTOP)
        if write_lock_free(server.database):
            break
        os.kill(pid, signal.SIGCONT)  # stopped inside a write: let it finish, try again
        time.sleep(0.2)
    else:
        raise BenchError("could not stop the background worker outside a write")
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


def write_lock_free(database: Path) -> bool:
    """Whether a write transaction can start now (it is rolled back at once)."""
    with closing(sqlite3.connect(database, timeout=0.5, isolation_level=None)) as db:
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return False
        db.execute("ROLLBACK")
        return True


def medians(rounds: Sequence[Round]) -> dict[str, float]:
    """The headline figures: the median rates, ratio and acknowledgement times of the rounds."""
    return {
        "webhook": median([r.webhook.rate for r in rounds]),
        "contact": median([r.contact.rate for r in rounds]),
        "ratio": median([r.ratio for r in rounds]),
        "p50": median([r.acks.percentile(50) for r in rounds]),
        "p95": median([r.acks.percentile(95) for r in rounds]),
    }
