"""A case lived through the web over several business days, with the clock travelling."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from loket.notify.models import OutboxMessage
from loket.sla.sweep import sweep
from loket.tickets.models import Ticket
from tests.builders import open_link_in

pytestmark = pytest.mark.django_db
WIB = ZoneInfo("Asia/Jakarta")


def at(text: str) -> time_machine.travel:
    return time_machine.travel(datetime.fromisoformat(text).replace(tzinfo=WIB), tick=False)


def test_an_access_case_pauses_while_waiting_and_breaches_on_the_business_deadline(
    client: Client, agent: User
) -> None:
    form = {
        "name": "Siti", "email": "siti@example.co.id", "category": "access",
        "subject": "Toko belum aktif",
        # Everything S8 asks of an access case, so the ticket does not wait from the start.
        "description": "Sudah bayar INV-2026-0412, lalu toko belum aktif.",
    }  # fmt: skip
    with at("2026-11-23 09:00"):  # Monday
        client.post("/support/contact/", form, headers={"accept-language": "en"})
    ticket = Ticket.objects.get()

    with at("2026-11-23 11:00"):
        client.force_login(agent)
        client.post(
            f"/console/t/{ticket.reference}/reply/",
            {"body": "Which plan?", "status_after": "pending_customer"},
        )
        client.logout()  # which ends this browser's portal access too: the requester's link
        portal = open_link_in(client, OutboxMessage.objects.get(kind="acknowledgement").body)
        page = client.get(portal, headers={"accept-language": "en"}).content.decode()
        assert "Paused while we wait for your reply" in page

    with at("2026-11-25 10:00"):  # Wednesday: two days of waiting do not count
        # The page opened on Monday has closed since; the agent's mail has a link of its own.
        assert client.get(portal).status_code == 403
        portal = open_link_in(client, OutboxMessage.objects.get(kind="public_reply").body)
        client.post(portal, {"body": "Paket Pro"})
        page = client.get(portal).content.decode()
        # 18 business hours, 2 spent on Monday: 8 on Wednesday and 8 more on Thursday.
        assert 'datetime="2026-11-26T17:00:00+07:00"' in page

    with at("2026-11-26 16:59"):
        assert sweep(timezone.now()).breaches == []
    with at("2026-11-26 17:00"):
        assert sweep(timezone.now()).breaches == [(ticket.reference, "resolution")]
        client.force_login(agent)
        queue = client.get("/console/", headers={"accept-language": "en"}).content.decode()
        assert 'class="badge sla-breached"' in queue
        page = client.get(f"/console/t/{ticket.reference}/").content.decode()
        row = page[page.index('data-clock="resolution"') :]
        assert row[: row.index("</tr>")].endswith('<td class="time-left">0:00</td>')
