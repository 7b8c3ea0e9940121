"""Ownership verification (POLICY.md S11, S13; issue 10): a one-time link to the account
e-mail on file - never to the address that wrote, never asking for a password or a code -
single use, expiring, for one ticket only, not guessable; protected actions wait for it."""

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from loket.directory.models import Account
from loket.inbound.message import InboundMessage
from loket.inbound.pipeline import receive
from loket.notify.models import OutboxMessage
from loket.tickets.models import Channel, Event, EventKind, OwnershipVerification, Ticket
from loket.tickets.roles import ensure_roles
from loket.triage.asking import asks_for_secret
from loket.worker import run as run_worker
from tests.builders import NOW
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db
ON_FILE = "siti@tokobaju.example"
PERSONAL = "siti.rahma@gmail.example"


def write_in(text: str, sender: str = PERSONAL, key: str = "v1") -> Ticket:
    outcome = receive(InboundMessage(
        channel=Channel.EMAIL, sender_address=sender, sender_name="Siti", subject="Akun",
        text=text, received_at=NOW, external_id=f"<{key}@example>",
    ), now=NOW)  # fmt: skip
    assert outcome.ticket is not None
    return outcome.ticket


@pytest.fixture
def supervisor(client: Client) -> User:
    user = User.objects.create_user("sari", "sari@catalo.id", "pw")
    user.groups.add(ensure_roles()["supervisors"])
    client.force_login(user)
    return user


def link_path() -> str:
    body = OutboxMessage.objects.filter(kind="verification_link").latest("created_at").body
    # Under the ticket's language prefix, whatever the language of the agent who sent it.
    match = re.search(r"http://[^\s/]+(/(?:ja|id|en)/portal/verify/\S+/)", body)
    assert match is not None
    return match.group(1)


def test_the_link_goes_to_the_address_on_file_and_asks_for_no_secret(
    client: Client, supervisor: User, django_capture_on_commit_callbacks: Any
) -> None:
    Account.objects.create(account_id="ACC-1001", email=ON_FILE, plan="Pro")
    ticket = write_in(f"Akun saya {ON_FILE}. Ditagih dua kali INV-2026-0412, kartu BCA.")
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        client.post(f"/console/t/{ticket.reference}/escalate/",
                    {"reason": "double charge", "from_level": 0})  # fmt: skip
    mail = OutboxMessage.objects.get(kind="verification_link")
    assert mail.to_address == ON_FILE, "the account's address, not the one that wrote"
    assert not asks_for_secret(mail.body)
    assert "tidak akan pernah meminta kata sandi" in mail.body, "in the requester's language"
    page = Client().get(link_path()).content.decode()
    assert not asks_for_secret(page)
    assert 'type="password"' not in page
    sent = Event.objects.get(ticket=ticket, kind=EventKind.VERIFICATION_SENT)
    assert sent.data["to"] == "s***@tokobaju.example"
    assert OwnershipVerification.objects.get().token_hash not in mail.body, "only the hash kept"


def test_a_link_works_once_only_for_its_ticket_and_not_after_expiry(
    client: Client, supervisor: User
) -> None:
    Account.objects.create(account_id="ACC-1001", email=ON_FILE, plan="Pro")
    ticket = write_in("Ditagih dua kali INV-2026-0412, kartu BCA.", sender=ON_FILE)
    other = write_in("Ditagih lagi INV-2026-0413, kartu BCA.", sender=ON_FILE, key="v2")
    url = f"/console/t/{ticket.reference}/verify/"
    with time_machine.travel(NOW, tick=False):
        client.post(url)
        path = link_path()
        assert Client().get(path).status_code == 200, "opening the page changes nothing"
        moved = path.replace(str(ticket.reference), str(other.reference))
        assert Client().post(moved).status_code == 400, "not for another ticket"
        assert OwnershipVerification.objects.get(ticket=ticket).status == "failed"

    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        client.post(url)  # a new link; the old one is dead
        fresh = link_path()
        assert Client().post(fresh).status_code == 200
        assert Client().post(fresh).status_code == 200, "a double click: same page, no change"
    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        assert Client().post(fresh).status_code == 400, "single use"
        assert Client().post(moved_of(fresh, other)).status_code == 400
    assert Event.objects.filter(ticket=ticket, kind=EventKind.VERIFICATION_DONE).count() == 1
    states = list(OwnershipVerification.objects.order_by("id").values_list("status", flat=True))
    assert states == ["failed", "verified"]

    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        client.post(f"/console/t/{other.reference}/verify/")
    late = link_path()
    with time_machine.travel(NOW + timedelta(hours=25), tick=False):
        assert Client().post(late).status_code == 400, "expired after 24 hours"
    assert OwnershipVerification.objects.get(ticket=other).status == "expired"


