"""Search in the console (issue 12, part 2): references, addresses, numbers, and words -
Japanese substrings inside longer words, Indonesian words - over the redacted text."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from loket.inbound.message import InboundMessage
from loket.inbound.pipeline import receive
from loket.tickets.models import Ticket
from loket.tickets.operations import record_internal_note, record_requester_reply
from loket.tickets.search import search
from loket.tickets.searchtext import index_terms
from tests.builders import NOW, build_ticket

pytestmark = pytest.mark.django_db


def found(query: str) -> list[str]:
    return [str(ticket.reference) for ticket in search(query).tickets]


def test_a_japanese_substring_is_found_inside_a_longer_word() -> None:
    refund = build_ticket(
        subject="返金依頼について", body="先月の請求について返金をお願いします。", language="ja"
    )
    build_ticket(subject="ログインできません", body="パスワードの再設定ができません", language="ja")
    assert found("返金") == [refund.reference]
    assert found("返金依頼") == [refund.reference]
    assert found("依頼") == [refund.reference]
    assert found("金依頼返") == []  # the characters, but not in that order


def test_indonesian_and_english_words_are_found_in_any_message(agent: User) -> None:
    ticket = build_ticket(
        subject="Toko tidak aktif", body="Saya sudah bayar paket Pro.", language="id"
    )
    other = build_ticket(subject="Refund please", body="I was charged twice.")
    record_requester_reply(
        ticket=ticket, body="Mohon pengembalian dana segera", channel="web", now=NOW
    )
    assert found("pengembalian") == [ticket.reference]
    assert found("pengembalian dana") == [ticket.reference]
    assert found("PENGEMBALIAN") == [ticket.reference]
    assert found("charged") == [other.reference]
    assert found("charg") == [other.reference]  # words match by their beginning
    assert found("pengembalian charged") == []  # every word must match
    record_internal_note(ticket=other, author=agent, body="Cek dengan tim billing", now=NOW)
    assert found("billing") == [other.reference]


def test_redacted_secrets_are_not_searchable() -> None:
    message = InboundMessage(
        channel="web", sender_address="siti@example.co.id", sender_name="Siti",
        subject="Cannot log in", text="My password is Hunter2Secret, please help me log in",
        received_at=NOW, category_code="access", language="en",
    )  # fmt: skip
    opened = receive(message, now=NOW).ticket
    assert opened is not None
    assert found("Hunter2Secret") == []
    assert found("help") == [opened.reference]


def test_references_addresses_and_numbers() -> None:
    ticket = build_ticket(email="Siti@Example.co.id")
    spaced = str(ticket.reference).lower().replace("-", " ")
    assert found(spaced) == [ticket.reference]
    assert found("siti@example.co.id") == [ticket.reference]
    Ticket.objects.filter(pk=ticket.pk).update(requester_phone="+6281234567890")
    assert found("0812-3456-7890") == [ticket.reference]
    assert search("0812-3456-7890").how == "phone"


def test_hostile_queries_are_no_match_and_never_an_error() -> None:
    build_ticket()
    for query in ['"', "AND OR NOT", "*", "' OR 1=1 --", "NEAR(a b)", "\x00", "x" * 5000, "^"]:
        assert isinstance(search(query).tickets, list)


def test_full_width_and_case_are_folded() -> None:
    assert index_terms("\uff2f\uff34\uff30 Kode") == "otp kode"  # full-width OTP


def test_the_search_page_opens_a_reference_and_lists_words(agent: User) -> None:
    ticket = build_ticket(subject="返金依頼", language="ja")
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(agent)
    opened = client.get("/console/search/", {"q": str(ticket.reference)})
    assert opened.status_code == 302
    assert opened["Location"] == f"/console/t/{ticket.reference}/"
    listed = client.get("/console/search/", {"q": "返金"}).content.decode()
    assert str(ticket.reference) in listed
    assert "1 ticket matches" in listed


def test_only_agents_search(client: Client) -> None:
    build_ticket(subject="返金依頼")
    client.force_login(User.objects.create_user("buyer", password="x"))
    assert client.get("/console/search/", {"q": "返金"}).status_code == 404
