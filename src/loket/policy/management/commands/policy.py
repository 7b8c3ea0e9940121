"""`loket policy check|apply|show`: the policy file as versioned data.

`check` and `show` only read, and answer at once (issue 13): they skip Django's system checks,
which only `apply` runs first.
"""

import getpass
import os
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from loket.policy.document import PolicyError, load_policy
from loket.policy.models import PolicyVersion
from loket.policy.operations import apply_policy

READ_ONLY_ACTIONS = frozenset({"check", "show"})


class Command(BaseCommand):
    help = "Check, apply or show the support policy (see docs/policy-file.md)."

    def execute(self, *args: Any, **options: Any) -> str | None:
        # The checks import every URL module and view: about a second on these machines.
        if options.get("action") in READ_ONLY_ACTIONS:
            options["skip_checks"] = True
        return super().execute(*args, **options)

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        check = actions.add_parser("check", help="validate a file; nothing is changed")
        check.add_argument("file", nargs="?", default=settings.LOKET_POLICY_FILE)
        apply = actions.add_parser("apply", help="make a file the active version")
        apply.add_argument("file", nargs="?", default=settings.LOKET_POLICY_FILE)
        show = actions.add_parser("show", help="print the active version's file")
        show.add_argument("--version", type=int, help="another version's number")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        match action:
            case "check":
                self.check_file(Path(options["file"]))
            case "apply":
                self.apply_file(Path(options["file"]))
            case "show":
                self.show(options.get("version"))

    def read(self, path: Path) -> str:
        try:
            return path.read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from error
        except UnicodeDecodeError as error:
            raise CommandError(
                f"{path} is not UTF-8 text (byte {error.start}): save it as UTF-8 and try again"
            ) from None

    def check_file(self, path: Path) -> None:
        self.read(path)
        try:
            document = load_policy(path)
        except PolicyError as error:
            raise CommandError(self.refusal(path, error)) from error
        self.stdout.write(
            f"{path}: valid - {len(document.categories)} categories, "
            f"{len(document.evidence)} evidence items, {len(document.escalation)} escalation levels"
        )

    def apply_file(self, path: Path) -> None:
        source = self.read(path)
        who = os.environ.get("LOKET_OPERATOR") or getpass.getuser()
        try:
            applied = apply_policy(
                source=source, filename=str(path), applied_by=who, now=timezone.now()
            )
        except PolicyError as error:
            raise CommandError(self.refusal(path, error)) from error
        if not applied.changed:
            self.stdout.write(f"{path} is already the active policy (v{applied.version.number}).")
            return
        self.stdout.write(f"Applied {path} as policy v{applied.version.number}.")
        if applied.version.number > 1:
            self.stdout.write(f"Changes against v{applied.version.number - 1}:")
            for line in applied.diff:
                self.stdout.write(f"  {line}")

    def show(self, number: int | None) -> None:
        versions = PolicyVersion.objects.order_by("-number")
        version = versions.filter(number=number).first() if number else versions.first()
        if version is None:
            raise CommandError("no such policy version" if number else "no policy applied yet")
        self.stdout.write(
            f"# policy v{version.number}, applied {version.applied_at:%Y-%m-%d %H:%M} UTC "
            f"by {version.applied_by} from {version.filename}\n"
        )
        self.stdout.write(version.source)

    def refusal(self, path: Path, error: PolicyError) -> str:
        count = len(error.lines)
        heading = f"{path} was refused ({count} problem{'s' if count != 1 else ''});"
        return "\n".join([f"{heading} the active policy is unchanged.", *error.lines])
