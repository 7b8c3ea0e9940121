"""`loket mail ingest [PATH ...]`, `loket mail poll [--watch]` and `loket mail replay [ID ...]`."""

import json
import sys
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from loket.inbound.models import InboundRecord, InboundStatus
from loket.mail.imap import poll_all, wait_for_mail
from loket.mail.ingest import Ingested, ingest, messages_at
from loket.mail.models import Mailbox
from loket.mail.operations import replay_quarantined


class Command(BaseCommand):
    help = "E-mail in: ingest messages from files, folders, maildirs or stdin; replay quarantine."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        ingest_action = actions.add_parser("ingest", help="one JSON line per message")
        ingest_action.add_argument("paths", nargs="*", type=Path, help="files, folders, maildirs")
        ingest_action.add_argument(
            "--mailbox", default=None, help="the address the mail was sent to (default: ours)"
        )
        poll = actions.add_parser("poll", help="fetch new mail from the IMAP mailboxes")
        poll.add_argument(
            "--watch", action="store_true", help="keep polling (IMAP IDLE where offered)"
        )
        poll.add_argument("--interval", type=float, default=60.0, help="seconds between polls")
        replay = actions.add_parser("replay", help="process quarantined messages again")
        replay.add_argument("ids", nargs="*", type=int, help="record ids (default: all)")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "ingest":
            self.ingest(options["paths"], options["mailbox"] or settings.LOKET_MAIL_ADDRESS)
        elif action == "poll":
            self.poll(watch=options["watch"], interval=options["interval"])
        else:
            self.replay(options["ids"])

    def poll(self, *, watch: bool, interval: float) -> None:
        mailboxes = list(Mailbox.objects.filter(active=True))
        if not mailboxes:
            raise CommandError("no active mailbox: add one in the admin (Mailboxes)")
        while True:
            for mailbox, uid, result in poll_all():
                self.report(f"{mailbox.address} uid {uid}", result)
            if not watch:
                return
            if len(mailboxes) == 1:
                wait_for_mail(mailboxes[0], interval)
            else:
                time.sleep(interval)

    def ingest(self, paths: list[Path], mailbox: str) -> None:
        missing = [str(path) for path in paths if not path.exists()]
        if missing:
            raise CommandError(f"no such file or folder: {', '.join(missing)}")
        sources = messages_at(paths) if paths else [("-", sys.stdin.buffer.read())]
        for name, raw in sources:
            self.report(name, ingest(raw, mailbox=mailbox, now=timezone.now()))

    def replay(self, ids: list[int]) -> None:
        records = InboundRecord.objects.filter(status=InboundStatus.QUARANTINED)
        if ids:
            records = records.filter(pk__in=ids)
        for record in records.order_by("pk"):
            self.report(f"record {record.pk}", replay_quarantined(record, now=timezone.now()))

    def report(self, name: str, result: Ingested) -> None:
        self.stdout.write(json.dumps(result.as_json(name), ensure_ascii=False))
