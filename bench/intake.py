"""Intake benchmark (issue 2): public contact-form submissions per second against `loket serve`.

Starts `loket serve --workers 2` on SQLite in a fresh var directory and drives it with 8
concurrent clients. Every run measures, against the same server processes, the contact form
(POST, one new ticket each) and the trivial /health/ view as the ceiling. The medians of the
runs and their ratio replace the intake section of docs/benchmarks.md.

    .venv/bin/python -m bench.intake           # 5 runs of 10 s per endpoint, writes the docs
    .venv/bin/python -m bench.intake --quick   # 1 run of 2 s: a smoke test, writes nothing

Only 127.0.0.1 is contacted and every loop is bounded in time and in count.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import http.cookies
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from contextlib import closing, suppress
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import DOCS, REPO, machine_info, write_docs

SECTION = "## Intake: contact-form submissions (issue 2)"
HOST = "127.0.0.1"  # the only host this script ever contacts
CONTACT = "/support/contact/"
THANKS = "/support/contact/thanks/"
HEALTH = "/health/"

READY_TIMEOUT = 60.0
DRAIN_TIMEOUT = 300.0
STOP_TIMEOUT = 15.0
REQUEST_TIMEOUT = 30.0
# A hard bound per client and phase, far above what the time limit lets a client reach.
MAX_REQUESTS_PER_CLIENT = 200_000
MAX_ERROR_SAMPLES = 5
CATEGORIES = ("support", "access")
TOKEN_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SERVER_TROUBLE = re.compile(r"Traceback|ERROR|CRITICAL|database is locked|\" [45]\d\d ")

# Under production settings Django reports an unhandled view error only through mail_admins
# (no ADMINS here) and a DEBUG-only console handler, so a "database is locked" 500 would leave
# nothing but an access-log line. This wrapper logs django.request errors and changes nothing
# else; the success path is untouched.
BENCH_SETTINGS = """\
from loket.settings import *  # noqa: F403

