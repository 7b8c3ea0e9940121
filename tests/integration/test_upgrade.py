"""An upgrade from the previous release keeps every row and value (issue 17, part 6).

The database is taken back to the previous release's migrations, filled through that schema's
historical models (tests/previous_release.py), then migrated to the latest, as `loket manage
migrate` does after an upgrade. The same test runs on SQLite and PostgreSQL.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps as current_apps
from django.apps.registry import Apps
from django.core import mail
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from loket.inbound.models import InboundRecord
from loket.notify.delivery import deliver
from loket.notify.models import OutboxMessage, OutboxStatus
from loket.tickets.models import Attachment, Ticket
from tests.builders import NOW
from tests.previous_release import (
    OPEN_TICKET_BREACH_AT,
    PREVIOUS_RELEASE,
    RAW_MAIL,
    RESOLVED_OPENED_AT,
    UPGRADED_APPS,
    write_previous_release_data,
)

pytestmark = pytest.mark.django_db(transaction=True)  # migrations change the schema

Rows = dict[str, list[dict[str, Any]]]

# Columns added since the previous release that a migration computes from other rows rather
# than giving them their default (tickets 0007: the console queue's position), by reference.
COMPUTED_COLUMNS: dict[str, dict[str, dict[str, object]]] = {
    "tickets.Ticket": {
        # The running clock's breach is the nearest deadline; the category is high priority.
        "CAT-OLD-0001": {"queue_group": 1, "queue_at": OPEN_TICKET_BREACH_AT, "priority_rank": 1},
        # Its breached clock is stopped, so the ticket waits from when it was opened.
        "CAT-OLD-0002": {"queue_group": 2, "queue_at": RESOLVED_OPENED_AT, "priority_rank": 2},
    }
}


def migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def previous_release() -> Iterator[Apps]:
    """The schema of the previous release; the latest again afterwards, also when the test
    fails, so the tests after it find the schema they expect."""
    executor = MigrationExecutor(connection)
    executor.migrate(PREVIOUS_RELEASE)
    try:
        yield executor.loader.project_state(PREVIOUS_RELEASE).apps
    finally:
        migrate_to_latest()


@pytest.fixture
def attachment_files() -> Iterator[dict[str, bytes]]:
    files: dict[str, bytes] = {}
    yield files
    for name in files:
        default_storage.delete(name)


def columns(apps: Apps) -> dict[str, list[str]]:
    """The column attributes of every model of the upgraded apps, by model label."""
    return {
        model._meta.label: [field.attname for field in model._meta.concrete_fields]
        for app_label in UPGRADED_APPS
        for model in apps.get_app_config(app_label).get_models()
    }


def read_rows(apps: Apps, old_columns: dict[str, list[str]]) -> Rows:
    """Every row of those models, only the old columns, in primary-key order."""
    return {
        label: [
            dict(zip(names, map(plain, values), strict=True))
            for values in apps.get_model(label)._default_manager.order_by("pk").values_list(*names)
        ]
        for label, names in old_columns.items()
    }


def plain(value: object) -> object:
    # PostgreSQL returns binary columns as memoryview: bytes, so a failure prints the values.
    return bytes(value) if isinstance(value, memoryview) else value


def test_an_upgrade_keeps_every_row_and_value(
    previous_release: Apps, attachment_files: dict[str, bytes]
) -> None:
    attachment_files.update(write_previous_release_data(previous_release))
    old_columns = columns(previous_release)
    before = read_rows(previous_release, old_columns)

    migrate_to_latest()

    assert read_rows(current_apps, old_columns) == before
    for label, count in {
        "tickets.Ticket": 2,
        "tickets.Message": 4,
        "tickets.Attachment": 2,
        "tickets.Event": 4,
        "notify.OutboxMessage": 4,
        "inbound.InboundRecord": 2,
        "sla.Clock": 2,
    }.items():
        assert len(before[label]) == count, f"the fixture writes {count} {label} rows"


def test_columns_added_by_the_upgrade_hold_their_defaults_or_what_was_computed(
    previous_release: Apps, attachment_files: dict[str, bytes]
) -> None:
    attachment_files.update(write_previous_release_data(previous_release))
    old_columns = columns(previous_release)

    migrate_to_latest()

    new_columns = columns(current_apps)
    assert "requester_phone" in new_columns["tickets.Ticket"]
    assert "external_id" in new_columns["notify.OutboxMessage"]
    # Tables new since then (the search index, say) are filled by their own migrations and
    # tested with them; here, the columns new in the tables that were there.
    for label, names in new_columns.items():
        if label not in old_columns:
            continue
        computed = COMPUTED_COLUMNS.get(label, {})
        manager = current_apps.get_model(label)._default_manager
        for name in set(names) - set(old_columns[label]):
            if any(name in row for row in computed.values()):
                found = dict(manager.values_list("reference", name))
                assert found == {key: row[name] for key, row in computed.items()}, name
            else:
                field = current_apps.get_model(label)._meta.get_field(name)
                values = set(manager.values_list(name, flat=True))
                assert values <= {field.get_default()}, f"{label}.{name}"


def test_after_the_upgrade_waiting_mail_goes_out_once_and_files_read_back(
    previous_release: Apps, attachment_files: dict[str, bytes]
) -> None:
    attachment_files.update(write_previous_release_data(previous_release))

    migrate_to_latest()

    waiting = OutboxMessage.objects.get(status=OutboxStatus.PENDING, ticket__isnull=False)
    assert deliver(waiting.id, NOW) == "sent"
    for done in OutboxMessage.objects.filter(status__in=[OutboxStatus.SENT, OutboxStatus.FAILED]):
        assert deliver(done.id, NOW) == "skipped", "sent or given up, it is not sent again"
    assert [sent.subject for sent in mail.outbox] == [waiting.subject]
    assert mail.outbox[0].extra_headers["References"] == "<old-release-1@example.jp>"

    for attachment in Attachment.objects.all():
        with attachment.file.open("rb") as stored:
            assert stored.read() == attachment_files[str(attachment.file.name)]
    assert InboundRecord.objects.get(key="<old-release-1@example.jp>").raw_bytes() == RAW_MAIL
    escalated = Ticket.objects.get(reference="CAT-OLD-0001")
    assert escalated.requester_phone == ""
    assert [m.kind for m in escalated.messages.all()] == ["requester", "internal_note"]
