"""Files wait in quarantine until a real ClamAV daemon has read them (issue 14, item 9): the
EICAR test file is found and withheld from everyone, a clean file is served once scanned, a
scanner that is down or hangs holds the files instead of letting them through, and without a
scanner configured files are served as before. clamd is Debian's, started by the test with a
database of one signature; a machine without it fails here (`make system-packages`)."""

import shutil
import socket
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tasks_db.models import DBTaskResult

from loket.ops.metrics import render
from loket.tickets.models import Attachment, Event, EventKind, ScanStatus, Ticket
from loket.tickets.quarantine import scan_pending, settle
from loket.tickets.sniffing import IncomingFile
from loket.tickets.virusscan import Verdict
from loket.worker import housekeeping_once
from tests.builders import NOW, PNG, build_ticket, open_portal
from tests.clamav import EICAR, STREAM_MAX_BYTES, Clamd

pytestmark = pytest.mark.django_db

FOUND = "Eicar-Test-Signature.UNOFFICIAL"


@pytest.fixture(scope="session")
def clamd() -> Iterator[Clamd]:
    # Not under pytest's tmp_path: a unix socket's path must stay short.
    root = Path(tempfile.mkdtemp(prefix="loket-clamd-"))
    server = Clamd(root)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def scanning(settings: Any, clamd: Clamd) -> Clamd:
    settings.LOKET_CLAMD_SOCKET = clamd.socket_path
    return clamd


def file_url(client: Client, ticket: Ticket, attachment: Attachment) -> str:
    """The file's address on the ticket's page, which `client` opens with a new link."""
    return f"{open_portal(client, ticket, language=ticket.language)}files/{attachment.pk}/"


def console_file_url(ticket: Ticket, attachment: Attachment) -> str:
    return f"/console/t/{ticket.reference}/files/{attachment.pk}/"


def ticket_with(name: str, content: bytes, content_type: str = "text/plain") -> Ticket:
    return build_ticket(attachments=(IncomingFile(name, content_type, content),))


def only_attachment(ticket: Ticket) -> Attachment:
    return Attachment.objects.get(message__ticket=ticket)


def test_eicar_through_the_portal_waits_then_nobody_can_download_it(
    client: Client, agent: User, scanning: Clamd, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = build_ticket(language="id")
    upload = SimpleUploadedFile("invoice.txt", EICAR, "text/plain")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            open_portal(client, ticket, language="id"),
            {"body": "Ini fakturnya.", "attachments": [upload]},
        )
    assert response.status_code == 302
    attachment = only_attachment(ticket)
    assert attachment.scan_status == ScanStatus.PENDING
    queued = DBTaskResult.objects.get(task_path__endswith="scan_attachments")

    waiting = client.get(file_url(client, ticket, attachment))
    assert waiting.status_code == 409
    assert "sedang diperiksa" in waiting.content.decode(), "said in the requester's language"
    agent_client = Client()
    agent_client.force_login(agent)
    assert agent_client.get(console_file_url(ticket, attachment)).status_code == 409

    # What the worker does with the queued task (a real worker closes the test's connection).
    assert queued.task.call(*queued.args_kwargs["args"]) == "infected"

    attachment.refresh_from_db()
    assert attachment.scan_status == ScanStatus.INFECTED
    assert attachment.scan_result == FOUND
    event = Event.objects.get(ticket=ticket, kind=EventKind.FILE_INFECTED)
    assert event.data["filename"] == "invoice.txt"
    assert event.data["result"] == FOUND
    for reader, url in ((client, file_url(client, ticket, attachment)),
                        (agent_client, console_file_url(ticket, attachment))):  # fmt: skip
        refused = reader.get(url)
        assert refused.status_code == 410
        assert EICAR not in refused.content
    console_page = agent_client.get(f"/console/t/{ticket.reference}/").content.decode()
    assert 'data-testid="file-infected"' in console_page
    assert FOUND in console_page, "the agent sees what was found"
    assert console_file_url(ticket, attachment) not in console_page, "and no link to it"
    portal_page = client.get(open_portal(client, ticket, language="id")).content.decode()
    assert 'data-testid="file-infected"' in portal_page
    assert FOUND not in portal_page


