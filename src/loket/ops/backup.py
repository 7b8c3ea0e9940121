"""`loket backup`: a consistent copy of a running desk.

The SQLite database is copied with SQLite's online backup API (one step, under one read
transaction: a snapshot as of its start, while writers go on in WAL mode), then the
attachments are listed. Attachments are written before the transaction that refers to them
commits and are never changed, so every file the snapshot names is already on disk.
"""

import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from loket.ops.archive import ArchiveError, Member, write_archive
from loket.policy.models import PolicyVersion

DATABASE_FILE = "loket.sqlite3"
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name


def make_backup(destination: Path, *, files_only: bool, now: datetime) -> dict[str, Any]:
    if not files_only and connection.vendor != "sqlite":
        raise ArchiveError(
            f"The database is {connection.vendor}: back it up with pg_dump "
            "(docs/operations.md) and run `loket backup --files-only` for the files."
        )
    destination = destination.resolve()
    with tempfile.TemporaryDirectory(prefix=".loket-backup-", dir=destination.parent) as work:
        members: list[Member] = []
        info: dict[str, Any] = {"created_at": now.isoformat(), "files_only": files_only}
        if files_only:
            info["migrations"] = latest_migrations(recorded_migrations())
        else:
            snapshot = Path(work) / DATABASE_FILE
            info["migrations"] = snapshot_database(Path(connection.settings_dict["NAME"]), snapshot)
            members.append(Member(DATABASE_FILE, snapshot))
        members.extend(attachment_members())
        members.extend(policy_members(Path(work)))
        members.extend(secret_key_members())
        return write_archive(destination, members, info)


def snapshot_database(live: Path, snapshot: Path) -> dict[str, str]:
    """Copy the live database; the copy is checked and is one self-contained file."""
    source = sqlite3.connect(live, timeout=20)
    copy = sqlite3.connect(snapshot)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        (verdict,) = copy.execute("PRAGMA integrity_check").fetchone()
        if verdict != "ok":
            raise ArchiveError(f"The database copy fails SQLite's integrity check: {verdict}.")
        rows = copy.execute("SELECT app, name FROM django_migrations").fetchall()
    finally:
        copy.close()
        source.close()
    return latest_migrations(rows)


def recorded_migrations() -> list[tuple[str, str]]:
    return list(MigrationRecorder(connection).applied_migrations())


def latest_migrations(applied: list[tuple[str, str]]) -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in applied:
        latest[app] = max(latest.get(app, name), name)
    return dict(sorted(latest.items()))


def attachments_folder() -> Path:
    storage = storages["default"]
    if not isinstance(storage, FileSystemStorage):
        raise ArchiveError("Attachments are not on the file system; back up their store itself.")
    return Path(storage.location)


def attachment_members() -> Iterator[Member]:
    folder = attachments_folder()
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                yield Member(f"attachments/{path.relative_to(folder).as_posix()}", path)


def policy_members(work: Path) -> Iterator[Member]:
    """The active policy as it was applied (the file may have changed since), else the file."""
    active = PolicyVersion.objects.order_by("-number").first()
    name = Path(active.filename if active and active.filename else settings.LOKET_POLICY_FILE).name
    copy = work / "policy" / name
    copy.parent.mkdir()
    if active is not None:
        copy.write_text(active.source, encoding="utf-8")
    elif Path(settings.LOKET_POLICY_FILE).is_file():
        copy.write_bytes(Path(settings.LOKET_POLICY_FILE).read_bytes())
    else:
        return
    yield Member(f"policy/{name}", copy)


def secret_key_members() -> Iterator[Member]:
    """The generated key signs the portal links already mailed; without it they stop working."""
    path = settings.VAR_DIR / SECRET_KEY_FILE
    if path.is_file():
        yield Member(SECRET_KEY_FILE, path)
