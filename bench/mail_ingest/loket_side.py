"""Loket's side, from the parent: one child process per run, each with a fresh var directory
(SQLite in it, no DATABASE_URL). Nothing here needs Django; the child sets it up."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bench.common import REPO, BenchError
from bench.mail_ingest.config import CHILD_TIMEOUT, SUPPORT_ADDRESS
from bench.mail_ingest.results import LoketRun


def child_environment(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)  # SQLite in the var dir, as issue 8 measures it
    env.update(
        DJANGO_SETTINGS_MODULE="loket.settings",
        LOKET_VAR_DIR=str(var_dir),
        LOKET_MAIL="file",
        LOKET_DEBUG="",  # DEBUG would keep every query in memory
        LOKET_MAIL_ADDRESS=SUPPORT_ADDRESS,  # the address the corpus is sent to
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")])),
    )
    return env


def run_loket(corpus: Path, work: Path, number: int) -> LoketRun:
    """One run of Loket in a child process of its own; what it measured."""
    root = work / f"loket-{number}"
    root.mkdir()
    result = root / "result.json"
    command = [sys.executable, "-m", "bench.mail_ingest", "--child", str(corpus)]
    command += ["--result", str(result)]
    try:
        completed = subprocess.run(
            command, cwd=REPO, env=child_environment(root / "var"), timeout=CHILD_TIMEOUT,
            check=False,
        )  # fmt: skip
        if completed.returncode != 0:
            raise BenchError(f"Loket's run {number} exited with {completed.returncode}")
        return LoketRun.from_json(json.loads(result.read_text()))
    finally:
        shutil.rmtree(root, ignore_errors=True)
