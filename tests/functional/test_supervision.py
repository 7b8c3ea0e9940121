"""`loket serve` owns its children (issue 14, item 6): a dead worker or web server is started
again, one that keeps dying stops everything, and SIGTERM leaves no process behind. Real
processes: the supervisor, gunicorn's master and its worker, and `loket worker`."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.functional.test_cli import fetch
from tests.smtp import free_port

STARTUP_SECONDS = 120


def process_table() -> dict[int, tuple[int, str]]:
    """Every live process: pid -> (parent pid, command line). Zombies count as gone."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        state, parent = stat.rsplit(")", 1)[1].split()[:2]
        if state != "Z":
            table[int(entry.name)] = (int(parent), command)
    return table


def descendants(pid: int) -> dict[int, str]:
    table = process_table()
    found: dict[int, str] = {}
    parents = {pid}
    while parents:
        children = {child for child, (parent, _) in table.items() if parent in parents}
        found.update({child: table[child][1] for child in children})
        parents = children
    return found


def child(pid: int, word: str) -> int:
    """The supervisor's direct child whose command line holds `word`."""
    [found] = [
        child_pid
        for child_pid, (parent, command) in process_table().items()
        if parent == pid and word in command
    ]
    return found


def alive(pid: int) -> bool:
    return pid in process_table()


def eventually(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"{what} within {timeout} s")


def answers(base: str) -> bool:
    return fetch(f"{base}/health/")[0] == 200


def start_serve(var_dir: Path, **variables: str) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    environment = {
        **os.environ,
        "LOKET_VAR_DIR": str(var_dir),
        "LOKET_BIND": f"127.0.0.1:{port}",
        "LOKET_WEB_WORKERS": "1",
        "DATABASE_URL": "",
        **variables,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "loket.cli", "serve"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    eventually(lambda: answers(base), STARTUP_SECONDS, "the web server did not answer")
    eventually(lambda: child(process.pid, "loket.cli worker"), 30, "no worker started")
    return process, base


@pytest.fixture
def var_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    # Whatever a failed test left running goes with it.
    for pid in process_table():
        command = process_table().get(pid, (0, ""))[1]
        if str(tmp_path) in command:
            os.kill(pid, signal.SIGKILL)


def test_a_killed_worker_and_a_killed_web_server_come_back_and_sigterm_leaves_no_process(
    var_dir: Path,
) -> None:
    process, base = start_serve(var_dir)
    try:
        worker = child(process.pid, "loket.cli worker")
        os.kill(worker, signal.SIGKILL)
        eventually(lambda: child(process.pid, "loket.cli worker") != worker, 30, "no new worker")
        master = child(process.pid, "gunicorn")
        [old_web_worker] = descendants(master)
        os.kill(master, signal.SIGKILL)
        # Its worker goes with it instead of answering on unsupervised.
        eventually(lambda: not alive(old_web_worker), 10, "gunicorn's worker outlived its master")
        eventually(lambda: child(process.pid, "gunicorn") != master, 30, "no new web server")
        eventually(lambda: answers(base), 60, "the new web server did not answer")
        everything = descendants(process.pid)
        assert len(everything) == 3, everything  # master, its worker, the loket worker
        os.kill(process.pid, signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    assert process.returncode == 0
    assert [pid for pid in everything if alive(pid)] == []
    assert "the worker was killed by SIGKILL; starting it again in 1 s" in output
    assert "the web server was killed by SIGKILL; starting it again" in output
    with pytest.raises(urllib.error.URLError):
        fetch(f"{base}/health/")


def test_a_worker_that_keeps_dying_stops_everything_with_a_sentence(var_dir: Path) -> None:
    process, base = start_serve(var_dir, LOKET_RESTART_LIMIT="2")
    try:
        everything = descendants(process.pid)
        first = child(process.pid, "loket.cli worker")
        os.kill(first, signal.SIGKILL)
        eventually(lambda: child(process.pid, "loket.cli worker") != first, 30, "no new worker")
        os.kill(child(process.pid, "loket.cli worker"), signal.SIGKILL)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    assert process.returncode == 1
    assert (
        "loket: the worker was killed by SIGKILL and has died 2 times within 60 s; "
        "stopping everything." in output
    )
    assert [pid for pid in everything if alive(pid)] == []
    with pytest.raises(urllib.error.URLError):
        fetch(f"{base}/health/")
