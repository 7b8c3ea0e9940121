"""The open-loop load: submissions at scheduled instants, whatever the server's answers take.

A closed loop (each client sends its next request when the last one is answered) slows down
with the server and so never overloads it; here arrival k is due at `start + k / rate`, and
N client threads take the arrivals in turn. When every thread is busy an arrival starts late:
the lateness is recorded, and the schedule is not shifted, so the threads catch up as soon as
they can. A real rate is offered as long as some thread is free.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from bench.common import BenchError
from bench.intake.clients import MAX_ERROR_SAMPLES, REQUEST_TIMEOUT, Client

# A hard bound on arrivals, far above what any --minutes and rate here schedule.
MAX_ARRIVALS = 5_000_000


class NewRequester(Client):
    """Every submission from a requester never seen before, as a real desk's traffic is: one
    address per client would hit the acknowledgement cap (a few an hour per address), and
    the soak checks that every ticket is acknowledged. `series` tells apart the clients of
    several loads on one database."""

    def __init__(self, port: int, index: int, series: str = "soak") -> None:
        self.series = series
        super().__init__(port, index)

    def address(self) -> str:
        return f"{self.series}-{self.index}-{self.sent}@example.com"


@dataclass
class Arrival:
    """What happened to one scheduled submission, in seconds since the load started."""

    due: float
    started: float
    finished: float
    problem: str | None

    @property
    def late(self) -> float:
        return self.started - self.due

    @property
    def latency(self) -> float:
        return self.finished - self.started


@dataclass
class Schedule:
    """Arrival k at `start + k / rate` until `seconds` have passed; threads take them in turn."""

    rate: float
    seconds: float
    start: float = 0.0
    taken: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def arrivals(self) -> int:
        return min(int(self.seconds * self.rate), MAX_ARRIVALS)

    def take(self) -> float | None:
        """The instant (monotonic) the next arrival is due, or None when all are taken."""
        with self.lock:
            if self.taken >= self.arrivals:
                return None
            due = self.start + self.taken / self.rate
            self.taken += 1
            return due


@dataclass
class Log:
    """One thread's arrivals; each thread appends only to its own, read by the watcher."""

    arrivals: list[Arrival] = field(default_factory=list)
    accepted: int = 0
    errors: int = 0
    samples: list[str] = field(default_factory=list)

    def record(self, arrival: Arrival) -> None:
        self.arrivals.append(arrival)
        if arrival.problem is None:
            self.accepted += 1
            return
        self.errors += 1
        if len(self.samples) < MAX_ERROR_SAMPLES:
            self.samples.append(arrival.problem)


def follow(client: Client, schedule: Schedule, log: Log) -> None:
    while (due := schedule.take()) is not None:
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        started = time.monotonic()
        try:
            problem = client.submit()
        except (OSError, http.client.HTTPException) as error:
            problem = f"{type(error).__name__}: {error}"
        finished = time.monotonic()
        zero = schedule.start
        log.record(Arrival(due - zero, started - zero, finished - zero, problem))


class OpenLoop:
    """The load as a context: threads started on entry, joined on exit."""

    def __init__(self, clients: Sequence[Client], rate: float, seconds: float) -> None:
        self.schedule = Schedule(rate, seconds)
        self.logs = [Log() for _ in clients]
        self.threads = [
            threading.Thread(
                target=follow, args=(client, self.schedule, log), name=f"soak-{n}", daemon=True
            )
            for n, (client, log) in enumerate(zip(clients, self.logs, strict=True))
        ]

    def __enter__(self) -> OpenLoop:
        self.schedule.start = time.monotonic()
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.wait()
            return
        self.stop()  # failing anyway (or Ctrl-C): no more arrivals, and no second error
        self.join(time.monotonic() + REQUEST_TIMEOUT)

    def wait(self) -> None:
        """Until every arrival has been answered; the last may start late and take its time."""
        self.join(self.schedule.start + self.schedule.seconds + 2 * REQUEST_TIMEOUT)
        if any(thread.is_alive() for thread in self.threads):
            self.stop()
            raise BenchError("a client thread of the soak did not finish")

    def join(self, deadline: float) -> None:
        for thread in self.threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))

    def stop(self) -> None:
        with self.schedule.lock:
            self.schedule.taken = self.schedule.arrivals

    @property
    def accepted(self) -> int:
        return sum(log.accepted for log in self.logs)

    @property
    def errors(self) -> int:
        return sum(log.errors for log in self.logs)

    def arrivals(self) -> list[Arrival]:
        return sorted((a for log in self.logs for a in log.arrivals), key=lambda a: a.due)

    def problems(self) -> list[str]:
        return [sample for log in self.logs for sample in log.samples][:MAX_ERROR_SAMPLES]