def test_guessing_is_throttled_per_address(settings: object, client: Client) -> None:
    ticket = write_in("Ditagih dua kali INV-2026-0412.", sender=ON_FILE)
    settings.LOKET_VERIFICATION_FAILURES_PER_HOUR = 5  # type: ignore[attr-defined]
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    answers = [
        guesser.post(f"/portal/verify/{ticket.reference}/guess{n}/").status_code for n in range(7)
    ]
    assert answers == [400] * 5 + [429] * 2
    assert (
        Client(REMOTE_ADDR="198.51.100.1")
        .post(f"/portal/verify/{ticket.reference}/guess/")
        .status_code
        == 400
    ), "another address is not blocked"


def test_without_an_account_on_file_the_agent_is_told_what_to_do(
    client: Client, supervisor: User
) -> None:
    ticket = write_in("Ditagih dua kali INV-2026-0412, kartu BCA.")
    refused = client.post(
        f"/console/t/{ticket.reference}/verify/", headers={"accept-language": "en"}
    )
    assert refused.status_code == 400
    page = refused.content.decode()
    assert f"No Catalo.id account on file for {PERSONAL}" in page
    assert "loket directory import" in page
    assert not OutboxMessage.objects.filter(kind="verification_link").exists()


def test_an_account_change_waits_for_verification(client: Client, supervisor: User) -> None:
    Account.objects.create(account_id="ACC-1001", email=ON_FILE, plan="Pro")
    ticket = write_in("Akun saya diretas, ada login mencurigakan. Mohon ganti email akun.",
                      sender=ON_FILE)  # fmt: skip
    assert ticket.category_id == "account_security"
    url = f"/console/t/{ticket.reference}/account-change/"
    change = {"change": "change_account_email", "note": "to siti.baru@tokobaju.example"}
    with time_machine.travel(NOW, tick=False):
        waits = client.post(url, change, headers={"accept-language": "en"})
        assert waits.status_code == 400
        assert "has not confirmed ownership" in waits.content.decode()
        client.post(f"/console/t/{ticket.reference}/verify/")
        assert Client().post(link_path()).status_code == 200
        client.post(url, change)
    recorded = Event.objects.get(ticket=ticket, kind=EventKind.ACCOUNT_CHANGED)
    assert recorded.data["change"] == "change_account_email"


def moved_of(path: str, ticket: Ticket) -> str:
    """The same token under another ticket's reference."""
    parts = path.split("/")  # ['', language, 'portal', 'verify', reference, token, '']
    parts[4] = str(ticket.reference)
    return "/".join(parts)


@pytest.mark.django_db(transaction=True)  # the worker closes its connection when done
def test_once_sent_the_outbox_keeps_no_usable_link(
    client: Client, supervisor: User, smtp_settings: SmtpServer
) -> None:
    Account.objects.create(account_id="ACC-1001", email=ON_FILE, plan="Pro")
    ticket = write_in("Ditagih dua kali INV-2026-0412, kartu BCA.", sender=ON_FILE)
    client.post(f"/console/t/{ticket.reference}/verify/")
    path = link_path()
    run_worker(batch=True)
    [delivered] = [m for m in smtp_settings.messages if m["To"] == ON_FILE and "konfirmasi" in
                   str(m["Subject"])]  # fmt: skip
    assert path in delivered.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    kept = OutboxMessage.objects.get(kind="verification_link").body
    assert path.split("/")[5] not in kept
    assert "[link removed once sent]" in kept
