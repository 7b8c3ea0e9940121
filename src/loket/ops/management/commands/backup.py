"""`loket backup FILE [--files-only]` (docs/operations.md)."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from loket.ops.archive import ArchiveError
from loket.ops.backup import make_backup


class Command(BaseCommand):
    help = "Back up the database (SQLite), attachments, the active policy and the secret key."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="the archive to write (.tar.gz); must not exist")
        parser.add_argument(
            "--files-only",
            action="store_true",
            help="leave out the database (PostgreSQL: use pg_dump for it)",
        )

    def handle(self, *args: Any, file: str, files_only: bool, **options: Any) -> None:
        try:
            manifest = make_backup(Path(file), files_only=files_only, now=timezone.now())
        except (ArchiveError, OSError) as error:
            raise CommandError(str(error)) from error
        members = manifest["members"]
        size = sum(member["size"] for member in members)
        self.stdout.write(f"{file}: {len(members)} files, {size} bytes, manifest with sha256")
