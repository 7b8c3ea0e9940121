"""What is measured: a Loket run (from its child process, as JSON), a peer run, the rounds that
pair them, and the checks that both desks did the work the corpus asks for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.common import median
from bench.mail_ingest.config import MEMORY_GOAL_MB, RATIO_GOAL
from bench.mail_ingest.corpus import Manifest

MAX_SHOWN = 10  # mismatching messages listed per run


@dataclass(frozen=True)
class Options:
    count: int
    runs: int
    peer: Path | None  # an installed django-helpdesk (venv/, site/); None: Loket only
    peer_reset: bool
    quick: bool
    write_docs: bool


@dataclass
class LoketRun:
    messages: int
    seconds: float
    outcomes: dict[str, int]  # outcome -> messages
    mismatches: list[str]  # the first messages whose outcome was not the expected one
    mismatch_count: int
    rss_mb: list[float]  # VmRSS before the timed loop, then after each tenth of the messages
    setup_peak_mb: float  # VmHWM before the timed loop: Django, migrations, the openers
    loop_peak_mb: float | None  # VmHWM of the timed loop alone (None: could not reset it)
    peak_mb: float  # the whole process's peak

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LoketRun:
        return cls(**data)

    @property
    def rate(self) -> float:
        return self.messages / self.seconds


@dataclass
class PeerRun:
    messages: int  # files put into the queue's mail directory
    processed: int  # files process_email() consumed (it deletes each one it turned into a ticket)
    seconds: float
    new_tickets: int
    new_followups: int
    peak_mb: float  # VmHWM of the peer's process at the end
    versions: dict[str, str]  # package -> version, as the peer's own Python sees them

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PeerRun:
        return cls(**data)

    @property
    def rate(self) -> float:
        return self.processed / self.seconds


@dataclass(frozen=True)
class Round:
    number: int
    peer: PeerRun | None
    loket: LoketRun

    @property
    def ratio(self) -> float | None:
        return self.loket.rate / self.peer.rate if self.peer else None


@dataclass
class Report:
    options: Options
    manifest: Manifest
    rounds: list[Round]
    machine: dict[str, str]
    started: datetime

    @property
    def peers(self) -> list[PeerRun]:
        return [r.peer for r in self.rounds if r.peer is not None]

    def loket_rate(self) -> float:
        return median([r.loket.rate for r in self.rounds])

    def peer_rate(self) -> float:
        return median([peer.rate for peer in self.peers])

    def ratio(self) -> float:
        return median([r.ratio for r in self.rounds if r.ratio is not None])

    def peak_mb(self) -> float:
        return max(r.loket.peak_mb for r in self.rounds)

    def goals(self) -> dict[str, bool]:
        """Each goal of issue 8 this run could judge, and whether it was met."""
        goals = {
            f"Loket's peak memory under {MEMORY_GOAL_MB:.0f} MB": self.peak_mb() < MEMORY_GOAL_MB
        }
        if self.peers:
            goals[f"at least {RATIO_GOAL:g} times the peer"] = self.ratio() >= RATIO_GOAL
        return goals


def loket_problems(run: LoketRun, manifest: Manifest) -> list[str]:
    """Why this run does not count: outcomes other than the ones the corpus asks for."""
    problems = []
    if run.outcomes != manifest.expected_loket():
        problems.append(f"outcomes {run.outcomes}, expected {manifest.expected_loket()}")
    problems += run.mismatches
    if run.mismatch_count > len(run.mismatches):
        problems.append(f"... and {run.mismatch_count - len(run.mismatches)} more")
    return problems


def peer_differences(run: PeerRun, manifest: Manifest) -> list[str]:
    """Where the peer's work differs from what the corpus asks for (reported, not fatal)."""
    differences = []
    if run.processed != run.messages:
        differences.append(f"{run.messages - run.processed} of {run.messages} files left unread")
    if run.new_tickets != manifest.expected_peer_new():
        differences.append(
            f"{run.new_tickets} new tickets, {manifest.expected_peer_new()} expected"
        )
    if run.new_followups != run.messages:
        differences.append(f"{run.new_followups} follow-ups, {run.messages} expected")
    return differences
