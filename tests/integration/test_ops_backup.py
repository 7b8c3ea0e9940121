"""`loket backup` and `loket restore` as an operator runs them: a copy taken while the desk
works, restored into an empty directory, holds every ticket, message, event and file byte."""

import io
import json
import sqlite3
import tarfile
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from loket.cli import main as loket
from loket.tickets.models import Attachment
from loket.tickets.operations import record_internal_note, record_public_reply
from loket.tickets.sniffing import IncomingFile
from tests.builders import NOW, PDF, PNG, build_ticket

pytestmark = pytest.mark.django_db(transaction=True)
TABLES = ("tickets_ticket", "tickets_message", "tickets_attachment", "tickets_event")


def rows(database: Path, table: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as opened:
        return opened.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()  # noqa: S608


def live_database() -> Path:
    return Path(connection.settings_dict["NAME"])


def assert_same_files(restored: Path) -> None:
    names = list(Attachment.objects.values_list("file", flat=True))
    assert len(names) == 6
    for name in names:
        with default_storage.open(name) as original:
            assert (restored / "attachments" / name).read_bytes() == original.read()


@pytest.fixture
def busy_desk(agent: User) -> list[str]:
    """Tickets with files on both sides, replies, notes and status changes."""
    references = []
    for index in range(3):
        ticket = build_ticket(
            email=f"requester{index}@example.co.id",
            attachments=(IncomingFile(f"proof-{index}.png", "image/png", PNG + bytes([index])),),
            now=NOW + timedelta(minutes=index),
        )
        record_public_reply(
            ticket=ticket,
            author=agent,
            body="Please send the invoice.",
            attachments=(IncomingFile("guide.pdf", "application/pdf", PDF),),
            status_after="pending_customer",
            now=NOW + timedelta(hours=1),
        )
        record_internal_note(ticket=ticket, author=agent, body="Checked", now=NOW)
        references.append(str(ticket.reference))
    return references


def full_backup(path: Path) -> bool:
    """A full archive where the database is SQLite (True). On PostgreSQL the command refuses,
    pointing to pg_dump, and writes nothing - checked here (False): each test then has
    nothing more to check of a database archive that PostgreSQL never makes."""
    if connection.vendor == "sqlite":
        call_command("backup", str(path))
        return True
    with pytest.raises(CommandError, match="pg_dump"):
        call_command("backup", str(path))
    assert not path.exists()
    return False


def test_a_restored_backup_holds_every_ticket_message_event_and_file_byte(
    busy_desk: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = tmp_path / "desk.tar.gz"
    if not full_backup(archive):
        return
    assert oct(archive.stat().st_mode & 0o777) == "0o600"  # it holds the database and key

    restored = tmp_path / "restored-var"
    assert loket(["restore", str(archive), "--var-dir", str(restored)]) == 0
    assert f"into {restored}" in capsys.readouterr().out

    database = restored / "loket.sqlite3"
    for table in TABLES:
        assert rows(database, table) == rows(live_database(), table), table
    assert len(rows(database, "tickets_attachment")) == 6
    assert_same_files(restored)
    assert (restored / "policy" / "catalo-id.toml").read_text(encoding="utf-8").startswith("#")
    with sqlite3.connect(database) as opened:
        assert opened.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_the_manifest_lists_every_member_and_the_latest_migration_of_each_app(
    busy_desk: list[str], tmp_path: Path
) -> None:
    archive = tmp_path / "desk.tar.gz"
    if not full_backup(archive):
        return
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest_file = tar.extractfile("manifest.json")
        assert manifest_file is not None
        manifest = json.load(manifest_file)
    assert {member["name"] for member in manifest["members"]} == names - {"manifest.json"}
    assert "loket.sqlite3" in names
    assert all(len(member["sha256"]) == 64 for member in manifest["members"])
    assert manifest["migrations"]["ops"] == "0001_worker_heartbeat"
    assert set(manifest["migrations"]) >= {"tickets", "sla", "notify", "inbound", "policy"}


def test_a_backup_taken_under_write_load_has_every_ticket_committed_before_it_began(
    tmp_path: Path,
) -> None:
    committed: list[str] = []
    failures: list[BaseException] = []
    stop = threading.Event()

    def writer() -> None:
        try:
            while not stop.is_set():
                committed.append(str(build_ticket(body="Order 7781 was charged twice").reference))
        except BaseException as error:  # the test reports it, whatever it is
            failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(committed) < 20 and thread.is_alive():
            stop.wait(0.05)
        before = list(committed)
        made = full_backup(tmp_path / "busy.tar.gz")
    finally:
        stop.set()
        thread.join(60)
    assert failures == []
    assert len(before) >= 20
    if not made:
        return

    restored = tmp_path / "var"
    assert loket(["restore", str(tmp_path / "busy.tar.gz"), "--var-dir", str(restored)]) == 0
    in_backup = {
        reference for (_id, reference, *_rest) in rows(restored / "loket.sqlite3", "tickets_ticket")
    }
    assert set(before) <= in_backup


def test_files_only_backs_up_attachments_and_the_policy_without_the_database(
    busy_desk: list[str], tmp_path: Path
) -> None:
    archive = tmp_path / "files.tar.gz"
    call_command("backup", str(archive), "--files-only")
    restored = tmp_path / "var"
    assert loket(["restore", str(archive), "--var-dir", str(restored)]) == 0
    assert not (restored / "loket.sqlite3").exists()
    assert_same_files(restored)


@pytest.fixture
def archive(tmp_path: Path, busy_desk: list[str]) -> Path:
    path = tmp_path / "good.tar.gz"
    call_command("backup", str(path), "--files-only")
    return path


def rewritten(source: Path, destination: Path, change: dict[str, bytes | None]) -> Path:
    """A copy of an archive with some members replaced (bytes) or left out (None)."""
    with tarfile.open(source) as tar:
        members = [(info, tar.extractfile(info)) for info in tar.getmembers()]
        contents = [(info, stream.read() if stream else b"") for info, stream in members]
    with tarfile.open(destination, "w:gz") as tar:
        for info, content in contents:
            replaced = change.get(info.name, content)
            if replaced is None:
                continue
            info.size = len(replaced)
            tar.addfile(info, io.BytesIO(replaced))
    return destination


def refused(archive: Path, target: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert loket(["restore", str(archive), "--var-dir", str(target)]) == 1
    output = capsys.readouterr()
    assert output.out == ""
    (sentence,) = output.err.splitlines()
    assert sentence.startswith("loket restore: ")
    assert "Traceback" not in output.err
    return sentence


def first_attachment(archive: Path) -> str:
    with tarfile.open(archive) as tar:
        return next(name for name in tar.getnames() if name.startswith("attachments/"))


def test_restore_refuses_a_directory_that_is_not_empty(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "var"
    target.mkdir()
    (target / "loket.sqlite3").write_bytes(b"today's data")
    assert "is not empty" in refused(archive, target, capsys)
    assert [path.name for path in target.iterdir()] == ["loket.sqlite3"]
    assert (target / "loket.sqlite3").read_bytes() == b"today's data"


def test_restore_refuses_an_archive_cut_short(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    assert "damaged or cut short" in refused(cut, tmp_path / "var", capsys)
    assert not (tmp_path / "var").exists()
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []


def test_restore_refuses_a_member_whose_bytes_changed(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = first_attachment(archive)
    tampered = rewritten(archive, tmp_path / "tampered.tar.gz", {name: PNG + b"tampered"})
    assert f"{name} fails its checksum" in refused(tampered, tmp_path / "var", capsys)
    assert not (tmp_path / "var").exists()


def test_restore_refuses_a_partial_archive(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = first_attachment(archive)
    partial = rewritten(archive, tmp_path / "partial.tar.gz", {name: None})
    assert f"is partial: {name} is missing" in refused(partial, tmp_path / "var", capsys)
    without_manifest = rewritten(archive, tmp_path / "nomanifest.tar.gz", {"manifest.json": None})
    assert "no readable manifest" in refused(without_manifest, tmp_path / "var", capsys)
    assert not (tmp_path / "var").exists()


def test_backup_never_overwrites_an_existing_file(archive: Path) -> None:
    before = archive.read_bytes()
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", str(archive), "--files-only")
    assert archive.read_bytes() == before
