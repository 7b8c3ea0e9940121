"""Portal access that expires (issue 14, item 3), tried as an attacker would: before, a portal
link was a 30-day bearer secret in the URL, reusable, not revocable (a new link left the old
one working), never exchanged for a session, and written in full to the access log.

Each test below holds against one of those failures, on SQLite and PostgreSQL;
docs/security.md points here."""

import hashlib
import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.test import Client

from loket.notify.models import OutboxMessage
from loket.tickets.links import LEGACY_SALT
from loket.tickets.models import EventKind, PortalLink, Ticket
from loket.tickets.sniffing import IncomingFile
from tests.builders import NOW, PNG, build_ticket, fresh_link, open_link_in, open_portal
from tests.functional.test_contact_form import valid_form

pytestmark = pytest.mark.django_db

SESSION_COOKIE = "sessionid"


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


def ticket_page(ticket: Ticket, language: str = "en") -> str:
    return f"/{language}/portal/ticket/{ticket.reference}/"


def newest_link_mail(ticket: Ticket) -> str:
    return OutboxMessage.objects.filter(ticket=ticket, kind="portal_link").latest("created_at").body


def test_a_link_opens_its_ticket_once_and_never_again_elsewhere() -> None:
    ticket = build_ticket()
    link = fresh_link(ticket)
    requester, finder = Client(), Client()

    opened = requester.post(link)
    assert opened.status_code == 302
    assert opened["Location"] == ticket_page(ticket)
    assert token_of(link) not in opened["Location"], "the token leaves the address bar"
    page = requester.get(opened["Location"]).content.decode()
    assert "I paid for the Pro plan" in page
    assert token_of(link) not in page

    # Whoever finds the mail later (a forwarded copy, a shared inbox) gets nothing from it.
    for answer in (finder.get(link), finder.post(link)):
        assert answer.status_code == 410
        assert "This link was used already." in answer.content.decode()
        assert "I paid for the Pro plan" not in answer.content.decode()
    assert finder.get(ticket_page(ticket)).status_code == 403
    assert ticket.events.filter(kind=EventKind.PORTAL_LINK_USED).count() == 1


def test_a_mail_scanner_that_fetches_the_link_uses_nothing_up() -> None:
    ticket = build_ticket()
    link = fresh_link(ticket)
    for scanner in (Client(), Client(), Client()):
        page = scanner.get(link)
        assert page.status_code == 200
        assert 'data-testid="open-request"' in page.content.decode()
        assert "I paid for the Pro plan" not in page.content.decode(), "one button, no ticket"
    assert not PortalLink.objects.exclude(used_at=None).exists()
    assert Client().post(link).status_code == 302, "the requester's click still works"


def test_a_double_click_on_the_button_opens_the_ticket_both_times_only_in_that_browser() -> None:
    browser = Client()
    with time_machine.travel(NOW, tick=False):
        ticket = build_ticket()
        link = fresh_link(ticket)
        assert browser.get(link).status_code == 200
        before_click = browser.cookies[SESSION_COOKIE].value
        assert browser.post(link).status_code == 302
        # The second click left before the first answer set the new cookie: the same browser.
        assert browser.cookies[SESSION_COOKIE].value != before_click, "a new session key"
        browser.cookies[SESSION_COOKIE] = before_click
        again = browser.post(link)
        assert again.status_code == 302
        assert browser.get(again["Location"]).status_code == 200
        stranger = Client()
        stranger.cookies[SESSION_COOKIE] = "someone-elses-session-key"
        assert stranger.post(link).status_code == 410
    with time_machine.travel(NOW + timedelta(minutes=3), tick=False):
        late = Client()
        late.cookies[SESSION_COOKIE] = before_click
        assert late.post(link).status_code == 410, "a double click is seconds, not minutes"


def test_a_session_id_planted_before_the_link_was_opened_gains_nothing() -> None:
    ticket = build_ticket()
    link, browser = fresh_link(ticket), Client()
    browser.get(link)
    planted = browser.cookies[SESSION_COOKIE].value  # as if an attacker had set it
    assert browser.post(link).status_code == 302
    attacker = Client()
    attacker.cookies[SESSION_COOKIE] = planted
    assert attacker.get(ticket_page(ticket)).status_code == 403
    assert browser.get(ticket_page(ticket)).status_code == 200


def test_an_old_link_in_a_browser_that_holds_the_ticket_leads_to_its_page() -> None:
    ticket = build_ticket()
    browser = Client()
    first, second = fresh_link(ticket), fresh_link(ticket)
    browser.post(first)
    # A link used already, and one never used: no dead end for the requester's own browser.
    for link in (first, second):
        answer = browser.get(link)
        assert answer.status_code == 302
        assert answer["Location"] == ticket_page(ticket)
    assert Client().get(second).status_code == 410, "the unused one was used up by that"


