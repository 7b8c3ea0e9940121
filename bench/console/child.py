"""A child process's step: fill the database (once per key), or measure one run.
Imported only after `django.setup()`."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from django.core.management import call_command

from bench.common import BenchError
from bench.console.fill import check, fill, prepare, read_marker, write_marker
from bench.console.measure import measure
from bench.console.parent import migrations
from bench.sla_sweep.fill import fetch_one
from loket.tickets.models import ACTIVE_STATUSES, Ticket


def engine_version(database: str) -> str:
    return fetch_one("SHOW server_version" if database == "postgres" else "SELECT sqlite_version()")


def fill_database(database: str, tickets: int, key: str) -> dict[str, object]:
    """Migrate, prepare, load, check; the marker (what the fill recorded) written last, so an
    interrupted fill is never taken for a finished one."""
    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    plan = prepare(tickets)
    seconds = {"migrate, policy, agents": time.perf_counter() - began}
    seconds |= fill(database, plan)
    counts = check(plan)
    info: dict[str, object] = {
        "filled_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "seconds": seconds,
        "counts": counts,
        "open": Ticket.objects.filter(status__in=ACTIVE_STATUSES).count(),
        "engine": engine_version(database),
    }
    write_marker(key, info | {"migrations": migrations()})
    return info


def migrate_kept(database: str, key: str) -> dict[str, object]:
    """Apply the migrations added since the fill to it; the marker records them."""
    info = read_marker(key)
    if info is None:
        raise BenchError("the kept fill vanished")
    began = time.perf_counter()
    call_command("migrate", verbosity=1)
    recorded: dict[str, str] = info.get("migrations", {})  # type: ignore[assignment]
    earlier: list[str] = info.get("migrated_after_fill", [])  # type: ignore[assignment]
    info["migrated_after_fill"] = [*earlier, *sorted(set(migrations()) - set(recorded))]
    info["migrations"] = migrations()
    info["seconds_migrating"] = time.perf_counter() - began
    write_marker(key, info)
    return info


def measure_once(requests: int) -> dict[str, object]:
    # Pages name their static files through the manifest, as in production.
    call_command("collectstatic", interactive=False, verbosity=0)
    run = measure(requests, lambda line: print(line, flush=True))
    return run.as_json()
