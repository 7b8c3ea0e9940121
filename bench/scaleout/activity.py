"""What PostgreSQL is doing for the benchmark's database: the CPU of its backends, and what
they wait on, from `pg_stat_activity` sampled ten times a second."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

from bench.intake.cpu import CLOCK_TICKS

SAMPLE_INTERVAL = 0.1
MAX_SAMPLES = 100_000  # a bound far above what a phase takes
BACKENDS = b"SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
STATES = b"""
SELECT state, wait_event_type, wait_event FROM pg_stat_activity
WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'
"""
# What a backend of the benchmark's database was doing when sampled.
ACTIVITIES = ("running", "lock", "lwlock", "io", "idle in transaction", "other wait", "idle")


def activity_of(state: str | None, wait_type: str | None, wait_event: str | None) -> str:
    if state == "idle in transaction":
        return "idle in transaction"  # between statements: the application is working
    if state != "active":
        return "idle"
    match wait_type:
        case None | "CPU":
            return "running"
        case "Lock":
            return "lock"  # a row, tuple or transaction lock held by another backend
        case "LWLock":
            return "lwlock"  # e.g. WALWrite: waiting for another backend's WAL flush
        case "IO":
            return "io"  # e.g. WALSync: the commit's fsync
    return "other wait"


def ticks(pid: int) -> int | None:
    """User + system CPU ticks of a local process, None if it is gone or not visible here."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def backend_ticks(url: str) -> dict[int, int]:
    """CPU ticks so far of every backend connected to the database at `url`."""
    with psycopg.connect(url, autocommit=True, connect_timeout=10) as db:
        pids = [int(row[0]) for row in db.execute(BACKENDS, [database_name(url)]).fetchall()]
    return {pid: found for pid in pids if (found := ticks(pid)) is not None}


def backend_cores(before: dict[int, int], after: dict[int, int], seconds: float) -> float:
    """Cores the backends used between two readings; one that started in between counts from
    zero, one that ended is lost (the servers keep their connections, so few do)."""
    used = sum(after[pid] - before.get(pid, 0) for pid in after)
    return used / CLOCK_TICKS / seconds if seconds > 0 else float("nan")


@dataclass
class Activity:
    """Samples the backends' states while a phase runs, in a thread of its own."""

    url: str
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self.sample, name="pg-activity", daemon=True)

    def __enter__(self) -> Activity:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=10)

    def sample(self) -> None:
        try:
            with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as db:
                for _ in range(MAX_SAMPLES):
                    if self.stop.wait(SAMPLE_INTERVAL):
                        return
                    rows = db.execute(STATES, [database_name(self.url)]).fetchall()
                    self.counts.update(activity_of(*row) for row in rows)
        except psycopg.Error as error:
            self.errors.append(str(error))

    def shares(self) -> dict[str, float]:
        """Of the samples in which a backend was busy (not idle), the share of each activity."""
        busy = {name: count for name, count in self.counts.items() if name != "idle"}
        total = sum(busy.values())
        return {name: busy.get(name, 0) / total for name in ACTIVITIES[:-1]} if total else {}
