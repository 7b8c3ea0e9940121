"""One more sweep under cProfile, and the share of each part of it. Imported only after
`django.setup()`."""

from __future__ import annotations

import cProfile
import io
import pstats
import time
from typing import Any

from bench.common import BenchError
from bench.sla_sweep.checks import verify
from bench.sla_sweep.config import NOW, PROFILED_PARTS, SWEEP
from loket.sla.sweep import sweep


def profile_sweep(breaches: int) -> tuple[float, dict[str, float], str]:
    """One more sweep, under cProfile: (seconds, share of each part, the listing)."""
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    report = sweep(NOW)
    profiler.disable()
    seconds = time.perf_counter() - began
    verify(report.as_dict(), breaches)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    shares = part_shares(stats)
    out.write(f"profiled sweep: {seconds:.3f} s under cProfile\n")
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    return seconds, shares, out.getvalue()


def part_shares(stats: pstats.Stats) -> dict[str, float]:
    """Each part's cumulative time (callees included) as a share of the whole sweep's."""
    entries: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    cumulative: dict[tuple[str, str], float] = {}
    for (path, _, function), row in entries.items():
        for ending, name in [SWEEP, *PROFILED_PARTS.values()]:
            if path.endswith(ending) and function == name:
                cumulative[ending, name] = cumulative.get((ending, name), 0.0) + row[3]
    total = cumulative.get(SWEEP, 0.0)
    if not total:
        raise BenchError("sweep() is missing from its own profile")
    return {part: cumulative.get(key, 0.0) / total for part, key in PROFILED_PARTS.items()}
