"""Where the time goes: CPU per process role from /proc, and what the web workers are doing."""

from __future__ import annotations

import os
import platform
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


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


def snapshot(pgid: int) -> Snapshot:
    """Now: wall clock, this process's CPU, the server group's processes, the machine's ticks."""
    return Snapshot(time.monotonic(), time.process_time(), group_processes(pgid), machine_ticks())


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


def other_cores(cores: dict[str, float]) -> float:
    """Cores used by everything else on the machine."""
    ours = cores["web"] + cores["worker"] + cores["supervisor"] + cores["client"]
    return max(0.0, cores["machine"] * (os.cpu_count() or 1) - ours)


# --- What the web workers are doing --------------------------------------------------------------

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
