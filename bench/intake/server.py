"""The server under test: `loket serve` in a session of its own, on SQLite in a fresh var dir."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Mapping
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path

from bench.common import REPO, BenchError
from bench.intake.cpu import group_processes

HOST = "127.0.0.1"  # the only host this benchmark ever contacts
HEALTH = "/health/"

READY_TIMEOUT = 60.0
DRAIN_TIMEOUT = 300.0
STOP_TIMEOUT = 15.0
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


def server_environment(
    root: Path, port: int, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
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
        # The rate limits stay on (their cost is part of intake) but high enough that eight
        # clients hammering from one address measure throughput, not refusals.
        LOKET_LIMIT_CONTACT_PER_CLIENT="1000000000",
        LOKET_LIMIT_CONTACT_PER_RECIPIENT="1000000000",
        DJANGO_SETTINGS_MODULE="loket_bench_settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(settings_dir), env.get("PYTHONPATH")])),
    )
    env.update(extra or {})
    return env


def start_server(root: Path, workers: int, extra: Mapping[str, str] | None = None) -> Server:
    """`loket serve` (web and background worker); `extra` is added to its environment."""
    port = free_port()
    command = [sys.executable, "-m", "loket.cli", "serve"]  # what the `loket` script runs
    command += ["--bind", f"{HOST}:{port}", "--workers", str(workers)]
    with (root / "server.log").open("wb") as log:
        # A session of its own, so the whole tree (gunicorn, its workers, the background
        # worker) can be found and stopped by process group whatever happens here.
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=server_environment(root, port, extra),
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
    return trouble_in(server.log, limit)


def trouble_in(log: Path, limit: int = 30) -> list[str]:
    if not log.exists():
        return []
    lines = log.read_text(errors="replace").splitlines()
    trouble = [line for line in lines if SERVER_TROUBLE.search(line)]
    if len(trouble) > limit:
        return [*trouble[:limit], f"... and {len(trouble) - limit} more such lines in {log}"]
    return trouble


def log_tail(server: Server, lines: int = 15) -> list[str]:
    """For failures that leave no error line, e.g. a management command exiting at start."""
    return tail_of(server.log, lines)


def tail_of(log: Path, lines: int = 15) -> list[str]:
    if not log.exists():
        return []
    return log.read_text(errors="replace").splitlines()[-lines:]


# --- The server's database ---------------------------------------------------------------------


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
