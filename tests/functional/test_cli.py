"""`loket demo` as a newcomer runs it: one command, a working desk, Ctrl-C stops everything."""

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.smtp import free_port


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def wait_for_page(url: str, process: subprocess.Popen[str], timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "loket demo exited early"
        try:
            status, body = fetch(url)
        except OSError:
            time.sleep(0.3)
            continue
        if status == 200:
            return body
    raise AssertionError(f"{url} did not answer within {timeout} s")


def test_loket_demo_serves_form_and_console_prints_logins_and_stops_on_ctrl_c(
    tmp_path: Path,
) -> None:
    port = free_port()
    environment = {**os.environ, "LOKET_VAR_DIR": str(tmp_path), "LOKET_BIND": f"127.0.0.1:{port}"}
    environment.pop("LOKET_STATIC_ROOT")  # the demo collects its own, under var/static
    process = subprocess.Popen(
        [sys.executable, "-m", "loket.cli", "demo"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        form = wait_for_page(f"{base}/support/contact/", process)
        assert 'name="category"' in form
        stylesheet = re.search(r'href="(/static/loket/loket\.[0-9a-f]{12}\.css)"', form)
        assert stylesheet, "the demo does not link the collected, hashed stylesheet"
        with urllib.request.urlopen(f"{base}{stylesheet.group(1)}", timeout=5) as response:  # noqa: S310
            assert "immutable" in response.headers["Cache-Control"]
        assert list((tmp_path / "static" / "loket").glob("loket.*.css"))
        assert fetch(f"{base}/console/login/")[0] == 200
        logins = json.loads((tmp_path / "demo-logins.json").read_text())
        assert set(logins) == {"agent", "supervisor", "operations", "admin"}
        # The worker delivers the demo tickets' acknowledgements to files under var/mail/.
        # 60 s: on a loaded two-core machine the worker's first start alone can take 30.
        deadline = time.monotonic() + 60
        while not list((tmp_path / "mail").glob("*")) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert list((tmp_path / "mail").glob("*"))
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    for username, password in logins.items():
        assert f"{username:<11} {password}" in output
    assert "gunicorn" in output.lower()
    try:
        fetch(f"{base}/health/")
    except OSError:
        pass
    else:
        raise AssertionError("the web server still answers after Ctrl-C")


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("LOKET_VAR_DIR", "{file}/var", "LOKET_VAR_DIR="),
        ("DATABASE_URL", "sqlite:///{file}/db/loket.sqlite3", "DATABASE_URL"),
    ],
)
def test_a_configuration_mistake_is_one_sentence_not_a_traceback(
    tmp_path: Path, variable: str, value: str, named: str
) -> None:
    blocker = tmp_path / "a-file"  # a path under a regular file can be created by nobody
    blocker.write_text("")
    environment = {**os.environ, "LOKET_VAR_DIR": str(tmp_path / "var")}
    environment[variable] = value.format(file=blocker)
    done = subprocess.run(
        [sys.executable, "-m", "loket.cli", "manage", "migrate"],
        env=environment, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    [sentence] = done.stderr.strip().splitlines()
    assert sentence.startswith("loket: ")
    assert named in sentence
