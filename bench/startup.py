"""Command-line start-up (issue 13, item 4): how long `loket` commands take from a fresh
process to their answer, against the goals, with a bare interpreter start as the floor.

Each case is a new process of the installed `loket` script (or of the interpreter itself), as
an operator or a mail server's pipe starts it: the goals are `loket --help` in under 0.2 s,
`loket triage explain` and `loket sla preview` in under 0.5 s (medians of wall-clock time).
The cases alternate within each round, so that all of them share the machine's noise. A full
run also measures, alternating in the same rounds, the source of an earlier commit (`--before`,
by default the last one before issue 13's start-up work), from a copy compiled the same way.

    .venv/bin/python -m bench.startup           # 7 rounds, and the earlier commit; writes docs
    .venv/bin/python -m bench.startup --quick   # 2 rounds, no earlier commit; writes nothing

The commands read a desk of their own: SQLite in a fresh LOKET_VAR_DIR, migrated and with the
shipped policy applied before the timing. Loket's source is compiled first (`compileall`, as
`make install` does), since these machines write no bytecode when a module is imported.
Missing a goal fails a full run; a --quick run only reports it.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.common import (
    DOCS,
    REPO,
    BenchError,
    machine_info,
    markdown_table,
    median,
    spread,
    write_docs,
)

SECTION = "## Command-line start-up (issue 13)"
COMMAND = ".venv/bin/python -m bench.startup"
# The last commit before issue 13's start-up work: what a full run compares against.
BEFORE = "81ff3c0"
RUN_TIMEOUT = 120.0
SETUP_TIMEOUT = 600.0

TRIAGE_TEXT = (
    "Halo, sejak kemarin saya tidak bisa login ke akun toko saya. Invoice INV-2026-0042 sudah "
    "saya bayar lewat transfer BCA. Tolong dibantu ya.\n"
)
RECEIVED = "2026-11-23T09:00+07:00"  # a Monday, 09:00 WIB


@dataclass(frozen=True)
class Case:
    name: str
    arguments: tuple[str, ...]  # after the `loket` script, or after the interpreter
    goal: float | None = None  # seconds, for the median wall-clock time
    expect: str = ""  # the answer must contain this
    stdin: str = ""
    loket: bool = True  # through the `loket` script; else the bare interpreter
    per_source: bool = True  # measured for each source tree (the interpreter's start is not)


BASELINE = Case("python -c pass", ("-c", "pass"), loket=False, per_source=False)
SETUP_ONLY = Case("django.setup() alone", ("-c", "import django; django.setup()"), loket=False)
SLA_PREVIEW = Case(
    "loket sla preview",
    ("sla", "preview", "--category", "refund", "--received", RECEIVED),
    goal=0.5,
    expect='"first_response_due": "2026-11-23T18:00:00+07:00"',
)
CASES = (
    BASELINE,
    Case("loket --help", ("--help",), goal=0.2, expect="usage: loket"),
    Case(
        "loket triage explain",
        ("triage", "explain"),
        goal=0.5,
        expect='"category": "account_security"',
        stdin=TRIAGE_TEXT,
    ),
    SLA_PREVIEW,
    Case("loket policy check", ("policy", "check"), expect=": valid - "),
    Case("loket policy show", ("policy", "show"), expect="# policy v1, applied"),
    SETUP_ONLY,
)
NOW = "now"  # the working tree's source, as opposed to the earlier commit's


@dataclass(frozen=True)
class Options:
    rounds: int
    before: str | None
    write_docs: bool
    quick: bool = False  # a smoke run: the goals are reported, not enforced


@dataclass
class Timings:
    wall: list[float]
    cpu: list[float]


@dataclass
class Result:
    options: Options
    timings: dict[tuple[str, str], Timings]  # (case name, source) -> the runs
    started: datetime
    machine: dict[str, str]
    load_after: str

    def wall(self, case: Case, source: str = NOW) -> float:
        return median(self.timings[case.name, source].wall)

    def cpu(self, case: Case, source: str = NOW) -> float:
        return median(self.timings[case.name, source].cpu)

    def problems(self) -> list[str]:
        return [
            f"{case.name}: median {self.wall(case):.3f} s is over the goal of {case.goal} s"
            for case in CASES
            if case.goal is not None and self.wall(case) > case.goal
        ]


# --- The desk and the source trees -------------------------------------------------------------


def loket_script() -> Path:
    script = Path(sys.executable).with_name("loket")
    if not script.exists():
        raise BenchError(f"no {script}: run `make install` first")
    return script


def environment(var_dir: Path, source: Path | None) -> dict[str, str]:
    """A desk of the benchmark's own (SQLite, no DATABASE_URL); `source` ahead of the
    installed Loket when it is an earlier commit's."""
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="loket.settings",
        LOKET_VAR_DIR=str(var_dir),
        LOKET_MAIL="file",
        LOKET_DEBUG="",
    )
    if source is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source), env.get("PYTHONPATH")]))
    return env


