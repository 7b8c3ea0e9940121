"""A release as an operator installs it: the wheel built from this tree, installed into a fresh
virtual environment beside the locked dependencies (offline, from uv's cache), runs from a
folder that is not the checkout, with its own var directory.

The installed desk always uses SQLite in that folder: the point is the package, and a migrate
against the suite's PostgreSQL would touch a real database rather than the test one.
"""

import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAIL = ROOT / "tests" / "fixtures" / "mail" / "en-plain.eml"

type Run = Callable[..., subprocess.CompletedProcess[str]]


def uv() -> str:
    found = ROOT / ".tools" / "bin" / "uv"
    path = str(found) if found.is_file() else shutil.which("uv")
    assert path, "uv is missing: `make install` bootstraps it into .tools/"
    return path


def run_checked(
    command: list[str], *, env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    offline = {**os.environ, "UV_OFFLINE": "1", "UV_PYTHON_DOWNLOADS": "never"}
    run_checked([uv(), "build", "--wheel", "--out-dir", str(out), "--quiet"], cwd=ROOT, env=offline)
    (built,) = out.glob("loket-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """`loket` from a fresh environment: the wheel, and the locked runtime dependencies only."""
    place = tmp_path_factory.mktemp("installed")
    offline = {**os.environ, "UV_OFFLINE": "1", "UV_PYTHON_DOWNLOADS": "never"}
    offline.pop("VIRTUAL_ENV", None)
    venv = place / "venv"
    run_checked([uv(), "venv", "--quiet", "--python", sys.executable, str(venv)], env=offline)
    requirements = place / "requirements.txt"
    export = [uv(), "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes"]
    run_checked([*export, "--quiet", "--output-file", str(requirements)], cwd=ROOT, env=offline)
    install = [uv(), "pip", "install", "--quiet", "--python", str(venv / "bin" / "python")]
    run_checked([*install, "--no-deps", "-r", str(requirements), str(wheel)], env=offline)

    desk = place / "desk"
    desk.mkdir()
    outside = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LOKET_", "DJANGO_", "PYTHON", "VIRTUAL_ENV", "UV_"))
        and key not in {"DATABASE_URL", "SECRET_KEY"}
    }
    environment = outside | {"LOKET_VAR_DIR": str(desk / "var"), "LOKET_MAIL": "file"}

    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        return run_checked([str(venv / "bin" / "loket"), *arguments], cwd=desk, env=environment)

    return run


def test_the_wheel_holds_the_compiled_catalogs_and_the_default_policy(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for language in ("ja", "id", "en"):
        assert f"loket/locale/{language}/LC_MESSAGES/django.mo" in names
    assert "loket/policies/catalo-id.toml" in names
    policy = zipfile.ZipFile(wheel).read("loket/policies/catalo-id.toml")
    assert policy == (ROOT / "policies" / "catalo-id.toml").read_bytes()
    assert "loket/static/loket/loket.css" in names
    assert not [name for name in names if name.startswith(("tests/", "policies/"))]


def test_the_installed_package_runs_its_commands_and_finds_its_policy(installed: Run) -> None:
    assert "policy" in installed("--help").stdout
    shown = installed("manage", "shell", "-v", "0", "-c", "import loket; print(loket.__file__)")
    assert "/venv/lib/" in shown.stdout, "the checkout was imported, not the installed wheel"
    checked = installed("policy", "check")
    assert "catalo-id.toml" in checked.stdout + checked.stderr


def test_the_installed_package_migrates_and_opens_a_ticket_in_japanese(installed: Run) -> None:
    installed("manage", "migrate", "--no-input", "-v", "0")
    installed("policy", "apply")
    installed("manage", "collectstatic", "--no-input", "-v", "0")
    installed("mail", "ingest", str(MAIL))
    counted = installed(
        "manage", "shell", "-v", "0", "-c",
        "from loket.tickets.models import Ticket; from django.utils import translation; "
        "translation.activate('ja'); print(Ticket.objects.count()); "
        "print(translation.gettext('Reply to the requester'))",
    )  # fmt: skip
    assert counted.stdout.split() == ["1", "依頼者への返信"]
