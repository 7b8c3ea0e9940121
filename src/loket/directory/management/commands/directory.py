"""`loket directory import accounts|invoices|refunds|storefronts FILE.csv`."""

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from loket.directory.imports import TABLES, ImportRefused, import_table


class Command(BaseCommand):
    help = "The directory: import accounts, invoices, refunds or storefronts from CSV."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        importing = actions.add_parser(
            "import",
            help="import a CSV file, all lines or none",
            epilog="; ".join(f"{name}: {', '.join(t.columns)}" for name, t in TABLES.items()),
        )
        importing.add_argument("table", choices=list(TABLES))
        importing.add_argument("file", type=Path, help="a UTF-8 CSV file with a header line")

    def handle(self, *args: Any, table: str, file: Path, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"no such file: {file}")
        self.table = table
        try:
            count = import_table(table, file.read_text(encoding="utf-8-sig"), self.progress)
        except ImportRefused as refused:
            raise CommandError(f"nothing imported; fix these lines:\n{refused}") from None
        except UnicodeDecodeError as error:
            raise CommandError(f"{file} is not UTF-8 text: {error}") from None
        sys.stderr.write("\n")
        self.stdout.write(f"imported {count} {table} line(s) from {file}")

    def progress(self, count: int) -> None:
        if count % 100 == 0:
            sys.stderr.write(f"\r{count} {self.table}...")
