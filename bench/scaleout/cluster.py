"""The server in pieces: `loket web --workers W` and N `loket worker` processes under the
supervisor of `loket serve` (launch.py), on one database prepared once (migrations, static
files, the policy) as `loket serve` prepares it."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.common import REPO, BenchError
from bench.intake.server import HOST, Server, free_port, server_environment

PREPARE_TIMEOUT = 300.0
# What `loket serve` runs before it starts the processes (loket/cli.py, `prepare`).
PREPARE = (
    ("manage", "migrate", "--no-input", "--verbosity", "0"),
    ("manage", "collectstatic", "--no-input", "--verbosity", "0"),
    ("policy", "apply"),
)


def loket(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "loket.cli", *arguments]  # what the `loket` script runs


@dataclass(frozen=True)
class Setup:
    """The var directory and environment every configuration's processes share."""

    root: Path
    environment: dict[str, str]

    @property
    def log(self) -> Path:
        return setup_log(self.root)


def setup_log(root: Path) -> Path:
    """Where every configuration's processes write, one after the other."""
    return root / "server.log"


def prepare(root: Path, database_environment: dict[str, str]) -> Setup:
    # The port in LOKET_BASE_URL only appears in links inside the mails.
    setup = Setup(root, server_environment(root, free_port(), database_environment))
    for arguments in PREPARE:
        with setup.log.open("ab") as log:
            completed = subprocess.run(
                loket(*arguments),
                cwd=REPO,
                env=setup.environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=PREPARE_TIMEOUT,
                check=False,
            )
        if completed.returncode != 0:
            raise BenchError(f"`loket {' '.join(arguments)}` exited with {completed.returncode}")
    return setup


def start(setup: Setup, web_processes: int, workers: int) -> Server:
    """The processes of one configuration under `loket serve`'s supervisor (see launch.py)."""
    port = free_port()
    command = [sys.executable, "-m", "bench.scaleout.launch", "--bind", f"{HOST}:{port}"]
    command += ["--web", str(web_processes), "--workers", str(workers)]
    with setup.log.open("ab") as log:
        log.write(f"=== loket web --workers {web_processes}, {workers} worker(s)\n".encode())
        log.flush()
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=setup.environment,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(process, setup.root, port)
