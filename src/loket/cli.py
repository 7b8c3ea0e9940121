"""The `loket` command: one entry point for the demo, the servers, the worker, backups and
Django.

This module is imported by every `loket` command, `loket --help` included, so it imports only
what building the parser needs: each command imports its own modules (Django, the supervisor,
triage's patterns) when it runs (issue 13: `loket --help` answers in under 0.2 s).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

# Not `typing.TYPE_CHECKING`: importing typing alone would cost `loket --help` 5 ms.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

DEFAULT_BIND = "127.0.0.1:8000"


def django_command(*arguments: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loket.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["loket", *arguments])


def triage_explain(path: str | None) -> int:
    """`loket triage explain [FILE]`: the triage decision as JSON, no Django, no ticket."""
    import json
    from pathlib import Path

    # Imported here so that the other commands do not pay for compiling triage's patterns.
    from loket.triage.explain import explain

    raw = Path(path).read_bytes() if path else sys.stdin.buffer.read()
    text = raw.decode("utf-8", errors="replace")
    language = os.environ.get("LOKET_DEFAULT_LANGUAGE", "id")
    print(json.dumps(explain(text, default_language=language), ensure_ascii=False))
    return 0


def restore(archive: str, var_dir: str | None) -> int:
    """`loket restore FILE`: no Django, since loading the settings writes into the var
    directory, which must be empty for a restore."""
    from pathlib import Path

    # Imported here, like triage: the other commands need none of it.
    from loket.ops import archive as backup_archive

    target = Path(var_dir or os.environ.get("LOKET_VAR_DIR") or "var").resolve()
    try:
        manifest = backup_archive.restore(Path(archive), target)
    except (backup_archive.ArchiveError, OSError) as error:
        print(f"loket restore: {error}", file=sys.stderr)
        return 1
    kind = "files only" if manifest.get("files_only") else "database and files"
    print(f"restored {len(manifest['members'])} files ({kind}) into {target}")
    if policies := [m["name"] for m in manifest["members"] if m["name"].startswith("policy/")]:
        print(f"the active policy at backup time: {target / policies[0]}")
    return 0


def worker(*, batch: bool) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loket.settings")
    import django

    django.setup()
    # Imported once Django is set up: the worker's modules define models and tasks, which
    # need the settings configured first (cli.py itself is imported before that).
    from loket.worker import run

    run(batch=batch)


def loket_process(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "loket.cli", *arguments]


def supervise(children: Sequence[tuple[str, list[str]]]) -> int:
    """Run the children under a supervisor (loket/supervise.py): restarted when they die,
    all stopped when one keeps dying or a signal arrives."""
    # Imported here: only `loket demo` and `loket serve` supervise (it loads ctypes and
    # subprocess, a tenth of a second that `loket --help` need not wait for).
    from loket.supervise import Child, Supervisor

    limit = int(os.environ.get("LOKET_RESTART_LIMIT") or 5)
    window = float(os.environ.get("LOKET_RESTART_WINDOW_SECONDS") or 60)
    supervisor = Supervisor(
        [Child(name, command) for name, command in children], limit=limit, window=window
    )
    return supervisor.run()


def web(bind: str, workers: int) -> NoReturn:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loket.settings")
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "loket.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        # No gunicorn access log: Loket's own (loket.access) masks ticket tokens in paths,
        # carries the request id and follows LOKET_LOG_FORMAT.
        "--graceful-timeout",
        "5",
        # Several servers on one machine (demo, benchmark) must not share a control socket.
        "--no-control-socket",
        "--config",
        "python:loket.webserver",
    ]
    # Replaced, not started: the supervisor's child must be gunicorn's master itself, or
    # stopping the child would leave gunicorn running as an orphan.
    os.execv(sys.executable, command)


def prepare() -> None:
    django_command("migrate", "--no-input", "--verbosity", "0")
    # Before the web server starts: WhiteNoise reads the collected files once, at start-up.
    django_command("collectstatic", "--no-input", "--verbosity", "0")
    django_command("policy", "apply")


def demo(bind: str) -> int:
    # The demo is the embedded SQLite desk by definition; it never touches a configured server.
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("LOKET_MAIL", "file")
    os.environ.setdefault("LOKET_BASE_URL", f"http://{bind}")
    prepare()
    django_command("load_demo")
    print(f"\nLoket demo on http://{bind}/  (contact form /support/contact/, console /console/)")
    print("Mail goes to files under var/mail/. Press Ctrl-C to stop.\n", flush=True)
    return supervise(
        [("web server", loket_process("web", "--bind", bind)), ("worker", loket_process("worker"))]
    )


def serve(bind: str, workers: int) -> int:
    prepare()
    return supervise(
        [
            ("web server", loket_process("web", "--bind", bind, "--workers", str(workers))),
            ("worker", loket_process("worker")),
        ]
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="loket", description="Loket support desk")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("demo", "SQLite demo with the Catalo.id policy, demo data and logins; web + worker"),
        ("serve", "migrate, then run web + worker with production settings"),
        ("web", "the web server alone (gunicorn)"),
    ):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--bind", default=os.environ.get("LOKET_BIND", DEFAULT_BIND))
        if name != "demo":
            sub.add_argument(
                "--workers", type=int, default=int(os.environ.get("LOKET_WEB_WORKERS", 2))
            )
    worker_command = commands.add_parser(
        "worker", help="the background worker alone (mail, housekeeping)"
    )
    worker_command.add_argument(
        "--batch", action="store_true", help="run what is due now, then exit"
    )
    triage = commands.add_parser("triage", help="triage explain [FILE]: the decision as JSON")
    triage_actions = triage.add_subparsers(dest="triage_action", required=True)
    explain_command = triage_actions.add_parser("explain", help="decide one message (stdin)")
    explain_command.add_argument("file", nargs="?", help="a text file (default: stdin)")
    directory = commands.add_parser("directory", help="import storefronts from CSV")
    directory.add_argument("arguments", nargs=argparse.REMAINDER)
    mail = commands.add_parser("mail", help="e-mail in: ingest files, maildirs or stdin; replay")
    mail.add_argument("arguments", nargs=argparse.REMAINDER)
    sla = commands.add_parser("sla", help="SLA clocks: sweep, preview")
    sla.add_argument("arguments", nargs=argparse.REMAINDER)
    backup = commands.add_parser(
        "backup", help="FILE [--files-only]: archive the database, attachments and policy"
    )
    backup.add_argument("arguments", nargs=argparse.REMAINDER)
    restore_command = commands.add_parser(
        "restore", help="FILE: unpack a backup into an empty var directory"
    )
    restore_command.add_argument("file")
    restore_command.add_argument(
        "--var-dir", help="where to restore (default: $LOKET_VAR_DIR, else ./var)"
    )
    manage = commands.add_parser("manage", help="any Django management command")
    manage.add_argument("arguments", nargs=argparse.REMAINDER)
    policy = commands.add_parser("policy", help="check, apply or show the support policy")
    policy.add_argument("arguments", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; a failure caused by the configuration (the var directory, the database
    file) is one sentence on standard error and exit status 2, not a traceback."""
    try:
        return run(build_parser().parse_args(argv))
    except Exception as error:
        sentence = configuration_problem(error)
        if sentence is None:
            raise
        print(f"loket: {sentence}", file=sys.stderr)
        return 2