def test_a_new_link_revokes_the_links_nobody_opened(client: Client) -> None:
    ticket = build_ticket()
    in_the_acknowledgement = fresh_link(ticket)
    opened_already = Client()
    opened_already.post(fresh_link(ticket))

    form = {"reference": str(ticket.reference), "email": "siti@example.co.id"}
    assert client.post("/portal/new-link/", form).status_code == 200

    refused = Client().post(in_the_acknowledgement)
    assert refused.status_code == 410
    assert "This link was cancelled" in refused.content.decode()
    assert Client().get(open_link_in(Client(), newest_link_mail(ticket))).status_code == 403, (
        "the new link works once, in the browser that opened it"
    )
    # A browser that had opened the ticket keeps it: "sign out everywhere" is for that.
    assert opened_already.get(ticket_page(ticket)).status_code == 200
    sent = ticket.events.get(kind=EventKind.PORTAL_LINK_SENT)
    assert sent.data == {"revoked": 2}  # the acknowledgement's link and in_the_acknowledgement


def test_a_link_asked_for_works_for_thirty_minutes_and_a_mailed_one_for_three_days() -> None:
    with time_machine.travel(NOW, tick=False):
        ticket = build_ticket()
        Client().post(
            "/portal/new-link/", {"reference": ticket.reference, "email": "siti@example.co.id"}
        )
        asked_for = re.search(r"/en/portal/t/\S+/", newest_link_mail(ticket))
        assert asked_for is not None
        mailed = fresh_link(ticket)
    with time_machine.travel(NOW + timedelta(minutes=29), tick=False):
        assert Client().get(asked_for.group()).status_code == 200
    with time_machine.travel(NOW + timedelta(minutes=31), tick=False):
        assert Client().post(asked_for.group()).status_code == 410
        assert Client().get(mailed).status_code == 200
    with time_machine.travel(NOW + timedelta(hours=72, seconds=1), tick=False):
        expired = Client().post(mailed)
        assert expired.status_code == 410
        assert "This link has expired." in expired.content.decode()


def test_the_ticket_stays_open_in_the_browser_for_eight_hours_then_asks_for_a_link() -> None:
    browser = Client()
    with time_machine.travel(NOW, tick=False):
        ticket = build_ticket()
        page = open_portal(browser, ticket)
    with time_machine.travel(NOW + timedelta(hours=7, minutes=59), tick=False):
        assert browser.get(page).status_code == 200
    with time_machine.travel(NOW + timedelta(hours=8, minutes=1), tick=False):
        closed = browser.get(page)
        assert closed.status_code == 403
        assert "I paid for the Pro plan" not in closed.content.decode()
        assert f'value="{ticket.reference}"' in closed.content.decode(), "the reference filled in"


def test_signing_out_everywhere_ends_every_browser_and_every_link() -> None:
    ticket = build_ticket(attachments=(IncomingFile("proof.png", "image/png", PNG),))
    attachment = ticket.messages.get().attachments.get()
    phone, shared_computer = Client(), Client()
    page = open_portal(phone, ticket)
    open_portal(shared_computer, ticket)
    unused = fresh_link(ticket)

    signed_out = shared_computer.post(f"{page}sign-out/", follow=True)
    assert signed_out.status_code == 403
    assert "You are signed out of this request on every device" in signed_out.content.decode()

    for browser in (phone, shared_computer):
        assert browser.get(page).status_code == 403
        assert browser.get(f"{page}files/{attachment.pk}/").status_code == 403
        assert browser.post(page, {"body": "Still there?"}).status_code == 403
    assert Client().post(unused).status_code == 410
    assert ticket.messages.count() == 1
    event = ticket.events.get(kind=EventKind.PORTAL_SIGNED_OUT)
    assert event.actor_label == "Siti Rahma"
    # Nobody who is not the requester's browser can sign them out.
    assert Client().post(f"{page}sign-out/").status_code == 403
    assert ticket.events.filter(kind=EventKind.PORTAL_SIGNED_OUT).count() == 1


def test_the_thank_you_page_opens_the_ticket_once_and_signing_out_ends_it(client: Client) -> None:
    sent = client.post("/en/support/contact/", valid_form())
    ticket = Ticket.objects.get()
    thanks = sent["Location"]
    assert thanks.startswith("/en/support/contact/thanks/")
    assert str(ticket.reference) not in thanks, "the address is a link, not the reference"
    assert client.get(ticket_page(ticket)).status_code == 403, "nothing is open before the button"
    page = client.get(thanks).content.decode()
    assert 'data-testid="reference"' in page
    assert 'data-testid="open-request"' in page
    opened = client.post(re.search(r'action="(/en/portal/t/[^"]+)"', page)[1])  # type: ignore[index]
    assert opened["Location"] == ticket_page(ticket)
    assert client.get(ticket_page(ticket)).status_code == 200, "the browser that pressed it"
    # The link is used: whoever gets the thank-you address now (a shared screen, the history)
    # is only thanked, and cannot open the ticket with it.
    elsewhere = Client()
    after = elsewhere.get(thanks).content.decode()
    assert 'data-testid="thanks-without-details"' in after
    assert "siti@example.co.id" not in after
    assert elsewhere.get(ticket_page(ticket)).status_code == 403

    client.post(f"{ticket_page(ticket)}sign-out/")
    assert client.get(ticket_page(ticket)).status_code == 403
    assert 'data-testid="reference"' not in client.get(thanks).content.decode()


