"""How much a requester may upload (issue 14): per ticket, a number of files and their bytes
in all; per client (an address on the form and the portal, the sender on e-mail and WhatsApp),
bytes an hour. The per-ticket count is made with the ticket locked, so two replies at once
cannot both take the last place; the per-client bytes are counted in the cache like the rate
limits (loket.limits)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.db.models import Count, Sum
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from loket.limits import give_back, take_allowance
from loket.tickets.models import Attachment, MessageKind, Ticket
from loket.tickets.sniffing import IncomingFile

CLIENT_WINDOW_SECONDS = 3600

type Quota = Literal["ticket", "client"]


@dataclass(frozen=True)
class LeftOut:
    file: IncomingFile
    quota: Quota


@dataclass(frozen=True)
class Admitted:
    kept: tuple[IncomingFile, ...]
    left_out: tuple[LeftOut, ...] = ()
    # Seconds until the client's hour ends, when its allowance left a file out.
    retry_after: int | None = None

    def over(self, quota: Quota) -> bool:
        return any(item.quota == quota for item in self.left_out)


class OverQuota(Exception):
    """A form's files go past a quota: nothing of the submission is stored."""

    def __init__(self, admitted: Admitted) -> None:
        super().__init__(", ".join(item.file.filename for item in admitted.left_out))
        self.admitted = admitted


def admit_files(
    files: Sequence[IncomingFile], *, ticket: Ticket | None, client: str, all_or_nothing: bool
) -> Admitted:
    """The files that fit both quotas, in order, and those left out. `all_or_nothing` (a form,
    refused whole): when any is left out, the others' bytes are not counted either."""
    if not files:
        return Admitted(())
    count, size = requester_files(ticket) if ticket is not None else (0, 0)
    kept: list[IncomingFile] = []
    left_out: list[LeftOut] = []
    retry_after = None
    for file in files:
        if not fits_ticket(count + 1, size + len(file.content)):
            left_out.append(LeftOut(file, "ticket"))
            continue
        wait = take_allowance(
            "upload-bytes", client, len(file.content),
            limit=settings.LOKET_UPLOAD_BYTES_PER_CLIENT_PER_HOUR, seconds=CLIENT_WINDOW_SECONDS,
        )  # fmt: skip
        if wait is not None:
            left_out.append(LeftOut(file, "client"))
            retry_after = wait
            continue
        kept.append(file)
        count, size = count + 1, size + len(file.content)
    if all_or_nothing and left_out:
        taken = sum(len(file.content) for file in kept)
        give_back("upload-bytes", client, taken, seconds=CLIENT_WINDOW_SECONDS)
    return Admitted(tuple(kept), tuple(left_out), retry_after)


def fits_ticket(count: int, size: int) -> bool:
    most_files = settings.LOKET_ATTACHMENTS_PER_TICKET
    most_bytes = settings.LOKET_ATTACHMENT_BYTES_PER_TICKET
    return (most_files <= 0 or count <= most_files) and (most_bytes <= 0 or size <= most_bytes)


def requester_files(ticket: Ticket) -> tuple[int, int]:
    """How many files the requester has put on the ticket, and their bytes, with the ticket
    locked until the caller's transaction ends. Agents' files do not count: the quota is on
    what strangers can make Loket store."""
    Ticket.objects.select_for_update().filter(pk=ticket.pk).values_list("pk").first()
    totals = Attachment.objects.filter(
        message__ticket=ticket, message__kind=MessageKind.REQUESTER
    ).aggregate(count=Count("id"), size=Sum("size"))
    return int(totals["count"] or 0), int(totals["size"] or 0)


def ticket_quota_text() -> str:
    """The per-ticket quota in words, in the active language."""
    return _("%(count)d files, %(size)s in all") % {
        "count": settings.LOKET_ATTACHMENTS_PER_TICKET,
        "size": filesizeformat(settings.LOKET_ATTACHMENT_BYTES_PER_TICKET),
    }


def client_quota_text() -> str:
    return filesizeformat(settings.LOKET_UPLOAD_BYTES_PER_CLIENT_PER_HOUR)


def left_out_note(admitted: Admitted) -> str:
    """For a message that is kept without some of its files (e-mail, WhatsApp): one line a
    file, in the active language, added to its text for the agent and the requester."""
    lines = []
    for item in admitted.left_out:
        values = {"name": item.file.filename, "size": filesizeformat(len(item.file.content))}
        if item.quota == "ticket":
            values["quota"] = ticket_quota_text()
            text = _(
                "[%(name)s (%(size)s) was not kept: this request already holds as many files "
                "as we keep for one request (%(quota)s).]"
            )
        else:
            values["quota"] = client_quota_text()
            text = _(
                "[%(name)s (%(size)s) was not kept: it is more than we take from one sender "
                "in an hour (%(quota)s). Please send it again later.]"
            )
        lines.append(text % values)
    return "\n".join(lines)
