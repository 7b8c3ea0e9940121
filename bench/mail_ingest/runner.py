"""The whole benchmark: one corpus, then rounds of a peer run and a Loket run, alternating."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench.common import BenchError, machine_info
from bench.mail_ingest.config import PEER_NAME, SEED
from bench.mail_ingest.corpus import Manifest, generate
from bench.mail_ingest.loket_side import run_loket
from bench.mail_ingest.peer_side import check_peer, reset_peer, run_peer
from bench.mail_ingest.report import print_corpus, print_loket, print_peer
from bench.mail_ingest.results import (
    Options,
    Report,
    Round,
    loket_problems,
    peer_differences,
)


def benchmark(options: Options) -> Report:
    """Generate the corpus once, then measure; the temporary files are removed at the end."""
    if options.peer is not None:
        check_peer(options.peer)
    started = datetime.now(UTC)
    machine = machine_info("Django", SQLite=sqlite3.sqlite_version)
    work = Path(tempfile.mkdtemp(prefix="loket-mail-ingest-"))
    try:
        manifest = generate(work / "corpus", options.count, SEED)
        print_corpus(manifest)
        if options.peer is not None and options.peer_reset:
            reset_peer(options.peer)
        rounds = [
            measure_round(number, work, manifest, options) for number in range(1, options.runs + 1)
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Report(options, manifest, rounds, machine, started)


def measure_round(number: int, work: Path, manifest: Manifest, options: Options) -> Round:
    """The peer, then Loket, on the same corpus; a Loket run that did other work fails."""
    peer = None
    if options.peer is not None:
        peer = run_peer(options.peer, work / "corpus")
        print_peer(number, peer, peer_differences(peer, manifest))
    loket = run_loket(work / "corpus", work, number)
    problems = loket_problems(loket, manifest)
    print_loket(number, loket, problems)
    if problems:
        raise BenchError(f"Loket's run {number} did not ingest the corpus as expected")
    return Round(number, peer, loket)


def peer_versions(report: Report) -> dict[str, str]:
    """The peer's packages as its own Python reported them, for the machine description."""
    if not report.peers:
        return {}
    versions = report.peers[0].versions
    return {f"{name} ({PEER_NAME}'s venv)": value for name, value in versions.items()}
