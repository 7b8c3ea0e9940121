"""Merge a duplicate into another ticket and split a message off (issue 12, part 5)."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from loket.inbound.message import InboundMessage
from loket.inbound.pipeline import receive
from loket.notify.models import OutboxMessage
from loket.tickets.models import EventKind, Status, Ticket
from loket.tickets.operations import record_requester_reply
from loket.tickets.search import search
from loket.tickets.sniffing import kept_file
from tests.builders import NOW, PNG, build_ticket, open_portal

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(agent: User) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(agent)
    return client


def test_a_duplicate_is_merged_and_its_reference_leads_on(agent_client: Client) -> None:
    target = build_ticket(subject="Store inactive after payment", channel="email")
    duplicate = build_ticket(
        subject="Toko belum aktif", body="Sudah bayar tapi belum aktif", language="id",
        attachments=(kept_file("bukti.png", PNG),),
    )  # fmt: skip
    answer = agent_client.post(
        f"/console/t/{duplicate.reference}/merge/", {"into": str(target.reference).lower()}
    )
    assert answer.status_code == 302
    assert answer["Location"] == f"/console/t/{target.reference}/"

    duplicate.refresh_from_db()
    assert duplicate.status == Status.CLOSED
    assert duplicate.merged_into_id == target.pk
    bodies = [m.body for m in target.messages.all()]
    assert "Sudah bayar tapi belum aktif" in bodies
    assert target.messages.filter(attachments__filename="bukti.png").exists()
    assert target.events.filter(kind=EventKind.MERGED).exists()
    assert search("belum aktif").tickets == [target]

    notice = OutboxMessage.objects.get(kind="merged")
    assert notice.to_address == duplicate.requester_email
    assert str(target.reference) in notice.body
    assert "Permintaan" in notice.body or "permintaan" in notice.body  # in Indonesian

    followed = agent_client.get(f"/console/t/{duplicate.reference}/")
    assert followed["Location"] == f"/console/t/{target.reference}/"
    browser = Client()
    portal = browser.get(open_portal(browser, duplicate))
    assert portal.status_code == 200
    assert str(target.reference) in portal.content.decode()
    # No way into the survivor is handed out: no link, and this browser does not hold it.
    assert "/portal/t/" not in portal.content.decode()
    assert browser.get(f"/en/portal/ticket/{target.reference}/").status_code == 403


def test_a_reply_to_the_duplicate_reaches_the_survivor() -> None:
    target = build_ticket(channel="email")
    duplicate = build_ticket()
    from loket.tickets.merging import merge_tickets

    merge_tickets(source=duplicate, target=target, actor=None, now=NOW)
    reply = InboundMessage(
        channel="email", sender_address=target.requester_email, sender_name="Siti",
        subject=f"Re: [{duplicate.reference}] Store not active", text="Any news?",
        received_at=NOW,
    )  # fmt: skip
    outcome = receive(reply, now=NOW)
    assert outcome.outcome == "appended"
    assert outcome.ticket == target


def test_tickets_of_different_requesters_are_not_merged(agent_client: Client) -> None:
    mine = build_ticket(email="siti@example.co.id")
    theirs = build_ticket(email="budi@example.co.id")
    answer = agent_client.post(
        f"/console/t/{theirs.reference}/merge/", {"into": mine.reference}, follow=True
    )
    assert "different requesters" in answer.content.decode()
    theirs.refresh_from_db()
    assert theirs.merged_into_id is None
    assert theirs.messages.count() == 1


def test_nothing_merges_into_a_ticket_whose_link_was_shown_unproven(
    agent_client: Client,
) -> None:
    """Someone who typed another person's address into the form saw their new ticket's link:
    merging that person's real ticket into it would hand them the whole thread."""
    real = build_ticket(email="siti@example.co.id", channel="email")
    typed = build_ticket(email="siti@example.co.id")  # the contact form
    answer = agent_client.post(
        f"/console/t/{real.reference}/merge/", {"into": typed.reference}, follow=True
    )
    assert "cannot take in another" in answer.content.decode()
    real.refresh_from_db()
    assert real.merged_into_id is None
    assert (
        agent_client.post(
            f"/console/t/{typed.reference}/merge/", {"into": real.reference}
        ).status_code
        == 302
    )  # the other way round is safe
    typed.refresh_from_db()
    assert typed.merged_into_id == real.pk


def test_merging_into_itself_or_nowhere_is_refused(agent_client: Client) -> None:
    ticket = build_ticket()
    url = f"/console/t/{ticket.reference}/merge/"
    itself = agent_client.post(url, {"into": ticket.reference}, follow=True).content.decode()
    assert "cannot be merged into itself" in itself
    nowhere = agent_client.post(url, {"into": "CAT-0000-0000"}, follow=True).content.decode()
    assert "There is no ticket" in nowhere


def test_a_message_about_another_matter_is_split_off(agent_client: Client) -> None:
    ticket = build_ticket(subject="Store inactive")
    record_requester_reply(
        ticket=ticket, body="Also: I was charged twice in October.\nPlease check.",
        channel="web", now=NOW,
    )  # fmt: skip
    message = ticket.messages.order_by("-id").first()
    assert message is not None
    answer = agent_client.post(f"/console/t/{ticket.reference}/split/{message.pk}/")
    assert answer.status_code == 302
    new = Ticket.objects.exclude(pk=ticket.pk).get()
    assert answer["Location"] == f"/console/t/{new.reference}/"
    assert new.subject == "Also: I was charged twice in October."
    assert list(new.messages.values_list("pk", flat=True)) == [message.pk]
    assert ticket.messages.count() == 1
    assert ticket.events.filter(kind=EventKind.SPLIT_OFF).exists()
    ack = OutboxMessage.objects.filter(ticket=new, kind="acknowledgement").get()
    assert str(new.reference) in ack.body


def test_the_only_message_is_not_split_off(agent_client: Client) -> None:
    ticket = build_ticket()
    message = ticket.messages.get()
    answer = agent_client.post(f"/console/t/{ticket.reference}/split/{message.pk}/", follow=True)
    assert "only message cannot be split off" in answer.content.decode()
    assert Ticket.objects.count() == 1
