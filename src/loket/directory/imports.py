"""CSV imports into the directory: every line checked first, then all applied in one
transaction, or nothing when any line is wrong (each wrong line is named)."""

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from loket.directory.models import Storefront

STOREFRONT_COLUMNS = (
    "slug", "domain", "seller_name", "contact_email", "contact_whatsapp", "contact_phone",
    "order_reference_pattern",
)  # fmt: skip
REQUIRED = ("slug", "seller_name")


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


def read_rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [column for column in REQUIRED if column not in (reader.fieldnames or [])]
    if missing:
        raise ImportRefused([LineError(1, f"missing column(s): {', '.join(missing)}")])
    for row in reader:
        yield reader.line_num, {key: (value or "").strip() for key, value in row.items() if key}


def checked_storefront(line: int, row: dict[str, str]) -> tuple[Storefront | None, list[LineError]]:
    values = {column: row.get(column, "") for column in STOREFRONT_COLUMNS}
    store = Storefront(**values)
    try:
        store.full_clean(validate_unique=False)
    except ValidationError as error:
        return None, [
            LineError(line, f"{field}: {' '.join(messages)}")
            for field, messages in error.message_dict.items()
        ]
    return store, []


def import_storefronts(text: str, progress: Callable[[int], None] = lambda count: None) -> int:
    """Create or update every storefront of the CSV; returns how many lines were applied."""
    stores: list[Storefront] = []
    errors: list[LineError] = []
    seen: dict[str, int] = {}
    for line, row in read_rows(text):
        store, problems = checked_storefront(line, row)
        if store is not None and store.slug in seen:
            problems = [LineError(line, f"slug {store.slug} repeats line {seen[store.slug]}")]
        errors += problems
        if store is not None and not problems:
            seen[store.slug] = line
            stores.append(store)
    if errors:
        raise ImportRefused(errors)
    with transaction.atomic():
        for count, store in enumerate(stores, start=1):
            fields = {column: getattr(store, column) for column in STOREFRONT_COLUMNS[1:]}
            Storefront.objects.update_or_create(slug=store.slug, defaults=fields)
            progress(count)
    return len(stores)
