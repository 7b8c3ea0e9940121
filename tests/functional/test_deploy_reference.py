"""The deployment reference (issue 17, part 7): the systemd units under deploy/systemd, the
Dockerfile and deploy/compose.yaml run commands that exist, with settings Loket reads.

systemd-analyze checks the units as shipped. No image is built here: no image registry is
reachable from the machines that run the suite, and there is no Docker daemon or compose
plugin, so the Dockerfile and the compose file are checked by what they say.
"""

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import get_commands

from loket.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
INSTALLED_LOKET = "/opt/loket/bin/loket"
ENVIRONMENT_FILE = "/etc/loket/loket.env"


def unit_settings(path: Path) -> dict[str, list[str]]:
    """Each key's values, in order (Exec lines may repeat); sections are not needed, since
    the keys used here appear in one section only."""
    found: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def settings_variables() -> set[str]:
    """Every upper-case name settings.py and cli.py pass to a call: the variables they read."""
    sources = (ROOT / "src" / "loket" / name for name in ("settings.py", "cli.py"))
    return {
        name
        for source in sources
        for name in re.findall(r'\(\s*"([A-Z][A-Z0-9_]*)"', source.read_text())
    }


def assert_loket_command(arguments: list[str]) -> None:
    """A command line of `loket` that its own parser accepts; `manage X` names a Django
    command that exists."""
    try:
        parsed = build_parser().parse_args(arguments)
    except SystemExit:
        pytest.fail(f"`loket {shlex.join(arguments)}` is not a loket command")
    if parsed.command == "manage":
        assert parsed.arguments[0] in get_commands(), shlex.join(arguments)


def test_there_is_a_unit_for_the_web_server_and_the_worker_and_none_for_the_sweep() -> None:
    # The SLA sweep runs in every worker's housekeeping (loket/worker.py), so it has no unit.
    assert [unit.name for unit in UNITS] == [
        "loket-mail-poll.service",
        "loket-web.service",
        "loket-worker.service",
    ]


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_a_unit_runs_an_installed_loket_command_as_the_loket_user(unit: Path) -> None:
    settings = unit_settings(unit)
    for line in settings.get("ExecStartPre", []) + settings["ExecStart"]:
        program, *arguments = shlex.split(line)
        assert program == INSTALLED_LOKET
        assert_loket_command(arguments)
    assert settings["User"] == settings["Group"] == ["loket"]
    assert settings["EnvironmentFile"] == [ENVIRONMENT_FILE]
    assert settings["Restart"] == ["on-failure"]
    assert settings["WantedBy"] == ["multi-user.target"]
    assert settings["ReadWritePaths"] == ["/srv/loket/var"], "the var directory, and only it"


def test_the_environment_file_sets_only_variables_loket_reads() -> None:
    example = ROOT / "deploy" / "systemd" / "loket.env.example"
    names = {
        line.split("=", 1)[0]
        for line in example.read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert names - settings_variables() == set()
    assert "LOKET_VAR_DIR=/srv/loket/var" in example.read_text().splitlines()


def test_systemd_analyze_verifies_every_unit(tmp_path: Path) -> None:
    """Verified as shipped, in a root of their own: the system's units (the targets they
    name) and a stand-in for the installed command, which this machine does not have."""
    units = tmp_path / "etc" / "systemd" / "system"
    units.mkdir(parents=True)
    system = tmp_path / "usr" / "lib" / "systemd" / "system"
    shutil.copytree(Path("/usr/lib/systemd/system"), system, symlinks=True)
    program = tmp_path / INSTALLED_LOKET.lstrip("/")
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    for unit in UNITS:
        shutil.copy(unit, units)

    checked = subprocess.run(
        ["systemd-analyze", "verify", f"--root={tmp_path}", *(unit.name for unit in UNITS)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert (checked.returncode, checked.stdout + checked.stderr) == (0, "")


def test_the_dockerfile_builds_with_the_project_python_and_uv_and_runs_loket() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    python = (ROOT / ".python-version").read_text().strip()
    uv_version = re.search(r"^UV_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.M)
    assert uv_version is not None
    assert f"ARG PYTHON_VERSION={python}\n" in dockerfile
    assert f"uv=={uv_version.group(1)}" in dockerfile
    for source in re.findall(r"^COPY (?!--from)(.+) \S+$", dockerfile, re.M):
        for name in source.split():
            assert (ROOT / name).exists(), f"COPY {name}: no such file in the repository"
    cmd = re.search(r"^CMD (.+)$", dockerfile, re.M)
    assert cmd is not None
    program, *arguments = json.loads(cmd.group(1))
    assert program == "loket"
    assert_loket_command(arguments)
    collect = re.search(r"/opt/loket/bin/loket (manage collectstatic[^&\\\n]*)", dockerfile)
    assert collect is not None
    assert_loket_command(shlex.split(collect.group(1)))


def compose_commands() -> dict[str, list[str]]:
    """Each service's command; the file writes them as one-line JSON-style lists."""
    commands: dict[str, list[str]] = {}
    service = ""
    for line in (ROOT / "deploy" / "compose.yaml").read_text().splitlines():
        if re.fullmatch(r"  [a-z]+:", line):
            service = line.strip(" :")
        elif line.startswith("    command: "):
            commands[service] = json.loads(line.removeprefix("    command: "))
    return commands


def test_compose_runs_postgresql_a_migration_the_web_server_and_a_worker() -> None:
    compose = (ROOT / "deploy" / "compose.yaml").read_text()
    image = re.search(r"image: postgres:(\d+)", compose)
    assert image is not None
    assert int(image.group(1)) >= 15, "PostgreSQL 15 or newer (docs/architecture.md)"
    commands = compose_commands()
    assert set(commands) == {"migrate", "web", "worker"}
    assert commands["web"][:2] == ["loket", "web"]
    assert commands["worker"] == ["loket", "worker"]
    shell, option, script = commands["migrate"]
    assert (shell, option) == ("sh", "-c")
    for line in [*(part.split() for part in script.split("&&")), commands["web"]]:
        assert line[0] == "loket"
        assert_loket_command(line[1:])
    for variable in re.findall(r"^    ([A-Z][A-Z0-9_]+): ", compose, re.M):
        assert variable in settings_variables(), f"{variable} is not read by Loket"
