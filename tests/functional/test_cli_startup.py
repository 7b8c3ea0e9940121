"""What keeps `loket` quick to start (issue 13, item 4), as structure rather than timings (those
are bench/startup.py's): each command imports only what it uses, and read-only commands skip
Django's system checks, which import every URL module, view and the API first."""

import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import holidays
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from tests.functional.test_worker import shared_database_url

# Runs `loket` with the given arguments in a fresh interpreter, then writes the names of every
# module it loaded to the file named by $LOADED_MODULES.
PROBE = """
import json, os, sys
from loket.cli import main
try:
    status = main(sys.argv[1:])
except SystemExit as stop:
    status = stop.code
with open(os.environ["LOADED_MODULES"], "w") as out:
    json.dump(sorted(sys.modules), out)
sys.exit(status)
"""
PREVIEW = ["sla", "preview", "--category", "refund", "--received", "2026-11-23T09:00+07:00"]


def run_loket(
    tmp_path: Path, arguments: list[str], *, stdin: str = "", **variables: str
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """`loket ARGUMENTS` in a fresh process: what it printed, and the modules it loaded."""
    modules = tmp_path / "modules.json"
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, *arguments],
        input=stdin, capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, **variables, "LOADED_MODULES": str(modules)},
    )  # fmt: skip
    return completed, set(json.loads(modules.read_text()))


def django_modules(modules: set[str]) -> set[str]:
    return {name for name in modules if name == "django" or name.startswith("django.")}


def test_loket_help_imports_neither_django_nor_the_supervisor_nor_triage(tmp_path: Path) -> None:
    completed, modules = run_loket(tmp_path, ["--help"])
    assert completed.returncode == 0
    assert completed.stdout.startswith("usage: loket")
    assert django_modules(modules) == set()
    assert {"loket.supervise", "loket.triage.explain", "ctypes", "subprocess"}.isdisjoint(modules)


def test_loket_triage_explain_imports_no_django_and_no_supervisor(tmp_path: Path) -> None:
    completed, modules = run_loket(
        tmp_path, ["triage", "explain"], stdin="Saya tidak bisa login ke akun saya."
    )
    assert completed.returncode == 0
    assert json.loads(completed.stdout)["category"] == "account_security"
    assert django_modules(modules) == set()
    assert "loket.supervise" not in modules


@pytest.mark.django_db(transaction=True)
def test_loket_sla_preview_answers_without_system_checks_sweep_or_other_countries(
    tmp_path: Path,
) -> None:
    database = {"DATABASE_URL": shared_database_url(), "LOKET_VAR_DIR": str(settings.VAR_DIR)}
    completed, modules = run_loket(tmp_path, PREVIEW, **database)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout) == {
        "category": "refund",
        "received": "2026-11-23T09:00:00+07:00",
        "first_response_due": "2026-11-23T18:00:00+07:00",
        "resolution_target": "2026-11-25T18:00:00+07:00",
        "resolution_due": "2026-11-27T18:00:00+07:00",
    }
    # The system checks would have imported the URLconf, and through it the API (ninja).
    assert {"loket.urls", "ninja", "pydantic"}.isdisjoint(modules)
    assert {"loket.sla.sweep", "loket.tickets.operations", "phonenumbers"}.isdisjoint(modules)
    countries = {name for name in modules if name.startswith("holidays.countries")}
    assert countries == {"holidays.countries.indonesia"}

    refused, _ = run_loket(tmp_path, [*PREVIEW[:3], "billing", *PREVIEW[4:]], **database)
    assert refused.returncode == 1
    assert refused.stderr.startswith("CommandError: unknown category 'billing'")


@pytest.fixture
def checks_run(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the commands that ran Django's system checks (recorded, not run)."""
    names: list[str] = []

    def record(command: BaseCommand, *args: object, **options: object) -> None:
        names.append(type(command).__module__.rsplit(".", 1)[-1])

    monkeypatch.setattr(BaseCommand, "check", record)
    return names


# In this process through call_command, with the checks on as on the command line (running
# `loket` here would set Django up again, and its logging with this test's captured stderr).
@pytest.mark.django_db
@pytest.mark.parametrize(
    "arguments", [PREVIEW, ["policy", "check"], ["policy", "show"]], ids=" ".join
)
def test_read_only_commands_skip_the_system_checks(
    arguments: list[str], checks_run: list[str]
) -> None:
    output = io.StringIO()
    call_command(*arguments, skip_checks=False, stdout=output)
    assert output.getvalue()
    assert checks_run == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "arguments", [["sla", "sweep", "--dry-run"], ["policy", "apply"]], ids=" ".join
)
def test_commands_that_change_data_still_run_the_system_checks_first(
    arguments: list[str], checks_run: list[str]
) -> None:
    call_command(*arguments, skip_checks=False, stdout=io.StringIO())
    assert checks_run == [arguments[0]]


# The Catalo.id calendar in a fresh interpreter: its closed days of 2026, whether it is open
# on Independence Day (Monday 17 August) at 10:00 WIB, and the modules it loaded.
CALENDAR = """
import json, sys
from datetime import UTC, datetime, time
from loket.calendar import build_calendar
calendar = build_calendar(
    time_zone="Asia/Jakarta", weekly={day: [(time(9), time(18))] for day in range(5)},
    holiday_country="ID", holiday_categories=sys.argv[1:],
)
closed = [str(day) for day in sorted(calendar.holidays(2026))]
open_on_the_17th = calendar.is_open(datetime(2026, 8, 17, 3, tzinfo=UTC))
json.dump({"closed": closed, "open": open_on_the_17th, "modules": sorted(sys.modules)}, sys.stdout)
"""


@pytest.mark.parametrize("categories", [["public"], ["public", "government"]])
def test_a_calendar_loads_only_its_countrys_holidays_and_gets_them_all(
    categories: list[str],
) -> None:
    completed = subprocess.run(
        [sys.executable, "-c", CALENDAR, *categories],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    answer = json.loads(completed.stdout)
    countries = {name for name in answer["modules"] if name.startswith("holidays.countries")}
    assert countries == {"holidays.countries.indonesia"}
    # The same days as the package gives through its usual way in, all countries loaded.
    table = holidays.country_holidays("ID", years=2026, categories=categories)
    assert answer["closed"] == [str(day) for day in sorted(table) if day.year == 2026]
    assert date(2026, 8, 17) in table
    assert answer["open"] is False
