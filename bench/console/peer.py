"""The peer's side: django-helpdesk's staff ticket list, timed the way Loket's queue is (Django's
test Client in its own process, server time), at the same ticket count.

The peer is installed in a folder of its own (../shared/peers/django-helpdesk/install.sh lays it
out: venv/, site/, reset_db.sh, seed.py); this benchmark never installs it. When its database
does not hold the count asked for, its own `reset_db.sh` re-seeds it with `SEED_N` (its
harness: tickets through the ORM in bulk, one follow-up each).

What is timed, as its bench_peer.py `list` times it over HTTP: the list's HTML shell
(GET /tickets/) and the DataTables JSON call the page makes for its rows (default filter: open
and reopened; sorted as bench_peer.py sorts), here 50 rows a page like Loket's queue, for the
first page and for page 200 (`start` = 9,950: the peer pages with OFFSET).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import BenchError
from bench.console.config import DEEP_PAGE, PEER_REQUESTS

MARKER = "BENCHJSON"
TIMEOUT = 3 * 3600.0

# Runs in the peer's Python (3.11, its own Django): keep it to what that Python has.
SNIPPET = r"""
import importlib.metadata, json, math, os, re, statistics, sys, time
from django.contrib.auth import get_user_model
from django.test import Client
from helpdesk.models import Ticket

requests = int(os.environ["LOKET_BENCH_REQUESTS"])
page = int(os.environ["LOKET_BENCH_DEEP_PAGE"])
result = {"tickets": Ticket.objects.count()}
if requests:
    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    shell = client.get("/tickets/")
    found = re.search(rb"datatables_ticket_list/[A-Za-z0-9+/=]+", shell.content)
    rows_path = "/" + found[0].decode()
    params = {"draw": 1, "length": 50, "order[0][column]": 5, "order[0][dir]": "asc"}

    def timed(url, extra=None):
        samples = []
        for n in range(requests + 2):
            began = time.perf_counter()
            response = client.get(url, {**params, **(extra or {})} if extra is not None else None)
            elapsed = (time.perf_counter() - began) * 1000
            if response.status_code != 200:
                raise SystemExit(f"GET {url} answered {response.status_code}")
            if n >= 2:  # two warm-up requests
                samples.append(elapsed)
        return samples, response

    result["shell"], _ = timed("/tickets/")
    result["rows"], first = timed(rows_path, {"start": 0})
    result["deep"], _ = timed(rows_path, {"start": (page - 1) * 50})
    result["matching"] = first.json()["recordsFiltered"]
    result["versions"] = {n: importlib.metadata.version(n) for n in ("django-helpdesk", "Django")}
    result["versions"]["Python"] = ".".join(map(str, sys.version_info[:3]))
print("BENCHJSON" + json.dumps(result))
"""


@dataclass(frozen=True)
class PeerResult:
    tickets: int
    matching: int  # tickets the list's default filter shows
    shell: list[float]  # ms
    rows: list[float]
    deep: list[float]
    reseed_seconds: float | None
    versions: dict[str, str]


def run_snippet(peer: Path, requests: int) -> dict[str, object]:
    env = dict(os.environ, LOKET_BENCH_REQUESTS=str(requests), LOKET_BENCH_DEEP_PAGE=str(DEEP_PAGE))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    completed = subprocess.run(
        [str(peer / "venv" / "bin" / "python"), "manage.py", "shell", "-c", SNIPPET],
        cwd=peer / "site",
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith(MARKER)]
    if completed.returncode != 0 or not lines:
        raise BenchError(f"the peer's list timing failed:\n{completed.stderr[-3000:]}")
    data: dict[str, object] = json.loads(lines[-1].removeprefix(MARKER))
    return data


def reseed(peer: Path, tickets: int) -> float:
    print(f"re-seeding the peer with {tickets:,} tickets (its reset_db.sh)", flush=True)
    began = time.perf_counter()
    completed = subprocess.run(
        [str(peer / "reset_db.sh")],
        cwd=peer,
        env=dict(os.environ, SEED_N=str(tickets)),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    if completed.returncode != 0:
        raise BenchError(f"the peer's reset_db.sh failed:\n{completed.stderr[-3000:]}")
    return time.perf_counter() - began


def peer_list(peer: Path, tickets: int) -> PeerResult:
    if not (peer / "venv" / "bin" / "python").exists() or not (peer / "reset_db.sh").exists():
        raise BenchError(f"no installed django-helpdesk in {peer} (run its install.sh there)")
    seconds = None
    if run_snippet(peer, 0)["tickets"] != tickets:
        seconds = reseed(peer, tickets)
    data = run_snippet(peer, PEER_REQUESTS)
    result = PeerResult(
        tickets=int(str(data["tickets"])),
        matching=int(str(data["matching"])),
        shell=list(data["shell"]),  # type: ignore[call-overload]
        rows=list(data["rows"]),  # type: ignore[call-overload]
        deep=list(data["deep"]),  # type: ignore[call-overload]
        reseed_seconds=seconds,
        versions=dict(data["versions"]),  # type: ignore[call-overload]
    )
    print(f"peer at {result.tickets:,} tickets: list shell + rows measured", flush=True)
    return result