def test_a_clean_file_is_served_once_scanned(client: Client, scanning: Clamd) -> None:
    ticket = ticket_with("proof.png", PNG, "image/png")
    attachment = only_attachment(ticket)
    assert client.get(file_url(client, ticket, attachment)).status_code == 409

    housekeeping_once()  # the worker's pass

    attachment.refresh_from_db()
    assert attachment.scan_status == ScanStatus.CLEAN
    served = client.get(file_url(client, ticket, attachment))
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == PNG  # type: ignore[attr-defined]
    assert not Event.objects.filter(kind=EventKind.FILE_INFECTED).exists()


def test_a_scanner_that_is_down_holds_the_files_until_it_is_back(
    client: Client, settings: Any, clamd: Clamd, tmp_path: Path
) -> None:
    settings.LOKET_CLAMD_SOCKET = str(tmp_path / "nobody-listens.sock")
    ticket = ticket_with("proof.png", PNG, "image/png")
    attachment = only_attachment(ticket)

    assert scan_pending(NOW) == 0
    assert scan_pending(NOW) == 0

    attachment.refresh_from_db()
    assert attachment.scan_status == ScanStatus.PENDING
    assert client.get(file_url(client, ticket, attachment)).status_code == 409
    later = NOW + timedelta(minutes=20)
    assert "loket_files_waiting_for_scan 1.0" in render(later).decode()
    assert "loket_files_waiting_for_scan_oldest_age_seconds 1200.0" in render(later).decode()
    settings.LOKET_CLAMD_SOCKET = clamd.socket_path
    assert scan_pending(NOW) == 1
    assert client.get(file_url(client, ticket, attachment)).status_code == 200
    assert "loket_files_waiting_for_scan 0.0" in render(later).decode()


def test_a_scanner_that_never_answers_holds_the_files(settings: Any, clamd: Clamd) -> None:
    with tempfile.TemporaryDirectory(prefix="loket-hung-") as folder:
        silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        silent.bind(f"{folder}/clamd.sock")
        silent.listen()
        settings.LOKET_CLAMD_SOCKET = f"{folder}/clamd.sock"
        settings.LOKET_CLAMD_TIMEOUT_SECONDS = 0.3
        ticket = ticket_with("invoice.txt", EICAR)
        try:
            assert scan_pending(NOW) == 0
        finally:
            silent.close()
    assert only_attachment(ticket).scan_status == ScanStatus.PENDING


def test_clamd_over_tcp_finds_eicar_too(settings: Any, clamd: Clamd) -> None:
    settings.LOKET_CLAMD_SOCKET = clamd.tcp_address
    ticket = ticket_with("eicar.com.txt", EICAR)
    assert scan_pending(NOW) == 1
    assert only_attachment(ticket).scan_status == ScanStatus.INFECTED


def test_a_file_too_large_for_clamd_is_withheld_and_the_agent_told(
    client: Client, scanning: Clamd
) -> None:
    ticket = ticket_with("log.txt", b"line of a long log\n" * (STREAM_MAX_BYTES // 10))
    assert scan_pending(NOW) == 1
    attachment = only_attachment(ticket)
    assert attachment.scan_status == ScanStatus.FAILED
    assert "StreamMaxLength" in attachment.scan_result
    assert Event.objects.filter(ticket=ticket, kind=EventKind.FILE_UNSCANNABLE).exists()
    assert client.get(file_url(client, ticket, attachment)).status_code == 410


def test_two_workers_on_one_file_record_the_virus_once(scanning: Clamd) -> None:
    ticket = ticket_with("invoice.txt", EICAR)
    attachment = only_attachment(ticket)
    verdict = Verdict("infected", FOUND)
    assert settle(attachment, verdict, NOW) is True
    assert settle(attachment, verdict, NOW) is False
    assert Event.objects.filter(ticket=ticket, kind=EventKind.FILE_INFECTED).count() == 1


def test_without_a_scanner_files_are_served_at_once(client: Client, settings: Any) -> None:
    settings.LOKET_CLAMD_SOCKET = ""
    ticket = ticket_with("invoice.txt", EICAR)
    attachment = only_attachment(ticket)
    assert attachment.scan_status == ScanStatus.UNSCANNED
    assert scan_pending(NOW) == 0
    assert client.get(file_url(client, ticket, attachment)).status_code == 200
