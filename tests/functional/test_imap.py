"""The IMAP poller against a real Dovecot on loopback: new mail becomes tickets, the server's
copy is flagged only after the ticket is committed, and an ingester killed at any step and
run again leaves exactly one ticket and one acknowledgement per message."""

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from imapclient import IMAPClient

from loket.mail.imap import TAKEN, poll_all
from loket.mail.models import Mailbox
from loket.notify.models import OutboxMessage
from loket.tickets.models import Ticket
from tests.dovecot import Dovecot
from tests.functional.test_worker import shared_database_url

pytestmark = pytest.mark.django_db(transaction=True)

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "mail"


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    # Not under pytest's tmp_path: Dovecot's own processes (another user when the tests run as
    # root) must be able to walk down to its folder.
    root = Path(tempfile.mkdtemp(prefix="loket-dovecot-"))
    server = Dovecot(root)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def mailbox(dovecot: Dovecot) -> Mailbox:
    return Mailbox.objects.create(
        address="support@catalo.id", host="127.0.0.1", port=dovecot.port, use_ssl=False,
        username=dovecot.user, password=dovecot.password,
    )  # fmt: skip


def imap(dovecot: Dovecot) -> IMAPClient:
    client = IMAPClient("127.0.0.1", port=dovecot.port, ssl=False, timeout=10)
    client.login(dovecot.user, dovecot.password)
    client.select_folder("INBOX")
    return client


def deliver(dovecot: Dovecot, *names: str) -> None:
    client = imap(dovecot)
    for name in names:
        client.append("INBOX", (CORPUS / name).read_bytes())
    client.logout()


def taken_on_server(dovecot: Dovecot) -> int:
    client = imap(dovecot)
    try:
        return len(client.search(["KEYWORD", TAKEN.decode()]))
    finally:
        client.logout()


def test_polling_turns_new_mail_into_tickets_and_flags_it_only_afterwards(
    dovecot: Dovecot, mailbox: Mailbox
) -> None:
    deliver(dovecot, "id-plain.eml", "ja-iso2022jp.eml", "mailing-list.eml")
    outcomes = sorted(result.outcome for _, _, result in poll_all())
    assert outcomes == ["created", "created", "ignored"]
    assert Ticket.objects.count() == 2
    assert {ticket.reply_address for ticket in Ticket.objects.all()} == {"support@catalo.id"}
    assert taken_on_server(dovecot) == 3
    assert poll_all() == [], "a second poll takes nothing"
    mailbox.refresh_from_db()
    assert mailbox.last_polled_at is not None
    assert mailbox.last_error == ""


def test_a_mailbox_that_cannot_be_reached_is_reported_and_the_others_still_polled(
    dovecot: Dovecot, mailbox: Mailbox
) -> None:
    broken = Mailbox.objects.create(
        address="billing@catalo.id", host="127.0.0.1", port=dovecot.port, use_ssl=False,
        username=dovecot.user, password="wrong",
    )  # fmt: skip
    deliver(dovecot, "en-plain.eml")
    assert [result.outcome for _, _, result in poll_all()] == ["created"]
    broken.refresh_from_db()
    assert broken.last_error


def run_poll(failpoint: str | None) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "DATABASE_URL": shared_database_url(),
        "LOKET_VAR_DIR": str(settings.VAR_DIR),
        "LOKET_MAIL": "file",
        "LOKET_FAILPOINT": failpoint or "",
    }
    return subprocess.run(
        [sys.executable, "-m", "loket.cli", "mail", "poll"],
        env=environment, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("step", ["fetched", "stored", "ticket", "outbox", "committed"])
def test_an_ingester_killed_at_any_step_and_run_again_files_each_message_once(
    dovecot: Dovecot, mailbox: Mailbox, step: str
) -> None:
    deliver(dovecot, "id-plain.eml", "en-plain.eml")
    killed = run_poll(step)
    assert killed.returncode == -9, killed.stderr[-2000:]
    again = run_poll(None)
    assert again.returncode == 0, again.stderr[-2000:]
    assert Ticket.objects.count() == 2
    assert OutboxMessage.objects.filter(kind="acknowledgement").count() == 2
    assert taken_on_server(dovecot) == 2
    assert run_poll(None).stdout == "", "nothing is left to take"