def compile_source(source: Path) -> None:
    """Bytecode for every module of Loket, as `make install` writes it."""
    command = [sys.executable, "-m", "compileall", "-q", "-j", "0", str(source / "loket")]
    if subprocess.run(command, timeout=SETUP_TIMEOUT, check=False).returncode != 0:
        raise BenchError(f"compileall failed on {source}")


def earlier_source(commit: str, work: Path) -> Path:
    """The earlier commit's src/ in `work`, compiled; with its policies/ (the package's
    policy file links there), and the working tree's message catalogs (build output, not in
    git)."""
    archive = work / "before.tar"
    with archive.open("wb") as out:
        command = ["git", "archive", commit, "src", "policies"]
        done = subprocess.run(command, cwd=REPO, stdout=out, timeout=120, check=False)
    if done.returncode != 0:
        raise BenchError(f"git archive {commit} failed: is {REPO} a git checkout?")
    with tarfile.open(archive) as tar:
        tar.extractall(work / "before", filter="data")
    source = work / "before" / "src"
    locale = REPO / "src" / "loket" / "locale"
    shutil.copytree(locale, source / "loket" / "locale", dirs_exist_ok=True)
    compile_source(source)
    return source


def prepare_desk(var_dir: Path) -> None:
    env = environment(var_dir, None)
    for arguments in (("manage", "migrate", "--no-input", "--verbosity", "0"), ("policy", "apply")):
        done = subprocess.run(
            [str(loket_script()), *arguments],
            env=env, capture_output=True, text=True, timeout=SETUP_TIMEOUT, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise BenchError(f"loket {' '.join(arguments)} failed:\n{done.stderr[-2000:]}")


# --- Measuring ---------------------------------------------------------------------------------


def run_once(case: Case, env: dict[str, str]) -> tuple[float, float]:
    """One fresh process: its wall-clock and CPU (user + system) seconds."""
    program = [str(loket_script())] if case.loket else [sys.executable]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(
        [*program, *case.arguments],
        input=case.stdin, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT,
        check=False,
    )  # fmt: skip
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0 or case.expect not in done.stdout:
        raise BenchError(
            f"{case.name} answered wrongly (exit {done.returncode}):\n"
            f"{done.stdout[-1000:]}{done.stderr[-2000:]}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(
    options: Options, environments: dict[str, dict[str, str]]
) -> dict[tuple[str, str], Timings]:
    """`options.rounds` rounds; in each, every case once per source tree, in turn."""
    timings: dict[tuple[str, str], Timings] = {}
    for number in range(1, options.rounds + 1):
        shown = []
        for case in CASES:
            for source, env in environments.items():
                if source != NOW and not case.per_source:
                    continue
                wall, cpu = run_once(case, env)
                runs = timings.setdefault((case.name, source), Timings([], []))
                runs.wall.append(wall)
                runs.cpu.append(cpu)
                label = case.name if source == NOW else f"{case.name} [{source}]"
                shown.append(f"{label} {wall:.3f} s")
        print(f"round {number}: " + ", ".join(shown), flush=True)
    return timings


def benchmark(options: Options) -> Result:
    started = datetime.now(UTC)
    machine = machine_info(
        "django", PYTHONDONTWRITEBYTECODE=os.environ.get("PYTHONDONTWRITEBYTECODE") or "unset"
    )
    work = Path(tempfile.mkdtemp(prefix="loket-startup-"))
    try:
        compile_source(REPO / "src")
        sources: dict[str, Path | None] = {NOW: None}
        if options.before:
            sources[options.before] = earlier_source(options.before, work)
        prepare_desk(work / "var")
        environments = {name: environment(work / "var", path) for name, path in sources.items()}
        timings = measure(options, environments)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load_after = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return Result(options, timings, started, machine, load_after)


# --- Reporting ---------------------------------------------------------------------------------


def verdict(result: Result, case: Case) -> str:
    if case.goal is None:
        return ""
    return "met" if result.wall(case) <= case.goal else "**not met**"


def print_summary(result: Result) -> None:
    before = result.options.before
    for case in CASES:
        goal = f", goal {case.goal} s: {verdict(result, case).strip('*')}" if case.goal else ""
        print(
            f"{case.name:>29}: median {result.wall(case):.3f} s "
            f"(runs {spread(result.timings[case.name, NOW].wall, '.3f')}), "
            f"CPU {result.cpu(case):.3f} s{goal}"
        )
        if before and case.per_source:
            print(
                f"{'before (' + before + ')':>29}: median {result.wall(case, before):.3f} s, "
                f"CPU {result.cpu(case, before):.3f} s"
            )


def render_section(result: Result) -> str:
    note = "<!-- Written by bench/startup.py; rerunning it replaces this section. -->"
    lines = [SECTION, "", note, ""]
    for part in (render_summary, render_table, render_machine, render_method, render_reading):
        lines += part(result)
    return "\n".join(lines) + "\n"


def render_summary(result: Result) -> list[str]:
    goals = [case for case in CASES if case.goal is not None]
    figures = "; ".join(
        f"`{case.name}` {result.wall(case):.3f} s "
        f"(goal {case.goal} s, {verdict(result, case).strip('*')})"
        for case in goals
    )
    return [
        "Time from starting a fresh process to its answer, for the commands issue 13 sets "
        "goals for and two more that read the desk, against a bare start of the same "
        "interpreter.",
        "",
        f"**Medians of {result.options.rounds} runs: {figures}; `python -c pass` "
        f"{result.wall(BASELINE):.3f} s.**",
        "",
    ]


def render_table(result: Result) -> list[str]:
    before = result.options.before
    headers = ["Command", "Goal (s)", "Median (s)", "Runs (s)", "Median CPU (s)"]
    if before:
        headers += [f"{before}: median (s)", f"{before}: CPU (s)", f"{before} / now"]
    headers.append("Goal")
    rows = []
    for case in CASES:
        runs = result.timings[case.name, NOW].wall
        row = [f"`{case.name}`", f"{case.goal}" if case.goal else "", f"{result.wall(case):.3f}"]
        row += [spread(runs, ".3f"), f"{result.cpu(case):.3f}"]
        if before and case.per_source:
            earlier = result.wall(case, before)
            row += [f"{earlier:.3f}", f"{result.cpu(case, before):.3f}"]
            row.append(f"{earlier / result.wall(case):.1f}x")
        elif before:
            row += ["", "", ""]
        rows.append([*row, verdict(result, case)])
    return [*markdown_table(headers, rows, "l" + "r" * (len(headers) - 2) + "l"), ""]


def render_machine(result: Result) -> list[str]:
    return [
        "### Machine and date",
        "",
        f"- Date: {result.started:%Y-%m-%d %H:%M} UTC",
        *(f"- {name}: {value}" for name, value in result.machine.items()),
        f"- Load average after the run (1, 5, 15 min): {result.load_after}",
        "",
    ]


def render_method(result: Result) -> list[str]:
    before = result.options.before
    earlier = (
        [
            f"- *Before*: the same cases, in the same rounds, with the source of commit `{before}` "
            "(the last before issue 13's start-up work) ahead of the installed Loket on "
            "`PYTHONPATH`, compiled the same way."
        ]
        if before
        else []
    )
    return [
        "### How it was measured",
        "",
        f"- Rerun: `{COMMAND}` (options `--rounds`, `--before COMMIT` or `--before none`; "
        "`--quick` is a 2-round smoke run without the earlier commit that leaves this file "
        "alone).",
        "- Each figure is a new process started with `subprocess.run` and timed from before "
        "the start to its exit (`time.perf_counter()`), its output read through pipes and "
        "checked. CPU is the process's user plus system time (`getrusage`): on a shared "
        "machine the wall-clock time also holds the time spent waiting for a CPU.",
        "- `loket` is the installed script (`.venv/bin/loket`); `python` the same "
        "interpreter, and `django.setup() alone` is `python -c 'import django; "
        "django.setup()'` with Loket's settings. Every round runs every case once, in the "
        "order of the table.",
        f"- The desk: SQLite in a fresh `LOKET_VAR_DIR`, migrated, the shipped policy applied. "
        f"`sla preview` asks for a refund received {RECEIVED}; `triage explain` reads "
        f"{len(TRIAGE_TEXT)} characters of Indonesian on standard input; `policy check` "
        "validates the shipped policy file, `policy show` prints the active version.",
        "- Loket's source is compiled with `compileall` before the timing, as `make install` "
        "does: with `PYTHONDONTWRITEBYTECODE` set, nothing else would write its bytecode.",
        *earlier,
        "",
    ]


def render_reading(result: Result) -> list[str]:
    floor, baseline = result.wall(SETUP_ONLY), result.wall(BASELINE)
    reading = [
        f"A bare interpreter starts in {baseline:.3f} s here. `loket --help` adds only "
        "argparse: the command line imports each command's modules when that command runs. "
        "`triage explain` is pure Python with no Django; most of its time is compiling "
        "triage's regular expressions. Every command that reads the desk pays for "
        f"`django.setup()` first: {floor:.3f} s on its own (the last row), importing Django, "
        "its contrib apps and every app's models. Read-only commands (`sla preview`, `policy "
        "check`, `policy show`) skip Django's system checks, which would import every URL "
        "module, view and the API before the command runs; what `sla preview` adds to the "
        "floor is one query, parsing the policy and building the business calendar (the "
        "`holidays` package, only Indonesia's module of it). On a machine shared with other "
        "work the wall-clock figures swing with the load: the CPU column is steadier."
    ]
    if SLA_PREVIEW.goal is not None and floor > SLA_PREVIEW.goal:
        reading.append(
            f"The goal of {SLA_PREVIEW.goal} s for `sla preview` lies below that floor on this "
            "machine: no trimming of the command itself can reach it while it sets Django up. "
            "Reaching it would take a preview that reads the active policy without Django's "
            "ORM, or a Django that starts in a fraction of the time."
        )
    return ["### Reading", "", " ".join(reading)]


# --- Command line ------------------------------------------------------------------------------


def parse_options(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=7, help="runs of each case; medians shown")
    parser.add_argument(
        "--before", help=f"an earlier commit to measure alongside (default {BEFORE}; none: no)"
    )
    parser.add_argument("--quick", action="store_true", help="2 rounds, no earlier commit; no docs")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    arguments = parser.parse_args(argv)
    if arguments.quick:
        arguments.rounds = 2
    if arguments.rounds < 1:
        parser.error("--rounds must be positive")
    before = arguments.before or (None if arguments.quick else BEFORE)
    return Options(
        rounds=arguments.rounds,
        before=None if before == "none" else before,
        write_docs=not (arguments.quick or arguments.no_docs),
        quick=arguments.quick,
    )


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    result = benchmark(options)
    print_summary(result)
    if options.write_docs:
        write_docs(SECTION, render_section(result))
        print(f"wrote the start-up section of {DOCS.relative_to(REPO)}")
    sys.stdout.flush()  # the summary first, then any failure, even when both are piped
    label = "goal missed (not enforced in --quick)" if options.quick else "GOAL MISSED"
    for problem in result.problems():
        print(f"{label}: {problem}", file=sys.stderr)
    return 1 if result.problems() and not options.quick else 0


if __name__ == "__main__":
    sys.exit(main())
