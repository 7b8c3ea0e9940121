from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from loket.policy.document import PolicyError, load_policy
from loket.policy.operations import apply_categories


class Command(BaseCommand):
    help = "Load the categories of a policy file (issue 3 adds versions, diffs and checks)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", nargs="?", default=settings.LOKET_POLICY_FILE)

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        try:
            document = load_policy(Path(file))
        except (OSError, PolicyError) as error:
            raise CommandError(str(error)) from error
        codes = apply_categories(document)
        self.stdout.write(f"Applied {file}: {len(codes)} categories ({', '.join(codes)})")
