"""`loket sla sweep` and `loket sla preview`.

`preview` only reads, and answers at once (issue 13): it skips Django's system checks, and the
sweep's modules (tickets, escalation, notifications) are imported only for `sweep`.
"""

import json
from argparse import ArgumentParser
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from loket.policy.queries import NoActivePolicy, active_policy, calendar_of
from loket.sla.preview import preview


def instant(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise CommandError(
            f"{text!r} is not an ISO 8601 instant such as 2026-11-23T09:00+07:00"
        ) from error
    if moment.tzinfo is None:
        raise CommandError(f"{text!r} has no UTC offset; write e.g. 2026-11-23T09:00+07:00")
    return moment.astimezone(UTC)


class Command(BaseCommand):
    help = "SLA clocks: run the sweep, or preview the deadlines of a category."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        run = actions.add_parser("sweep", help="record due warnings and breaches once each")
        run.add_argument("--now", help="ISO 8601 instant to sweep as of (default: now)")
        run.add_argument("--dry-run", action="store_true", help="report, change nothing")
        run.add_argument("--batch", type=int, help="clocks per transaction")
        show = actions.add_parser("preview", help="deadlines a ticket received then would get")
        show.add_argument("--category", required=True)
        show.add_argument("--received", required=True, help="ISO 8601 with UTC offset")

    def execute(self, *args: Any, **options: Any) -> str | None:
        # The checks import every URL module and view: about a second on these machines, for
        # a command that reads one row. `sweep` changes data and is still checked first.
        if options.get("action") == "preview":
            options["skip_checks"] = True
        return super().execute(*args, **options)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "sweep":
            # Imported here: `preview` does not need the tickets, escalation and mail modules.
            from loket.sla.sweep import BATCH, sweep

            now = instant(options["now"]) if options["now"] else timezone.now()
            batch = BATCH if options["batch"] is None else options["batch"]
            report = sweep(now, dry_run=options["dry_run"], batch=batch)
            self.stdout.write(
                json.dumps(
                    {"now": now.isoformat(), "dry_run": options["dry_run"], **report.as_dict()}
                )
            )
            return
        try:
            policy = active_policy()
        except NoActivePolicy as error:
            raise CommandError(str(error)) from error
        try:
            deadlines = preview(
                policy.document,
                calendar_of(policy.version),
                options["category"],
                instant(options["received"]),
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            json.dumps(deadlines.as_json(policy.document.hours.time_zone), ensure_ascii=False)
        )
