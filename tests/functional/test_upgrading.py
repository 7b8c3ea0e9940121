"""docs/upgrading.md: the command that shows whether the outbox is empty, and
`loket worker --batch`, which drains it before an upgrade."""

import shlex
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from loket.cli import build_parser
from loket.notify.models import OutboxMessage, OutboxStatus
from loket.worker import run as run_worker
from tests.builders import build_ticket

pytestmark = pytest.mark.django_db(transaction=True)  # the worker closes its connection

UPGRADING = Path(__file__).resolve().parents[2] / "docs" / "upgrading.md"


def documented_outbox_check() -> list[str]:
    """The `loket manage shell` line of the page (written the same each time it appears)."""
    lines = {
        line.strip()
        for line in UPGRADING.read_text().splitlines()
        if line.strip().startswith("loket manage shell")
    }
    assert len(lines) == 1, "every outbox check on the page is the same command"
    return shlex.split(lines.pop())[1:]


def waiting_mail(capsys: pytest.CaptureFixture[str]) -> str:
    arguments = documented_outbox_check()
    assert build_parser().parse_args(arguments).command == "manage"
    capsys.readouterr()
    call_command(*arguments[1:])
    return capsys.readouterr().out.strip()


def test_the_documented_check_counts_waiting_mail_until_the_batch_worker_sends_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    ticket = build_ticket(now=timezone.now())  # nothing else falls due in the sweep
    assert waiting_mail(capsys) == "1", "the acknowledgement waits"

    run_worker(batch=True)

    assert waiting_mail(capsys) == "0"
    assert OutboxMessage.objects.get(ticket=ticket).status == OutboxStatus.SENT
    assert len(mail.outbox) == 1
