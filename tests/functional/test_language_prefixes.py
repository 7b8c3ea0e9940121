"""Every public page under each language prefix, links that keep it, and the unprefixed
addresses (links already mailed, integrations posting to /support/contact/) as they were."""

import re

import pytest
from django.test import Client

from loket.tickets.models import Ticket
from tests.builders import build_ticket, fresh_link, open_portal
from tests.functional.test_contact_form import valid_form
from tests.functional.test_language import lang_of

pytestmark = pytest.mark.django_db

LANGUAGES = ("ja", "id", "en")


def public_paths(client: Client, ticket: Ticket) -> dict[str, int]:
    """Each public page, unprefixed, and its status: links to `ticket`, and the page of another
    ticket that the client opened (a browser holding `ticket` would skip its links' pages)."""
    used = fresh_link(ticket, language="en").removeprefix("/en")
    assert Client().post(used).status_code == 302
    held = build_ticket(language=ticket.language)
    ticket_page = open_portal(client, held, language="en").removeprefix("/en")
    return {
        "/support/": 200,
        "/support/contact/": 200,
        "/support/contact/thanks/an-unknown-link/": 200,  # thanks, without details
        "/portal/new-link/": 200,
        fresh_link(ticket, language="en").removeprefix("/en"): 200,  # its button
        used: 410,  # why it no longer works, and a new link in one click
        ticket_page: 200,
        f"/portal/verify/{ticket.reference}/some-token/": 200,
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_page_answers_under_each_prefix_in_its_language(
    client: Client, language: str
) -> None:
    ticket = build_ticket(language="id" if language != "id" else "ja")
    for path, status in public_paths(client, ticket).items():
        # A browser in another language, a ticket in another: the prefix decides.
        response = client.get(f"/{language}{path}", headers={"accept-language": "fr"})
        assert response.status_code == status, path
        assert lang_of(response.content) == language, path


@pytest.mark.parametrize("language", LANGUAGES)
def test_links_on_a_prefixed_page_keep_the_prefix(client: Client, language: str) -> None:
    ticket = build_ticket()
    for path in public_paths(client, ticket):
        html = client.get(f"/{language}{path}").content.decode()
        internal = re.findall(r'(?:href|action)="(/[^"]*)"', html)
        public = [
            link for link in internal
            if not link.startswith(("/static/", "/i18n/", "/console/"))
        ]  # fmt: skip
        assert public, path
        assert all(link.startswith(f"/{language}/") for link in public), (path, public)


def test_the_form_under_a_prefix_opens_the_ticket_in_that_language(client: Client) -> None:
    response = client.post("/ja/support/contact/", valid_form(), headers={"accept-language": "id"})
    ticket = Ticket.objects.get()
    assert ticket.language == "ja"
    assert response.status_code == 302
    assert response["Location"].startswith("/ja/support/contact/thanks/")
    thanks = client.get(response["Location"]).content.decode()
    assert str(ticket.reference) in thanks
    assert 'action="/ja/portal/t/' in thanks, "its button opens the ticket under the prefix"


def test_the_unprefixed_form_answers_as_it_always_did(client: Client) -> None:
    """bench/intake and /work/shared/bench/compare.sh post here and count only this 302."""
    assert client.get("/support/contact/", headers={"accept-language": "ja"}).status_code == 200
    response = client.post("/support/contact/", valid_form(), headers={"accept-language": "ja"})
    assert response.status_code == 302
    assert response["Location"].startswith("/support/contact/thanks/")
    assert Ticket.objects.get().language == "ja"


def test_a_portal_link_without_a_prefix_opens_pages_without_one(client: Client) -> None:
    ticket = build_ticket(language="ja")
    old_link = fresh_link(ticket, language="ja").removeprefix("/ja")
    page = client.get(old_link, headers={"accept-language": "en"})
    assert page.status_code == 200
    assert lang_of(page.content) == "ja", "the ticket's language, as before"
    opened = client.post(old_link)
    assert opened["Location"] == f"/portal/ticket/{ticket.reference}/"
    reply = client.post(opened["Location"], {"body": "Masih belum aktif."})
    assert reply.status_code == 302
    assert reply["Location"] == opened["Location"]


def test_a_reply_on_a_prefixed_portal_page_stays_under_the_prefix(client: Client) -> None:
    ticket = build_ticket(language="id")
    page = open_portal(client, ticket)
    assert page == f"/id/portal/ticket/{ticket.reference}/"
    reply = client.post(page, {"body": "Masih belum aktif."})
    assert reply.status_code == 302
    assert reply["Location"] == page


def test_an_unknown_unprefixed_link_is_a_404_not_a_redirect(client: Client) -> None:
    assert client.get("/portal/t/CAT-0000-0000/").status_code == 404
    assert client.get("/ja/portal/t/CAT-0000-0000/").status_code == 404
