from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from loket.notify.models import OutboxMessage
from loket.tickets.models import EventKind, Status, Ticket
from loket.tickets.operations import record_internal_note, set_status
from loket.tickets.sniffing import IncomingFile
from tests.builders import NOW, PNG, build_ticket, fresh_link, open_portal

pytestmark = pytest.mark.django_db


def old_link_of(client: Client, ticket: Ticket) -> str:
    """Open a link without a language prefix (/portal/t/<token>/, as mailed before the
    prefixes): the ticket's page stays unprefixed too."""
    response = client.post(fresh_link(ticket, language="en").removeprefix("/en"))
    assert response.status_code == 302
    assert response["Location"].startswith("/portal/ticket/")
    return response["Location"]


def main_text(page: str) -> str:
    """The page without its per-response CSRF tokens."""
    return page[page.index("<main") : page.index("</main>")]


def test_the_link_shows_the_thread_without_internal_notes(client: Client, agent: User) -> None:
    ticket = build_ticket()
    record_internal_note(ticket=ticket, author=agent, body="Suspected fraud", now=NOW)
    page = client.get(open_portal(client, ticket)).content.decode()
    assert str(ticket.reference) in page
    assert "I paid for the Pro plan" in page
    assert "Suspected fraud" not in page


def test_a_forged_or_altered_link_shows_nothing(client: Client) -> None:
    ticket = build_ticket()
    path = fresh_link(ticket)
    altered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    for forged in (altered, "/portal/t/CAT-0000-0000/", "/en/portal/t/x:y:z/"):
        response = client.get(forged)
        assert response.status_code == 404, forged
        assert str(ticket.reference) not in response.content.decode()
    assert client.post(altered).status_code == 404
    assert not ticket.portal_links.exclude(used_at=None).exists()


def test_a_mailed_link_opens_until_its_hours_are_over(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LOKET_PORTAL_MAIL_LINK_HOURS = 72
    with time_machine.travel(NOW, tick=False):
        ticket = build_ticket()
        first, second = fresh_link(ticket), fresh_link(ticket)
    with time_machine.travel(NOW + timedelta(hours=71), tick=False):
        assert client.post(first).status_code == 302
    with time_machine.travel(NOW + timedelta(hours=73), tick=False):
        expired = Client().post(second)
        assert expired.status_code == 410
        assert "This link has expired." in expired.content.decode()


def test_the_requester_replies_with_a_file_and_the_ticket_reopens(
    client: Client, agent: User
) -> None:
    ticket = build_ticket()
    set_status(ticket=ticket, status=Status.PENDING_CUSTOMER, actor=agent, now=NOW)
    path = open_portal(client, ticket)
    upload = SimpleUploadedFile("proof.png", PNG, "image/png")

    response = client.post(path, {"body": "Here is the proof.", "attachments": [upload]})

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    reply = ticket.messages.last()
    assert reply is not None
    assert reply.body == "Here is the proof."
    assert reply.channel == "portal"
    assert reply.attachments.get().filename == "proof.png"


def test_attachments_download_as_files_and_only_from_their_own_ticket(client: Client) -> None:
    ticket = build_ticket(attachments=(IncomingFile("proof.png", "image/png", PNG),))
    other = build_ticket()
    attachment = ticket.messages.get().attachments.get()
    path = open_portal(client, ticket)

    response = client.get(f"{path}files/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG  # type: ignore[attr-defined]
    other_path = open_portal(client, other)
    assert client.get(f"{other_path}files/{attachment.pk}/").status_code == 404
    # A browser that never opened a link to the ticket gets no file, only the way to a link.
    stranger = Client().get(f"{path}files/{attachment.pk}/")
    assert stranger.status_code == 403
    assert not hasattr(stranger, "streaming_content")


def test_a_closed_ticket_takes_no_more_replies(client: Client, agent: User) -> None:
    ticket = build_ticket()
    set_status(ticket=ticket, status=Status.CLOSED, actor=agent, now=NOW)
    response = client.post(
        old_link_of(client, ticket), {"body": "Hello?"}, headers={"accept-language": "en"}
    )
    assert response.status_code == 400
    assert "This request is closed. Please send us a new request." in response.content.decode()
    assert ticket.messages.count() == 1


def test_an_empty_reply_gets_an_error_in_the_requesters_language(client: Client) -> None:
    ticket = build_ticket(language="ja")
    page = old_link_of(client, ticket)
    response = client.post(page, {"body": ""}, headers={"accept-language": "en"})
    assert response.status_code == 400
    assert 'lang="ja"' in response.content.decode(), "the stored language beats the browser's"
    assert "このフィールドは必須です。" in response.content.decode()


def test_a_language_chosen_on_purpose_beats_the_stored_one(client: Client) -> None:
    ticket = build_ticket(language="ja")
    client.cookies["django_language"] = "id"
    page = client.get(old_link_of(client, ticket)).content.decode()
    assert 'lang="id"' in page
    assert "Kirim balasan" in page


def test_asking_for_a_new_link_answers_the_same_whether_or_not_it_matches(
    client: Client,
) -> None:
    ticket = build_ticket()
    reference = str(ticket.reference)
    answers = [
        client.post("/portal/new-link/", {"reference": ref, "email": email})
        for ref, email in [
            (reference.lower().replace("-", ""), "SITI@example.co.id"),
            (reference, "someone.else@example.com"),
            ("CAT-0000-0000", "siti@example.co.id"),
        ]
    ]
    assert {answer.status_code for answer in answers} == {200}
    assert len({main_text(answer.content.decode()) for answer in answers}) == 1
    links = OutboxMessage.objects.filter(kind="portal_link")
    assert links.count() == 1
    assert links.get().to_address == "siti@example.co.id"
    assert ticket.events.filter(kind=EventKind.PORTAL_LINK_SENT).count() == 1


def test_new_links_are_capped_per_ticket_with_the_same_answer(client: Client) -> None:
    ticket = build_ticket()
    form = {"reference": str(ticket.reference), "email": "siti@example.co.id"}
    answers = [client.post("/portal/new-link/", form) for _ in range(6)]
    assert {answer.status_code for answer in answers} == {200}
    assert len({main_text(answer.content.decode()) for answer in answers}) == 1
    assert OutboxMessage.objects.filter(kind="portal_link").count() == 3


def test_a_flood_of_replies_through_one_link_is_stopped_and_nothing_typed_is_lost(
    client: Client, settings: object
) -> None:
    settings.LOKET_LIMIT_PORTAL_REPLIES_PER_TICKET = 2  # type: ignore[attr-defined]
    ticket = build_ticket()
    page = open_portal(client, ticket)
    for n in range(2):
        assert client.post(page, {"body": f"Reply {n}"}).status_code == 302
    refused = client.post(page, {"body": "Third reply, kept in the box"})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    page = refused.content.decode()
    assert "Third reply, kept in the box" in page
    assert ticket.messages.count() == 3  # the opening message and two replies
