"""The webhook load: each POST a signed text from a number never seen before, and the matching
of the acknowledgements the fake Graph API received to the POSTs Loket answered 200."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tests import graph

from bench.common import BenchError
from bench.intake.clients import Client, visible_text

WEBHOOK = "/whatsapp/webhook/"
# A seller who cannot reach their own store: a new ticket of the desk's own, acknowledged on
# WhatsApp (the functional tests' first message; not a buyer matter sent on to the seller).
TEXT = "Halo kak, toko saya tidak bisa diakses sejak kemarin. Mohon bantuannya."
# WhatsApp ids 62812xxxxxxxx: Indonesian mobile numbers, one per POST of the whole benchmark.
MAX_MESSAGES = 99_999_999
ACK_POLL = 0.1


def number_of(serial: int) -> str:
    if not 0 < serial <= MAX_MESSAGES:
        raise BenchError(f"message serial {serial} out of range")
    return f"62812{serial:08d}"


class Webhooks:
    """The action of a webhook phase: one signed POST of a new message per call.

    Each client thread appends only to its own list of (number, when the 200 was read), so no
    lock is needed; the serials come from one counter, whose next() is atomic.
    """

    def __init__(self, clients: int, serials: Iterable[int]) -> None:
        self.serials = iter(serials)
        self.accepted: list[list[tuple[str, float]]] = [[] for _ in range(clients)]

    def __call__(self, client: Client) -> str | None:
        serial = next(self.serials)
        number = number_of(serial)
        at = dt.datetime.now(dt.UTC)
        body = graph.text(number, TEXT, wamid=f"wamid.BENCH{serial:08d}", at=at, name="Bench")
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": graph.sign(body)}
        response, answer = client.exchange("POST", WEBHOOK, body, headers)
        if response.status == 200 and answer == b"ok":
            self.accepted[client.index].append((number, time.monotonic()))
            return None
        return f"POST {WEBHOOK} -> {response.status}: {visible_text(answer)}"

    def answered(self) -> dict[str, float]:
        """Every number whose POST was answered 200, with the moment the answer was read."""
        return dict(itertools.chain.from_iterable(self.accepted))


@dataclass(frozen=True)
class Acks:
    """The acknowledgements of one webhook phase, as the fake Graph API received them."""

    expected: int
    # Seconds from each POST's 200 to its acknowledgement at the Graph API, sorted; math.inf
    # for an acknowledgement that had not arrived when the wait ended.
    latencies: tuple[float, ...]
    during: int  # arrived while the phase was still running
    waited: float  # seconds from the end of the phase until the last arrived (or the timeout)
    duplicates: int  # numbers that got more than one message

    @property
    def arrived(self) -> int:
        return sum(1 for latency in self.latencies if latency != math.inf)

    @property
    def complete(self) -> bool:
        return self.arrived == self.expected

    def percentile(self, percent: int) -> float:
        """Nearest rank, missing acknowledgements counted as never: math.inf if they matter."""
        if not self.latencies:
            return math.nan
        rank = max(1, math.ceil(percent / 100 * len(self.latencies)))
        return self.latencies[rank - 1]


def arrivals(
    sent: Sequence[dict[str, Any]], numbers: Iterable[str]
) -> tuple[dict[str, float], int]:
    """When the first message to each of `numbers` arrived, and how many got more than one."""
    wanted = set(numbers)
    first: dict[str, float] = {}
    duplicates: set[str] = set()
    for payload in sent:
        to = str(payload.get("to", ""))
        if to not in wanted:
            continue
        if to in first:
            duplicates.add(to)
        else:
            first[to] = float(payload["_received_at"])
    return first, len(duplicates)


def collect_acks(
    fake: graph.FakeGraph, answered: dict[str, float], ended: float, timeout: float
) -> Acks:
    """Wait until every answered POST's acknowledgement has reached the fake (at most
    `timeout` seconds after the phase `ended`), then match them up by number."""
    deadline = ended + timeout
    while True:
        first, duplicates = arrivals(fake.sent, answered)
        if len(first) == len(answered) or time.monotonic() >= deadline:
            break
        time.sleep(ACK_POLL)
    latencies = sorted(first[n] - at if n in first else math.inf for n, at in answered.items())
    last = max(first.values(), default=ended)
    return Acks(
        expected=len(answered),
        latencies=tuple(latencies),
        during=sum(1 for received in first.values() if received <= ended),
        waited=max(0.0, (last if len(first) == len(answered) else deadline) - ended),
        duplicates=duplicates,
    )