def test_a_dead_link_sends_a_new_one_in_one_click_in_the_requesters_language() -> None:
    ticket = build_ticket(language="ja")
    link = fresh_link(ticket)
    Client().post(link)
    stranger = Client(headers={"accept-language": "en"})

    dead = stranger.get(link)
    assert dead.status_code == 410
    assert '<html lang="ja">' in dead.content.decode()
    assert f'action="{link}new-link/"' in dead.content.decode(), "under the same prefix"
    sent = stranger.post(f"{link}new-link/")
    assert sent.status_code == 200
    assert "30 分以内" in sent.content.decode()
    mail = OutboxMessage.objects.get(kind="portal_link")
    assert mail.to_address == "siti@example.co.id", "only ever the address on file"
    assert "/ja/portal/t/" in mail.body
    assert open_link_in(stranger, mail.body) == ticket_page(ticket, "ja")


def test_the_one_click_new_link_is_capped_per_ticket() -> None:
    ticket = build_ticket()
    link = fresh_link(ticket)
    Client().post(link)
    answers = [Client().post(f"{link}new-link/") for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert int(answers[-1]["Retry-After"]) > 0
    assert OutboxMessage.objects.filter(kind="portal_link").count() == 3


def test_a_signed_link_mailed_before_is_dead_but_offers_a_new_one() -> None:
    ticket = build_ticket()
    old = signing.TimestampSigner(salt=LEGACY_SALT).sign(str(ticket.reference))
    for path in (f"/portal/t/{old}/", f"/en/portal/t/{old}/"):
        assert Client().get(path).status_code == 410
        assert Client().post(path).status_code == 410
    forged = old[:-1] + ("A" if old[-1] != "A" else "B")
    assert Client().get(f"/en/portal/t/{forged}/").status_code == 404
    assert Client().post(f"/en/portal/t/{old}/new-link/").status_code == 200
    assert OutboxMessage.objects.filter(kind="portal_link").count() == 1


def test_only_a_hash_of_a_token_is_stored() -> None:
    ticket = build_ticket()
    token = token_of(fresh_link(ticket))
    stored = PortalLink.objects.latest("id")
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    row = PortalLink.objects.filter(pk=stored.pk).values().get()
    assert not any(token in str(value) for value in row.values())


def test_a_reply_typed_after_the_access_ended_is_given_back_not_lost() -> None:
    browser = Client()
    with time_machine.travel(NOW, tick=False):
        ticket = build_ticket()
        page = open_portal(browser, ticket)
    with time_machine.travel(NOW + timedelta(hours=9), tick=False):
        refused = browser.post(page, {"body": "My invoice is INV-2026-0042, please check."})
    assert refused.status_code == 403
    assert "My invoice is INV-2026-0042, please check.</textarea>" in refused.content.decode()
    assert ticket.messages.count() == 1


def test_no_token_reaches_the_log_and_no_portal_page_is_stored(log_lines: io.StringIO) -> None:
    ticket = build_ticket(attachments=(IncomingFile("proof.png", "image/png", PNG),))
    attachment = ticket.messages.get().attachments.get()
    link, browser = fresh_link(ticket), Client()
    answers = [
        browser.get(link),  # the button
        browser.post(link),  # used up
        Client().get(link),  # dead
        Client().post(f"{link}new-link/"),  # a new one sent
        Client().get(fresh_link(ticket).replace("/t/", "/t/x")),  # unknown
        browser.get(ticket_page(ticket)),
        browser.get(f"{ticket_page(ticket)}files/{attachment.pk}/"),
        Client().get(ticket_page(ticket)),  # not this browser's
    ]
    assert [answer.status_code for answer in answers] == [200, 302, 410, 200, 404, 200, 200, 403]
    for answer in answers:
        assert "no-store" in answer["Cache-Control"], answer

    log = log_lines.getvalue()
    assert token_of(link) not in log
    assert log.count("/en/portal/t/[token]/") >= 4
    assert "POST /en/portal/t/[token]/new-link/ 200" in log
    hashes = PortalLink.objects.values_list("token_hash", flat=True)
    assert not [stored for stored in hashes if stored in log]
