"""What a child process measures (passed to the parent as JSON), the options, and the results
saved outside the repository so that `--render` can write the docs from them again."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.common import median
from bench.sla_sweep.config import (
    BASELINE_FACTOR,
    BASELINE_RATE,
    BREACHES_PER_GOAL,
    NAMES,
    PROCESSING_GOAL_SECONDS,
    SELECTION_GOAL_MS,
)

SAVED = Path(tempfile.gettempdir()) / "loket-sla-sweep-results.json"


@dataclass(frozen=True)
class Options:
    databases: tuple[str, ...]
    tickets: dict[str, int]
    breaches: int
    runs: int
    repeats: int
    write_docs: bool
    keep: bool
    profile: bool


@dataclass
class SweepRun:
    seconds: float
    queries: int
    database_seconds: float  # inside the database calls, driver included
    by_statement: dict[str, float]  # statement ("UPDATE sla_clock") -> seconds
    statements: dict[str, int]  # statement -> how many


@dataclass
class Measured:
    database: str
    version: str
    tickets: int
    breaches: int
    batch: int
    repeats: int
    load_seconds: dict[str, float]  # table -> seconds to generate and load its rows
    analyze_seconds: float
    analyze_command: str
    selection_sql: str
    plan: str
    engine_ms: list[float] = field(default_factory=list)  # per run: median of the repeats
    query_ms: list[float] = field(default_factory=list)
    call_ms: list[float] = field(default_factory=list)
    runs: list[SweepRun] = field(default_factory=list)
    sweep_sha256: str = ""  # of src/loket/sla/sweep.py as the child imported it
    profile_seconds: float = 0.0
    profile_shares: dict[str, float] = field(default_factory=dict)  # part -> share of the sweep
    profile: str = ""

    @property
    def name(self) -> str:
        return NAMES[self.database]

    @property
    def fill_seconds(self) -> float:
        return sum(self.load_seconds.values())

    @property
    def sweep_seconds(self) -> list[float]:
        return [run.seconds for run in self.runs]

    @property
    def sweep_median(self) -> float:
        return median(self.sweep_seconds)

    @property
    def seconds_per_goal(self) -> float:
        """Median sweep time, scaled to the 10,000 breaches of the goal."""
        return self.sweep_median * BREACHES_PER_GOAL / self.breaches

    @property
    def rate(self) -> float:
        return median([self.breaches / seconds for seconds in self.sweep_seconds])

    @property
    def engine_median(self) -> float:
        return median(self.engine_ms)

    @property
    def query_median(self) -> float:
        return median(self.query_ms)

    @property
    def call_median(self) -> float:
        return median(self.call_ms)

    def statement_median(self, statement: str) -> float:
        return median([run.by_statement.get(statement, 0.0) for run in self.runs])

    @property
    def database_median(self) -> float:
        return median([run.database_seconds for run in self.runs])

    def goals(self) -> dict[str, bool]:
        return {
            "selection": self.call_median <= SELECTION_GOAL_MS,
            "processing": self.seconds_per_goal <= PROCESSING_GOAL_SECONDS,
            "ratio": self.rate >= BASELINE_FACTOR * BASELINE_RATE,
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> Measured:
        runs = [SweepRun(**run) for run in data.pop("runs")]
        return Measured(**data, runs=runs)


def statements(results: Sequence[Measured]) -> list[str]:
    """Every statement kind seen, the most expensive first."""
    seen: dict[str, float] = {}
    for result in results:
        for run in result.runs:
            for name in run.by_statement:
                seen[name] = max(seen.get(name, 0.0), result.statement_median(name))
    return sorted(seen, key=lambda name: -seen[name])


@dataclass(frozen=True)
class Report:
    """Everything the docs section is rendered from, and what is saved for --render."""

    results: Sequence[Measured]
    machine: dict[str, str]
    started: datetime
    options: Options


def save_results(report: Report) -> None:
    """Kept outside the repository, so that --render can write the docs again from them."""
    data = {
        "results": [asdict(result) for result in report.results],
        "machine": report.machine,
        "started": report.started.isoformat(),
        "options": asdict(report.options),
    }
    SAVED.write_text(json.dumps(data))
    print(f"results saved in {SAVED}")


def load_results(path: Path, current: Options) -> Report:
    data = json.loads(path.read_text())
    saved = data["options"]
    saved.update(databases=tuple(saved["databases"]), write_docs=current.write_docs)
    return Report(
        [Measured.from_json(result) for result in data["results"]],
        data["machine"],
        datetime.fromisoformat(data["started"]),
        Options(**saved),
    )