LOGGING["loggers"]["django.request"] = {  # noqa: F405
    "handlers": ["console"],
    "level": "ERROR",
    "propagate": False,
}
"""


class BenchError(Exception):
    """The benchmark could not measure what it set out to measure."""


# --- The server under test -------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    process: subprocess.Popen[bytes]
    root: Path
    port: int

    @property
    def database(self) -> Path:
        return self.root / "var" / "loket.sqlite3"

    @property
    def log(self) -> Path:
        return self.root / "server.log"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def server_environment(root: Path, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)  # SQLite, the embedded default, is what issue 2 measures
    settings_dir = root / "settings"
    settings_dir.mkdir()
    (settings_dir / "loket_bench_settings.py").write_text(BENCH_SETTINGS)
    env.update(
        LOKET_VAR_DIR=str(root / "var"),
        LOKET_MAIL="file",
        LOKET_DEBUG="",
        LOKET_BASE_URL=f"http://{HOST}:{port}",
        DJANGO_SETTINGS_MODULE="loket_bench_settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(settings_dir), env.get("PYTHONPATH")])),
    )
    return env


def start_server(root: Path, workers: int) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "loket.cli", "serve"]  # what the `loket` script runs
    command += ["--bind", f"{HOST}:{port}", "--workers", str(workers)]
    with (root / "server.log").open("wb") as log:
        # A session of its own, so the whole tree (gunicorn, its workers, the background
        # worker) can be found and stopped by process group whatever happens here.
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=server_environment(root, port),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(process, root, port)


def wait_ready(server: Server) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(f"loket serve exited with {server.process.returncode} while starting")
        connection = http.client.HTTPConnection(HOST, server.port, timeout=2)
        try:
            connection.request("GET", HEALTH)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass  # not listening yet: migrate and apply_policy run before gunicorn starts
        finally:
            connection.close()
        time.sleep(0.25)
    raise BenchError(f"/health/ did not answer 200 within {READY_TIMEOUT:.0f} s")


def stop_server(server: Server) -> None:
    """SIGTERM the group (loket serve forwards it), then SIGKILL whatever is left of it."""
    pgid = server.process.pid
    if server.process.poll() is None:  # safe to call twice: a reaped leader is not signalled
        with suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
        try:
            server.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=STOP_TIMEOUT)
    # Kill stragglers by pid, never by name; by now the group is normally empty.
    for pid in group_processes(pgid):
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def server_trouble(server: Server, limit: int = 30) -> list[str]:
    """Log lines worth showing when something failed: errors, tracebacks, 4xx and 5xx."""
    if not server.log.exists():
        return []
    lines = server.log.read_text(errors="replace").splitlines()
    trouble = [line for line in lines if SERVER_TROUBLE.search(line)]
    if len(trouble) > limit:
        return [*trouble[:limit], f"... and {len(trouble) - limit} more such lines in {server.log}"]
    return trouble


def log_tail(server: Server, lines: int = 15) -> list[str]:
    """For failures that leave no error line, e.g. a management command exiting at start."""
    if not server.log.exists():
        return []
    return server.log.read_text(errors="replace").splitlines()[-lines:]


def count_rows(database: Path, sql: str) -> int:
    # Read-only: in WAL mode this never takes the write lock the server is queuing on.
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)) as db:
        return int(db.execute(sql).fetchone()[0])


def unsent_acknowledgements(server: Server) -> int:
    sql = "SELECT COUNT(*) FROM notify_outboxmessage WHERE status IN ('pending', 'sending')"
    return count_rows(server.database, sql)


def wait_for_outbox(server: Server) -> float:
    """Seconds until the background worker has sent every acknowledgement queued so far.

    Waiting keeps the worker's backlog from eating CPU during the next ceiling phase.
    """
    began = time.monotonic()
    while unsent_acknowledgements(server):
        if time.monotonic() - began > DRAIN_TIMEOUT:
            raise BenchError(f"the outbox did not drain within {DRAIN_TIMEOUT:.0f} s")
        time.sleep(0.2)
    return time.monotonic() - began


# --- CPU accounting: where the time goes --------------------------------------------------------


@dataclass(frozen=True)
class Process:
    role: str  # "web" (gunicorn), "worker" (the background worker) or "supervisor"
    parent: int
    ticks: int  # user + system CPU so far


def group_processes(pgid: int) -> dict[int, Process]:
    """Every live process in the server's process group, by pid."""
    found: dict[int, Process] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            arguments = [a for a in (entry / "cmdline").read_bytes().split(b"\0") if a]
        except OSError:
            continue  # the process ended while we looked
        # Fields after "(comm)": state ppid pgrp ... utime is field 14, stime 15 (1-based).
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid:
            ticks = int(fields[11]) + int(fields[12])
            found[int(entry.name)] = Process(role_of(arguments), int(fields[1]), ticks)
    return found


def web_workers(processes: dict[int, Process]) -> list[int]:
    """gunicorn's workers: web processes whose parent is the (web) gunicorn master."""
    gunicorn = {pid for pid, process in processes.items() if process.role == "web"}
    return [pid for pid in gunicorn if processes[pid].parent in gunicorn]


