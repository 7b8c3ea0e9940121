"""`loket directory import storefronts FILE.csv`."""

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from loket.directory.imports import STOREFRONT_COLUMNS, ImportRefused, import_storefronts


class Command(BaseCommand):
    help = "The directory: import storefronts (and later accounts, invoices) from CSV."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        importing = actions.add_parser("import", help="import a CSV file, all lines or none")
        importing.add_argument("table", choices=["storefronts"])
        importing.add_argument("file", type=Path, help=f"columns: {', '.join(STOREFRONT_COLUMNS)}")

    def handle(self, *args: Any, table: str, file: Path, **options: Any) -> None:
        if not file.exists():
            raise CommandError(f"no such file: {file}")
        try:
            count = import_storefronts(file.read_text(encoding="utf-8-sig"), self.progress)
        except ImportRefused as refused:
            raise CommandError(f"nothing imported; fix these lines:\n{refused}") from None
        except UnicodeDecodeError as error:
            raise CommandError(f"{file} is not UTF-8 text: {error}") from None
        sys.stderr.write("\n")
        self.stdout.write(f"imported {count} storefront(s) from {file}")

    def progress(self, count: int) -> None:
        if count % 100 == 0:
            sys.stderr.write(f"\r{count} storefront(s)...")
