"""Supervision for `loket demo` and `loket serve`: the parent owns the web server and the worker.

A child that dies is started again after a back-off (1 s, 2 s, 4 s ... at most 30 s); one that
dies `limit` times within `window` seconds stops everything with a sentence saying which and
how, so that a desk never runs half-alive (a web server taking tickets while no mail goes out).
SIGTERM and SIGINT stop every child, and the parent waits for them. Standard library only:
`loket` imports this before Django is set up.
"""

import ctypes
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

FIRST_DELAY_SECONDS = 1.0
LONGEST_DELAY_SECONDS = 30.0
STOP_GRACE_SECONDS = 10.0
POLL_SECONDS = 0.2
PR_SET_PDEATHSIG = 1
# Loaded once in the parent: between fork and exec the child should only make the call.
LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


def restart_delay(
    deaths: Sequence[float], *, now: float, limit: int, window: float
) -> float | None:
    """Seconds to wait before starting a child again, or None to give up: `deaths` are the
    monotonic times it died, the last one included."""
    recent = [moment for moment in deaths if now - moment < window]
    if len(recent) >= limit:
        return None
    return min(LONGEST_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2.0 ** (len(recent) - 1))


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    deaths: list[float] = field(default_factory=list)
    start_at: float | None = None  # while waiting out a back-off

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, preexec_fn=die_with_parent)
        self.start_at = None
        say(f"started the {self.name} (pid {self.process.pid})")


def die_with_parent() -> None:
    """In the child before exec: a SIGKILLed parent cannot stop its children, so ask Linux to
    send them SIGTERM when it goes. Elsewhere this does nothing."""
    if LIBC is not None:
        LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def say(sentence: str) -> None:
    print(f"loket: {sentence}", file=sys.stderr, flush=True)


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        return f"was killed by {signal.Signals(-returncode).name}"
    return f"exited with status {returncode}"


class Supervisor:
    def __init__(
        self,
        children: Sequence[Child],
        *,
        limit: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.children = list(children)
        self.limit = limit
        self.window = window
        self.clock = clock
        self.stopping = False

    def request_stop(self, signum: int, frame: object) -> None:
        self.stopping = True

    def run(self) -> int:
        """Start the children and keep them running until a signal (exit 0) or until one keeps
        dying (exit 1); either way every child is stopped and waited for before returning."""
        signal.signal(signal.SIGINT, self.request_stop)
        signal.signal(signal.SIGTERM, self.request_stop)
        status = 0
        try:
            for child in self.children:
                child.start()
            while not self.stopping:
                if not self.look_after_children():
                    status = 1
                    break
                time.sleep(POLL_SECONDS)
        finally:
            self.stop_all()
        return status

    def look_after_children(self) -> bool:
        """Restart what died and is due; False when a child died too often."""
        now = self.clock()
        for child in self.children:
            if child.start_at is not None:
                if now >= child.start_at:
                    child.start()
                continue
            assert child.process is not None
            returncode = child.process.poll()
            if returncode is None or self.stopping:
                continue
            child.deaths.append(now)
            delay = restart_delay(child.deaths, now=now, limit=self.limit, window=self.window)
            if delay is None:
                say(
                    f"the {child.name} {describe_exit(returncode)} and has died {self.limit} "
                    f"times within {self.window:.0f} s; stopping everything. Its output above "
                    f"says why; fix that and start Loket again."
                )
                return False
            say(f"the {child.name} {describe_exit(returncode)}; starting it again in {delay:.0f} s")
            child.start_at = now + delay
        return True

    def stop_all(self) -> None:
        running = [
            child.process
            for child in self.children
            if child.process is not None and child.process.poll() is None
        ]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