def role_of(arguments: Sequence[bytes]) -> str:
    if any(b"gunicorn" in argument for argument in arguments):
        return "web"
    if arguments and arguments[-1] == b"worker":
        return "worker"
    return "supervisor"


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine, other people's processes included."""
    with open("/proc/stat") as stat:
        values = [int(value) for value in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


@dataclass(frozen=True)
class Snapshot:
    at: float
    client: float
    server: dict[int, Process]
    machine: tuple[int, int]


def snapshot(server: Server) -> Snapshot:
    return Snapshot(
        time.monotonic(), time.process_time(), group_processes(server.process.pid), machine_ticks()
    )


def cores_used(before: Snapshot, after: Snapshot) -> dict[str, float]:
    """CPU in use between two snapshots, in cores; "machine" is the busy fraction of all CPUs."""
    wall = after.at - before.at
    used = {"web": 0.0, "worker": 0.0, "supervisor": 0.0}
    for pid, process in after.server.items():
        earlier = before.server[pid].ticks if pid in before.server else 0
        used[process.role] += (process.ticks - earlier) / CLOCK_TICKS / wall
    used["client"] = (after.client - before.client) / wall
    busy = after.machine[0] - before.machine[0]
    used["machine"] = busy / max(1, after.machine[1] - before.machine[1])
    return used


# What a blocked process is waiting in, by x86-64 syscall number. The only sleep in a sync
# gunicorn worker's request path is SQLite's busy handler, which polls a held write lock with
# usleep (1, 2, 5, 10 ... 100 ms); gunicorn itself waits for the next request in select().
SYSCALL_STATES = {
    35: "sqlite busy sleep",  # nanosleep
    230: "sqlite busy sleep",  # clock_nanosleep
    7: "waiting for a request",  # poll
    23: "waiting for a request",  # select
    232: "waiting for a request",  # epoll_wait
    270: "waiting for a request",  # pselect6
    271: "waiting for a request",  # ppoll
    43: "waiting for a request",  # accept
    288: "waiting for a request",  # accept4
    74: "fsync",
    75: "fsync",
}
WORKER_STATES = ("running", "sqlite busy sleep", "waiting for a request", "fsync", "other")
SAMPLE_INTERVAL = 0.005


def worker_state(pid: int) -> str:
    try:
        first = Path(f"/proc/{pid}/syscall").read_text().split()[0]
    except (OSError, IndexError):
        return "other"
    if first == "running":  # on a CPU, or runnable and waiting for one
        return "running"
    return SYSCALL_STATES.get(int(first), "other") if first.isdigit() else "other"


class Sampler:
    """Samples what each web worker is doing, 200 times a second, while a phase runs."""

    def __init__(self, pids: Sequence[int], limit_seconds: float) -> None:
        self.pids = list(pids)
        self.counts = dict.fromkeys(WORKER_STATES, 0)
        self.stop = threading.Event()
        self.limit = int(limit_seconds / SAMPLE_INTERVAL)
        # /proc/PID/syscall numbers are per architecture; elsewhere the table stays empty.
        enabled = platform.machine() == "x86_64" and bool(self.pids)
        self.thread = threading.Thread(target=self.sample, daemon=True) if enabled else None

    def __enter__(self) -> Sampler:
        if self.thread:
            self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        if self.thread:
            self.thread.join(timeout=5)

    def sample(self) -> None:
        for _ in range(self.limit):
            if self.stop.wait(SAMPLE_INTERVAL):
                return
            for pid in self.pids:
                self.counts[worker_state(pid)] += 1

    def shares(self) -> dict[str, float]:
        total = sum(self.counts.values())
        return {state: count / total for state, count in self.counts.items()} if total else {}


# --- The clients -------------------------------------------------------------------------------


def visible_text(body: bytes, limit: int = 160) -> str:
    """The readable start of an error page, e.g. Django's "CSRF verification failed"."""
    text = re.sub(r"<(style|script)\b.*?</\1>", " ", body.decode(errors="replace"), flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(text.split())[:limit]


class Client:
    """One visitor: its own connection, CSRF cookie and form token, fetched once by a GET.

    gunicorn's sync workers answer every request with `Connection: close`, so keep-alive is
    not on offer; http.client reconnects on the next request by itself.
    """

    def __init__(self, port: int, index: int) -> None:
        self.index = index
        self.sent = 0
        self.connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        self.cookie, self.form_token = self.fetch_tokens()

    def exchange(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[http.client.HTTPResponse, bytes]:
        try:
            self.connection.request(method, path, body=body, headers=headers or {})
            response = self.connection.getresponse()
            return response, response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()  # start the next request on a fresh connection
            raise

    def fetch_tokens(self) -> tuple[str, str]:
        response, body = self.exchange("GET", CONTACT)
        cookie = http.cookies.SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie.load(header)
        match = TOKEN_INPUT.search(body.decode(errors="replace"))
        if response.status != 200 or "csrftoken" not in cookie or match is None:
            raise BenchError(f"GET {CONTACT} gave {response.status} without a CSRF token")
        return cookie["csrftoken"].value, match.group(1)

    def submit(self) -> str | None:
        """POST one new ticket; None on success, else what went wrong."""
        self.sent += 1
        fields = {
            "name": f"Bench client {self.index}",
            "email": f"bench{self.index}@example.com",
            "category": CATEGORIES[self.sent % len(CATEGORIES)],
            "subject": f"Benchmark ticket {self.index}-{self.sent}",
            "description": "The activation did not arrive after payment.\nPlease check.",
            "csrfmiddlewaretoken": self.form_token,
        }
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={self.cookie}",
        }
        response, body = self.exchange("POST", CONTACT, urllib.parse.urlencode(fields), headers)
        if response.status == 302 and THANKS in (response.getheader("Location") or ""):
            return None
        return f"POST {CONTACT} -> {response.status}: {visible_text(body)}"

    def health(self) -> str | None:
        response, body = self.exchange("GET", HEALTH)
        if response.status == 200 and body == b"ok":
            return None
        return f"GET {HEALTH} -> {response.status}: {visible_text(body)}"


type Action = Callable[[Client], str | None]


@dataclass
class Tally:
    """One client thread's counts; each thread writes only its own, so no lock is needed."""

    successes: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)

    def record(self, problem: str | None, seconds: float) -> None:
        if problem is None:
            self.successes += 1
            self.latencies.append(seconds)
            return
        self.errors += 1
        if len(self.samples) < MAX_ERROR_SAMPLES:
            self.samples.append(problem)


def drive(
    client: Client, action: Action, seconds: float, start: threading.Barrier, tally: Tally
) -> None:
    start.wait(timeout=REQUEST_TIMEOUT)
    deadline = time.monotonic() + seconds
    for _ in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= deadline:
            return
        began = time.perf_counter()
        try:
            problem = action(client)
        except (OSError, http.client.HTTPException) as error:
            problem = f"{type(error).__name__}: {error}"
        tally.record(problem, time.perf_counter() - began)


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
    before = snapshot(server)
    limit = seconds + REQUEST_TIMEOUT + 5
    with Sampler(web_workers(before.server), limit) as sampler:
        for thread in threads:
            thread.join(timeout=limit)
    after = snapshot(server)
    if any(thread.is_alive() for thread in threads):
        raise BenchError(f"a client thread of the {name} phase did not finish")
    return Phase(
        name=name,
        successes=sum(tally.successes for tally in tallies),
        errors=sum(tally.errors for tally in tallies),
        seconds=after.at - before.at,
        latencies=tuple(sorted(latency for tally in tallies for latency in tally.latencies)),
        samples=tuple(sample for tally in tallies for sample in tally.samples)[:MAX_ERROR_SAMPLES],
        cores=cores_used(before, after),
        web_states=sampler.shares(),
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


def describe_run(run: Run) -> str:
    return (
        f"intake {run.intake.rate:7.1f}/s ({run.intake.errors} errors), "
        f"health {run.health.rate:7.1f}/s ({run.health.errors} errors), "
        f"ratio {run.ratio:.3f}, {run.backlog} acks unsent after intake, "
        f"drained in {run.drain_seconds:.1f} s"
    )


# --- The machine -------------------------------------------------------------------------------


# --- Reporting ---------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def medians(runs: Sequence[Run]) -> dict[str, float]:
    return {
        "intake": median([run.intake.rate for run in runs]),
        "health": median([run.health.rate for run in runs]),
        "ratio": median([run.ratio for run in runs]),
    }


def spread(values: Sequence[float]) -> str:
    return f"{min(values):.1f} to {max(values):.1f}"


def print_table(result: Result) -> None:
    print(
        f"\n{'run':>4} {'intake/s':>9} {'p50 ms':>7} {'p95 ms':>7} {'health/s':>9} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'ratio':>6} {'acks/s':>6} {'unsent':>6} {'drain s':>7}"
    )
    for number, run in enumerate(result.runs, 1):
        intake, health = run.intake, run.health
        print(
            f"{number:>4} {intake.rate:9.1f} {intake.latency_ms(50):7.1f} "
            f"{intake.latency_ms(95):7.1f} {health.rate:9.1f} {health.latency_ms(50):7.1f} "
            f"{health.latency_ms(95):7.1f} {run.ratio:6.3f} {run.delivery_rate:6.1f} "
            f"{run.backlog:6d} {run.drain_seconds:7.1f}"
        )
    print(
        f"\n{'run':>4} {'phase':<7} {'web':>5} {'bgwrk':>5} {'client':>6} {'other':>5} "
        f"{'busy':>5}   web workers: {'running':>7} {'sqlite sleep':>12} {'awaiting req':>12}"
    )
    for number, run in enumerate(result.runs, 1):
        for phase in (run.intake, run.health):
            cores, states = phase.cores, phase.web_states
            print(
                f"{number:>4} {phase.name:<7} {cores['web']:5.2f} {cores['worker']:5.2f} "
                f"{cores['client']:6.2f} {other_cores(cores):5.2f} {cores['machine']:5.0%}"
                f"   {'':12} {share(states, 'running'):>7} "
                f"{share(states, 'sqlite busy sleep'):>12} "
                f"{share(states, 'waiting for a request'):>12}"
            )
    middle = medians(result.runs)
    print(
        f"\nmedian: intake {middle['intake']:.1f} submissions/s, ceiling {middle['health']:.1f} "
        f"requests/s, ratio {middle['ratio']:.3f}"
    )
    print("(CPU in cores; busy = whole machine; web-worker states = share of 200/s samples)")


def share(states: dict[str, float], state: str) -> str:
    return f"{states[state]:.0%}" if state in states else "n/a"


# --- docs/benchmarks.md ------------------------------------------------------------------------


def render_section(result: Result) -> str:
    lines = [
        SECTION,
        "",
        "<!-- Written by bench/intake.py; rerunning it replaces this section. -->",
        "",
    ]
    for part in (render_summary, render_setup, render_results, render_cpu, render_reading):
        lines += [*part(result), ""]
    return "\n".join(lines)


def render_summary(result: Result) -> list[str]:
    middle = medians(result.runs)
    options = result.options
    return [
        f"Public contact-form submissions per second with {options.clients} concurrent clients "
        f"against `loket serve` ({options.workers} gunicorn sync workers plus the background "
        "worker, SQLite), and in the same run, against the same server processes, the trivial "
        "`/health/` view as the ceiling.",
        "",
        f"**Median of {len(result.runs)} runs: {middle['intake']:.1f} submissions/s; ceiling "
        f"{middle['health']:.1f} requests/s; ratio intake / ceiling {middle['ratio']:.3f}.** "
        f"Range over the runs: intake {spread([run.intake.rate for run in result.runs])}/s, "
        f"ceiling {spread([run.health.rate for run in result.runs])}/s.",
        "",
        "### Machine and date",
        "",
        f"- Date: {result.started:%Y-%m-%d %H:%M} UTC",
        *(f"- {name}: {value}" for name, value in result.machine.items()),
    ]


def render_setup(result: Result) -> list[str]:
    options = result.options
    return [
        "### How it was measured",
        "",
        "- Rerun: `make bench`, or `.venv/bin/python -m bench.intake` (options `--runs`, "
        "`--seconds`, `--clients`, `--workers`; `--quick` is a 2-second smoke run that leaves "
        "this file alone).",
        f"- Parameters: {options.runs} runs of {options.seconds:g} s per endpoint, "
        f"{options.clients} client threads, `--workers {options.workers}`, "
        f"{options.warmup:g} s warm-up per endpoint first.",
        f"- Server: `loket serve --bind 127.0.0.1:<free port> --workers {options.workers}` with "
        "a fresh `LOKET_VAR_DIR`, `LOKET_MAIL=file` and no `DATABASE_URL`. A settings wrapper "
        "adds only a console handler for `django.request` errors, so a failure would be in the "
        "server log.",
        "- Clients: one thread each with a stdlib `http.client` connection. Each fetches its "
        "CSRF cookie and form token with one GET, then POSTs urlencoded forms, a new ticket "
        "each. Only a 302 to `/support/contact/thanks/<token>/` counts; any other answer fails "
        "the benchmark. gunicorn's sync workers close the connection after every response, so "
        "every request opens a new TCP connection.",
        "- Each run: the intake phase, then a wait until the background worker has sent every "
        "acknowledgement e-mail (so its backlog does not eat the ceiling's CPU), then the "
        "ceiling phase. A rate is completed requests over the time until the last one "
        "finished. Afterwards the database must hold exactly one ticket per 302 and every "
        "acknowledgement must be sent.",
    ]


def render_results(result: Result) -> list[str]:
    lines = [
        "### Results",
        "",
        "| Run | Intake /s | p50 ms | p95 ms | Ceiling /s | p50 ms | p95 ms | Ratio "
        "| Acks sent /s during intake | Unsent after intake | Drained after |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for number, run in enumerate(result.runs, 1):
        intake, health = run.intake, run.health
        lines.append(
            f"| {number} | {intake.rate:.1f} | {intake.latency_ms(50):.1f} | "
            f"{intake.latency_ms(95):.1f} | {health.rate:.1f} | {health.latency_ms(50):.1f} | "
            f"{health.latency_ms(95):.1f} | {run.ratio:.3f} | {run.delivery_rate:.1f} | "
            f"{run.backlog} | {run.drain_seconds:.1f} s |"
        )
    middle = medians(result.runs)
    lines.append(
        f"| **Median** | **{middle['intake']:.1f}** | | | **{middle['health']:.1f}** | | | "
        f"**{middle['ratio']:.3f}** | | | |"
    )
    return lines


def render_cpu(result: Result) -> list[str]:
    lines = [
        f"Where the time went: CPU in use, in cores out of {result.machine['Logical CPUs']} "
        "(client and server share the machine; *other* is everything else running on it), and "
        "what the web workers were doing, from 200 samples a second of `/proc/PID/syscall`. "
        "*Running* includes waiting for a free CPU; *SQLite busy sleep* is the busy handler "
        "sleeping until the write lock is free.",
        "",
        "| Run | Phase | Web workers | Background worker | Client | Other | Machine busy "
        "| Running | SQLite busy sleep | Awaiting a request |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for number, run in enumerate(result.runs, 1):
        for phase in (run.intake, run.health):
            cores, states = phase.cores, phase.web_states
            lines.append(
                f"| {number} | {phase.name} | {cores['web']:.2f} | {cores['worker']:.2f} | "
                f"{cores['client']:.2f} | {other_cores(cores):.2f} | {cores['machine']:.0%} | "
                f"{share(states, 'running')} | {share(states, 'sqlite busy sleep')} | "
                f"{share(states, 'waiting for a request')} |"
            )
    return lines


def other_cores(cores: dict[str, float]) -> float:
    ours = cores["web"] + cores["worker"] + cores["supervisor"] + cores["client"]
    return max(0.0, cores["machine"] * (os.cpu_count() or 1) - ours)


def phase_median(phases: Sequence[Phase], pick: Callable[[Phase], float]) -> float:
    return median([pick(phase) for phase in phases])


def render_reading(result: Result) -> list[str]:
    intakes = [run.intake for run in result.runs]
    healths = [run.health for run in result.runs]
    sentences = [*read_intake(result, intakes), *read_outbox(result.runs), *read_ceiling(healths)]
    return ["### Reading", "", " ".join(sentences)]


def read_outbox(runs: Sequence[Run]) -> list[str]:
    delivery = median([run.delivery_rate for run in runs])
    intake = median([run.intake.rate for run in runs])
    if delivery >= 0.9 * intake:
        return [f"The background worker kept up, sending {delivery:.0f} acknowledgements/s."]
    backlog = median([float(run.backlog) for run in runs])
    drain = median([run.drain_seconds for run in runs])
    return [
        f"The background worker, competing for the same lock, sent only {delivery:.0f} "
        f"acknowledgements/s while intake ran, so about {backlog:.0f} were still unsent after "
        f"each {runs[0].intake.seconds:.0f}-second phase and took {drain:.0f} s to clear: "
        "under sustained load at this rate, acknowledgements fall further and further behind."
    ]


def read_intake(result: Result, intakes: Sequence[Phase]) -> list[str]:
    per_submission = phase_median(intakes, lambda p: p.cores["web"] / max(p.rate, 1e-9))
    web = phase_median(intakes, lambda p: p.cores["web"])
    sleep = phase_median(intakes, lambda p: p.web_states.get("sqlite busy sleep", 0.0))
    busy = phase_median(intakes, lambda p: p.cores["machine"])
    sentences = [
        f"A submission costs about {per_submission * 1000:.1f} ms of web-worker CPU: CSRF and "
        "form validation, the category lookup, one IMMEDIATE transaction that inserts the "
        "ticket, sets its reference and inserts message, event and outbox row, the "
        "acknowledgement e-mail rendered into that row, and the task-queue row after commit.",
        f"SQLite admits one writer at a time and each submission holds the write lock for its "
        "whole transaction, while the background worker takes it several times per "
        f"acknowledgement; during intake the {result.options.workers} web workers kept "
        f"{web:.2f} cores busy and spent {sleep:.0%} of their time asleep in SQLite's busy "
        f"handler waiting for that lock, with the machine {busy:.0%} busy.",
    ]
    if sleep >= 0.15 and busy < 0.9:
        sentences.append(
            "So the single SQLite writer, not the CPU, sets the intake rate; more web workers "
            "would add waiting rather than submissions."
        )
    return sentences


def read_ceiling(healths: Sequence[Phase]) -> list[str]:
    client = phase_median(healths, lambda p: p.cores["client"])
    busy = phase_median(healths, lambda p: p.cores["machine"])
    if busy >= 0.85:
        return [
            f"The ceiling is bounded by this machine rather than by Loket: it was {busy:.0%} "
            f"busy, the load generator alone using {client:.2f} cores (threads, as more client "
            "processes would only take CPU from the server), so the ceiling measured here is a "
            "lower bound and the ratio an upper one."
        ]
    return [
        f"During the ceiling phase the machine was only {busy:.0%} busy and the client used "
        f"{client:.2f} cores, so the client threads may be what bounds `/health/`."
    ]


def print_failures(result: Result) -> None:
    for phase in result.phases():
        for sample in phase.samples:
            print(f"  {phase.name}: {sample}", file=sys.stderr)
    for problem in result.problems:
        print(f"  integrity: {problem}", file=sys.stderr)
    for line in result.trouble:
        print(f"  server: {line}", file=sys.stderr)
    print(f"server files kept in {result.root}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    try:
        result = benchmark(options)
    except BenchError as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 1
    print_table(result)
    if result.errors or result.problems:
        print(
            f"\nFAILED: {result.errors} request error(s), {len(result.problems)} integrity "
            "problem(s); docs/benchmarks.md left unchanged",
            file=sys.stderr,
        )
        print_failures(result)
        return 1
    if options.write_docs:
        write_docs(SECTION, render_section(result))
        print(f"\nwrote the intake section of {DOCS.relative_to(REPO)}")
    if not options.keep:
        shutil.rmtree(result.root, ignore_errors=True)
    return 0


def parse_options(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="runs; the medians are reported")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds per endpoint per run")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per endpoint")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--quick", action="store_true", help="1 run of 2 s; writes no docs")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--keep", action="store_true", help="keep the server's var dir and log")
    arguments = parser.parse_args(argv)
    if arguments.quick:
        arguments.runs, arguments.seconds, arguments.warmup = 1, 2.0, 1.0
    if arguments.runs < 1 or arguments.seconds <= 0 or arguments.clients < 1:
        parser.error("--runs, --seconds and --clients must be positive")
    return Options(
        runs=arguments.runs,
        seconds=arguments.seconds,
        warmup=arguments.warmup,
        clients=arguments.clients,
        workers=arguments.workers,
        write_docs=not (arguments.quick or arguments.no_docs),
        keep=arguments.keep,
    )


if __name__ == "__main__":
    sys.exit(main())
