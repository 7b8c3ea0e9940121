"""Loket's measurement, in the child process: a fresh database, the openers, then the timed
loop over the messages. Imported only after `django.setup()`, by
`python -m bench.mail_ingest --child CORPUS`."""

from __future__ import annotations

import io
import re
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from bench.common import BenchError, proc_value
from bench.mail_ingest.config import PLACEHOLDER
from bench.mail_ingest.corpus import KIND, Manifest, read_manifest
from bench.mail_ingest.results import MAX_SHOWN, LoketRun
from loket.mail.ingest import ingest


def measure(corpus: Path, inbox: Path) -> LoketRun:
    """Migrate and apply the policy, open a ticket per opener, then time the messages."""
    call_command("migrate", interactive=False, verbosity=0)
    call_command("policy", "apply", stdout=io.StringIO())  # as `loket policy apply`
    manifest = read_manifest(corpus)
    tags = open_tickets(corpus / "openers", manifest)
    files = materialise(corpus / "messages", inbox, manifest, tags)
    return time_ingestion(files, manifest)


def open_tickets(folder: Path, manifest: Manifest) -> dict[int, bytes]:
    """Ingest the openers, untimed; placeholder k -> the reference of opener k's ticket."""
    tags = {}
    for k, name in enumerate(manifest.openers):
        result = ingest((folder / name).read_bytes(), mailbox=mailbox(), now=datetime.now(UTC))
        if result.outcome != "created" or result.reference is None:
            raise BenchError(f"opener {name}: {result.outcome} {result.reason}")
        tags[k] = result.reference.encode()
    return tags


def materialise(
    source: Path, target: Path, manifest: Manifest, tags: dict[int, bytes]
) -> list[Path]:
    """Loket's copy of the messages: each reply tag becomes the reference of its ticket."""
    placeholder = re.compile(PLACEHOLDER)
    target.mkdir(parents=True)
    files = []
    for name in manifest.messages:
        raw = placeholder.sub(lambda match: tags[int(match[1])], (source / name).read_bytes())
        (target / name).write_bytes(raw)
        files.append(target / name)
    return files


def time_ingestion(files: list[Path], manifest: Manifest) -> LoketRun:
    """Read and ingest each file in turn, timed from the first read to the last return."""
    expected = [KIND[kind].loket for kind in manifest.kinds]
    outcomes: Counter[str] = Counter()
    mismatches: list[str] = []
    tenths = {len(files) * tenth // 10 for tenth in range(1, 11)}
    memory, box = Memory(), mailbox()
    started = time.perf_counter()
    for number, (path, wanted) in enumerate(zip(files, expected, strict=True), 1):
        result = ingest(path.read_bytes(), mailbox=box, now=datetime.now(UTC))
        outcomes[result.outcome] += 1
        if result.outcome != wanted:
            mismatches.append(f"{path.name}: {result.outcome}, not {wanted} ({result.reason})")
        if number in tenths:
            memory.sample()  # ten reads of /proc in the whole loop
    seconds = time.perf_counter() - started
    return LoketRun(
        messages=len(files), seconds=seconds, outcomes=dict(outcomes),
        mismatches=mismatches[:MAX_SHOWN], mismatch_count=len(mismatches), rss_mb=memory.rss,
        setup_peak_mb=memory.setup_peak, loop_peak_mb=memory.loop_peak(),
        peak_mb=max(memory.setup_peak, status_mb("VmHWM")),
    )  # fmt: skip


class Memory:
    """The process's resident memory: its peak before the loop, samples during it, and the
    loop's own peak (the kernel's high-water mark is reset first, where it allows that)."""

    def __init__(self) -> None:
        self.setup_peak = status_mb("VmHWM")
        self.rss = [status_mb("VmRSS")]
        self.reset = reset_peak()

    def sample(self) -> None:
        self.rss.append(status_mb("VmRSS"))

    def loop_peak(self) -> float | None:
        return status_mb("VmHWM") if self.reset else None


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (proc(5): clear_refs, value 5); False if not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def mailbox() -> str:
    return str(settings.LOKET_MAIL_ADDRESS)


def status_mb(key: str) -> float:
    """VmRSS (now) or VmHWM (the peak so far) of this process, in MB (MiB)."""
    value = proc_value("/proc/self/status", key).split()
    if not value or not value[0].isdigit():
        raise BenchError(f"/proc/self/status has no {key}")
    return int(value[0]) / 1024
