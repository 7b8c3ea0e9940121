"""CSV imports into the directory: every line checked first, then all applied in one
transaction, or nothing when any line is wrong (each wrong line is named).

Accounts before invoices, invoices before refunds: a line may name an account or invoice that
is on file already or that an earlier line of the same file creates."""

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction

from loket.directory.models import Account, Invoice, Refund, Storefront


@dataclass(frozen=True)
class LineError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class ImportRefused(ValueError):
    def __init__(self, errors: list[LineError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


@dataclass(frozen=True)
class Table:
    """A CSV file's shape: its columns, the key that identifies a row, and the column that
    names a parent row (`account_id` of an invoice) with the model and field it points at."""

    model: type[models.Model]
    columns: tuple[str, ...]
    required: tuple[str, ...]
    parent: tuple[str, str, type[models.Model], str] | None = None  # column, field, model, key

    @property
    def key(self) -> str:
        return self.columns[0]

    @property
    def parent_column(self) -> str:
        return self.parent[0] if self.parent else ""


TABLES = {
    "storefronts": Table(
        Storefront,
        ("slug", "domain", "seller_name", "contact_email", "contact_whatsapp", "contact_phone",
         "order_reference_pattern"),
        ("slug", "seller_name"),
    ),
    "accounts": Table(
        Account, ("account_id", "email", "name", "plan", "status"), ("account_id", "email", "plan")
    ),
    "invoices": Table(
        Invoice,
        ("number", "account_id", "amount", "currency", "charged_on", "plan", "payment_method",
         "status"),
        ("number", "account_id", "amount", "charged_on", "payment_method"),
        parent=("account_id", "account", Account, "account_id"),
    ),
    "refunds": Table(
        Refund, ("reference", "invoice_number", "amount", "refunded_on", "status"),
        ("reference", "invoice_number", "amount", "refunded_on"),
        parent=("invoice_number", "invoice", Invoice, "number"),
    ),
}  # fmt: skip
STOREFRONT_COLUMNS = TABLES["storefronts"].columns


def read_rows(text: str, table: Table) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [column for column in table.required if column not in (reader.fieldnames or [])]
    if missing:
        raise ImportRefused([LineError(1, f"missing column(s): {', '.join(missing)}")])
    for row in reader:
        yield reader.line_num, {key: (value or "").strip() for key, value in row.items() if key}


def import_table(name: str, text: str, progress: Callable[[int], None] = lambda count: None) -> int:
    """Create or update every row of the CSV; returns how many lines were applied."""
    table = TABLES[name]
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[LineError] = []
    seen: dict[str, int] = {}
    for line, row in read_rows(text, table):
        key = row.get(table.key, "")
        if not key:
            errors.append(LineError(line, f"{table.key}: required"))
        elif key in seen:
            errors.append(LineError(line, f"{table.key} {key} repeats line {seen[key]}"))
        seen.setdefault(key, line)
        rows.append((line, row))
    if errors:
        raise ImportRefused(errors)
    with transaction.atomic():
        for count, (line, row) in enumerate(rows, start=1):
            errors += save_row(table, line, row)
            progress(count)
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ImportRefused(errors)
    return len(rows)


def save_row(table: Table, line: int, row: dict[str, str]) -> list[LineError]:
    """Check one row against the model and save it (inside the import's transaction, so an
    earlier line's account is there for a later line's invoice)."""
    values: dict[str, object] = {
        column: row.get(column, "") for column in table.columns if column != table.parent_column
    }
    values = {column: value for column, value in values.items() if value != "" or
              column not in DEFAULTED}  # fmt: skip
    if table.parent is not None:
        column, field, model, key = table.parent
        parent = model._default_manager.filter(**{key: row[column]}).first()
        if parent is None:
            return [LineError(line, f"{column}: {row[column]} is not on file")]
        values[field] = parent
    existing = table.model._default_manager.filter(**{table.key: row[table.key]}).first()
    instance = existing or table.model()
    for field, value in values.items():
        setattr(instance, field, value)
    try:
        instance.full_clean(validate_unique=False)
    except ValidationError as error:
        return [
            LineError(line, f"{field}: {' '.join(messages)}")
            for field, messages in error.message_dict.items()
        ]
    instance.save()
    return []


# Columns with a model default (status, currency): an empty cell means the default.
DEFAULTED = frozenset({"status", "currency"})