def configuration_problem(error: Exception) -> str | None:
    # Imported here: the command line must start without Django for `loket triage` and
    # `loket restore`, and these classes come from Django.
    from django.core.exceptions import ImproperlyConfigured
    from django.db import OperationalError

    if isinstance(error, ImproperlyConfigured):
        return str(error)
    if isinstance(error, OperationalError) and "unable to open database file" in str(error):
        return (
            "the SQLite database file cannot be opened: check that its directory exists and "
            "is writable (DATABASE_URL, or LOKET_VAR_DIR for the embedded database)"
        )
    return None


def run(arguments: argparse.Namespace) -> int:
    match arguments.command:
        case "demo":
            return demo(arguments.bind)
        case "serve":
            return serve(arguments.bind, arguments.workers)
        case "web":
            return web(arguments.bind, arguments.workers)
        case "worker":
            worker(batch=arguments.batch)
        case "manage":
            django_command(*arguments.arguments)
        case "policy":
            django_command("policy", *arguments.arguments)
        case "sla":
            django_command("sla", *arguments.arguments)
        case "mail":
            django_command("mail", *arguments.arguments)
        case "directory":
            django_command("directory", *arguments.arguments)
        case "triage":
            return triage_explain(arguments.file)
        case "backup":
            django_command("backup", *arguments.arguments)
        case "restore":
            return restore(arguments.file, arguments.var_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
