"""Watching the server while the load runs: every few seconds the submissions accepted, the
acknowledgements sent and still to send, the memory of every server process and the CPU."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from bench.database import SENT_ACKNOWLEDGEMENTS, TICKETS, UNSENT_ACKNOWLEDGEMENTS, Database
from bench.intake.cpu import Process, Snapshot, cores_used, snapshot

# The processes whose memory issue 13 bounds; the supervisor (`loket serve` itself) is shown.
BOUNDED_ROLES = ("web master", "web worker", "worker")


@dataclass(frozen=True)
class Sample:
    at: float  # seconds since the load started
    accepted: int  # submissions answered with the redirect to the thanks page
    tickets: int
    sent: int  # acknowledgements with status 'sent'
    backlog: int  # acknowledgements pending or being sent
    rss: dict[str, float]  # MB, by process label ("web worker 2")
    cores: dict[str, float]  # CPU in cores since the previous sample, by role


def labels(processes: dict[int, Process]) -> dict[int, str]:
    """A name per process of the group: "web master", "web worker 1" (by pid), "worker",
    "supervisor"; numbered when a role has several."""
    gunicorn = {pid for pid, process in processes.items() if process.role == "web"}
    roles: dict[int, str] = {}
    for pid, process in processes.items():
        if process.role == "web":
            roles[pid] = "web worker" if process.parent in gunicorn else "web master"
        else:
            roles[pid] = process.role
    named: dict[int, str] = {}
    for role in sorted(set(roles.values())):
        pids = sorted(pid for pid in roles if roles[pid] == role)
        for number, pid in enumerate(pids, 1):
            named[pid] = role if len(pids) == 1 and role != "web worker" else f"{role} {number}"
    return named


def role_of_label(label: str) -> str:
    return label.rstrip("0123456789").rstrip()


def rss_mb(pid: int) -> float | None:
    """VmRSS of a live process in MB (10^6 bytes), None when it has gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024 / 1e6
    except (OSError, ValueError, IndexError):
        pass
    return None


@dataclass
class Watcher:
    """Samples every `interval` seconds in a thread of its own, from entry to exit."""

    pgid: int
    database: Database
    accepted: Callable[[], int]
    interval: float
    started: float = field(default_factory=time.monotonic)
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    pids: dict[str, set[int]] = field(default_factory=dict)  # every pid seen, by role
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self.loop, name="soak-watcher", daemon=True)
        self.previous: Snapshot | None = None

    def __enter__(self) -> Watcher:
        self.started = time.monotonic()
        self.take()
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=30)
        self.take()

    def loop(self) -> None:
        number = 1
        while not self.stop.wait(
            max(0.0, self.started + number * self.interval - time.monotonic())
        ):
            self.take()
            number += 1

    def take(self) -> None:
        now = snapshot(self.pgid)
        cores = cores_used(self.previous, now) if self.previous else {}
        self.previous = now
        named = labels(now.server)
        rss = {name: mb for pid, name in named.items() if (mb := rss_mb(pid)) is not None}
        for pid, name in named.items():
            self.pids.setdefault(role_of_label(name), set()).add(pid)
        try:
            tickets = self.database.scalar(TICKETS)
            sent = self.database.scalar(SENT_ACKNOWLEDGEMENTS)
            backlog = self.database.scalar(UNSENT_ACKNOWLEDGEMENTS)
        except (sqlite3.Error, psycopg.Error) as error:
            self.errors.append(f"{now.at - self.started:.0f} s: {error}")
            return
        at = now.at - self.started
        self.samples.append(Sample(at, self.accepted(), tickets, sent, backlog, rss, cores))
