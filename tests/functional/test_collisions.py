"""Collision detection (issue 12, part 4): a reply written before a newer message arrived is not
sent blindly, and the ticket page learns which colleagues are viewing or typing."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.test import Client

from loket.notify.models import OutboxMessage
from loket.tickets.operations import record_requester_reply
from tests.builders import NOW, build_ticket

pytestmark = pytest.mark.django_db


def login(user: User) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(user)
    return client


@pytest.fixture
def colleague() -> User:
    user = User.objects.create_user("wulan", "wulan@catalo.id", "x", first_name="Wulan")
    user.groups.add(Group.objects.get_or_create(name="agents")[0])
    return user


def seen_on(page: str) -> str:
    found = re.search(r'name="seen_message" value="(\d+)"', page)
    assert found is not None
    return found.group(1)


def test_a_reply_written_before_a_newer_message_asks_first(agent: User) -> None:
    ticket = build_ticket()
    client = login(agent)
    seen = seen_on(client.get(f"/console/t/{ticket.reference}/").content.decode())
    record_requester_reply(ticket=ticket, body="Never mind, it works now!", channel="web", now=NOW)

    url = f"/console/t/{ticket.reference}/reply/"
    held = client.post(url, {"body": "Let me check your store.", "seen_message": seen})
    assert held.status_code == 409
    page = held.content.decode()
    assert "1 newer message(s) arrived" in page
    assert 'type="checkbox" name="send_anyway"' in page
    assert "Let me check your store." in page  # what the agent typed is kept
    assert not OutboxMessage.objects.filter(kind="public_reply").exists()

    sent = client.post(url, {"body": "Glad it works!", "seen_message": seen, "send_anyway": "on"})
    assert sent.status_code == 302
    assert OutboxMessage.objects.filter(kind="public_reply").count() == 1


def test_a_reply_on_an_unchanged_ticket_is_sent_at_once(agent: User) -> None:
    ticket = build_ticket()
    client = login(agent)
    seen = seen_on(client.get(f"/console/t/{ticket.reference}/").content.decode())
    answer = client.post(
        f"/console/t/{ticket.reference}/reply/", {"body": "On it.", "seen_message": seen}
    )
    assert answer.status_code == 302


def test_colleagues_viewing_and_typing_are_reported(agent: User, colleague: User) -> None:
    ticket = build_ticket()
    url = f"/console/t/{ticket.reference}/presence/"
    mine, theirs = login(agent), login(colleague)
    with time_machine.travel(NOW, tick=False):
        assert theirs.post(url, {"typing": "1"}).json()["others"] == []
        assert mine.post(url, {"typing": "0"}).json()["others"] == [
            {"name": "Wulan", "typing": True}
        ]
    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        assert mine.post(url, {"typing": "0"}).json()["others"] == []  # Wulan has gone


def test_only_agents_report_presence(client: Client) -> None:
    ticket = build_ticket()
    client.force_login(User.objects.create_user("buyer", password="x"))
    assert client.post(f"/console/t/{ticket.reference}/presence/").status_code == 404
