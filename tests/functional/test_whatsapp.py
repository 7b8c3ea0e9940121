"""WhatsApp end to end against a fake Graph API on loopback: signed webhooks in, tickets and
threads, media, statuses, the 24-hour window, templates; nothing lost, nothing twice."""

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from loket.inbound.models import BlockedSender, InboundRecord, InboundStatus
from loket.notify.delivery import deliver
from loket.notify.models import OutboxMessage, OutboxStatus
from loket.notify.whatsapp import WindowClosed
from loket.tickets.models import Channel, EventKind, Ticket
from loket.tickets.operations import record_public_reply, send_whatsapp_template
from loket.whatsapp.intake import process, process_forgotten
from loket.worker import run as run_worker
from tests import graph as g
from tests.builders import NOW, PNG
from tests.graph import FakeGraph

pytestmark = pytest.mark.django_db

NUMBER = "6281234567890"
E164 = "+" + NUMBER
WEBHOOK = "/whatsapp/webhook/"


@pytest.fixture(autouse=True)
def at_nine_on_monday() -> Iterator[None]:
    """The webhook stores what arrives with the clock's time: the tests' clock starts at NOW."""
    with time_machine.travel(NOW, tick=True):
        yield


def post(client: Client, body: bytes, signature: str | None = "valid") -> int:
    headers = {}
    if signature == "valid":
        headers["X-Hub-Signature-256"] = g.sign(body)
    elif signature:
        headers["X-Hub-Signature-256"] = signature
    response = client.post(WEBHOOK, body, content_type="application/json", headers=headers)
    return response.status_code


def work(now: datetime | None = None) -> None:
    """What the worker does with what the webhook stored (its task, run here in-process)."""
    for record in InboundRecord.objects.filter(channel=Channel.WHATSAPP, status="received"):
        process(record, now=now or NOW)


def send_all(now: datetime | None = None) -> None:
    for row in OutboxMessage.objects.filter(status=OutboxStatus.PENDING):
        deliver(row.id, now or NOW)


def say(client: Client, body: str, wamid: str, number: str = NUMBER, minutes: int = 0) -> None:
    at = NOW + timedelta(minutes=minutes)
    assert post(client, g.text(number, body, wamid=wamid, at=at)) == 200
    work(at)


# --- the webhook's contract -----------------------------------------------------------------------


def test_without_configuration_the_webhook_does_not_exist(client: Client) -> None:
    assert client.get(WEBHOOK, {"hub.mode": "subscribe"}).status_code == 404
    assert post(client, g.text(NUMBER, "halo", wamid="wamid.1", at=NOW)) == 404
    assert InboundRecord.objects.count() == 0


def test_verification_echoes_the_challenge_only_for_the_right_token(
    client: Client, graph: FakeGraph
) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": g.VERIFY_TOKEN, "hub.challenge": "1158"}
    answer = client.get(WEBHOOK, query)
    assert (answer.status_code, answer.content) == (200, b"1158")
    wrong = client.get(WEBHOOK, query | {"hub.verify_token": "guess"})
    assert wrong.status_code == 403


@pytest.mark.parametrize("signature", [None, "sha256=" + "0" * 64, "md5=abc", "sha256="])
def test_a_missing_or_bad_signature_is_refused_and_nothing_is_stored(
    client: Client, graph: FakeGraph, signature: str | None
) -> None:
    body = g.text(NUMBER, "Halo, toko saya tidak bisa dibuka", wamid="wamid.A", at=NOW)
    assert post(client, body, signature) == 401
    assert InboundRecord.objects.count() == 0


def test_a_body_signed_with_another_secret_is_refused(client: Client, graph: FakeGraph) -> None:
    body = g.text(NUMBER, "halo", wamid="wamid.A", at=NOW)
    assert post(client, body, g.sign(body, "someone-else")) == 401


def test_a_signed_body_that_is_not_json_is_kept_in_quarantine(
    client: Client, graph: FakeGraph
) -> None:
    assert post(client, b"{not json") == 200
    record = InboundRecord.objects.get()
    assert record.status == InboundStatus.QUARANTINED
    assert record.raw_bytes() == b"{not json"


# --- messages in ----------------------------------------------------------------------------------


def test_a_text_opens_a_ticket_and_the_acknowledgement_goes_back_on_whatsapp(
    client: Client, graph: FakeGraph
) -> None:
    body = "Halo kak, toko saya tidak bisa diakses sejak kemarin. Mohon bantuannya."
    assert post(client, g.text(NUMBER, body, wamid="wamid.IN1", at=NOW, name="Budi")) == 200
    record = InboundRecord.objects.get()
    assert record.status == InboundStatus.RECEIVED  # stored; the worker does the rest
    assert Ticket.objects.count() == 0

    work()
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.requester_phone, ticket.requester_email) == (
        Channel.WHATSAPP, E164, "",
    )  # fmt: skip
    assert ticket.requester_name == "Budi"
    assert ticket.language == "id"
    assert ticket.messages.get().external_id == "wamid.IN1"

    ack = OutboxMessage.objects.get(kind="acknowledgement")
    assert (ack.channel, ack.to_address) == (Channel.WHATSAPP, E164)
    send_all()
    [sent] = graph.sent
    assert sent["to"] == NUMBER
    assert sent["type"] == "text"
    assert str(ticket.reference) in sent["text"]["body"]
    assert "Tanggapan pertama" in sent["text"]["body"] or "paling lambat" in sent["text"]["body"]
    ack.refresh_from_db()
    assert (ack.status, ack.external_id) == (OutboxStatus.SENT, sent["_wamid"])
    assert ticket.events.filter(kind=EventKind.WHATSAPP_SENT).exists()


def test_meta_retrying_a_delivery_makes_no_second_ticket(client: Client, graph: FakeGraph) -> None:
    body = g.text(NUMBER, "Halo, tagihan saya dobel bulan ini", wamid="wamid.R", at=NOW)
    for _ in range(3):
        assert post(client, body) == 200
        work()
    assert InboundRecord.objects.count() == 1
    assert Ticket.objects.count() == 1
    assert OutboxMessage.objects.filter(kind="acknowledgement").count() == 1


def test_the_same_number_continues_its_open_ticket(client: Client, graph: FakeGraph) -> None:
    say(client, "Halo, toko saya tidak bisa dibuka", "wamid.1")
    say(client, "Ini screenshot errornya ya kak", "wamid.2", minutes=5)
    ticket = Ticket.objects.get()
    assert ticket.messages.count() == 2
    assert OutboxMessage.objects.filter(kind="acknowledgement").count() == 1


def test_a_reference_threads_only_for_a_participant(client: Client, graph: FakeGraph) -> None:
    say(client, "Halo, toko saya tidak bisa dibuka", "wamid.1")
    first = Ticket.objects.get()
    stranger = "6289876543210"
    say(client, f"Saya mau tanya soal {first.reference}", "wamid.2", number=stranger, minutes=2)
    assert first.messages.count() == 1
    other = Ticket.objects.exclude(pk=first.pk).get()
    assert other.requester_phone == "+" + stranger


def test_a_photo_is_fetched_and_kept_as_an_attachment(client: Client, graph: FakeGraph) -> None:
    graph.add_media("media-1", PNG, "image/png")
    image = {"type": "image", "image": {"id": "media-1", "mime_type": "image/png",
                                        "caption": "Error saat bayar"}}  # fmt: skip
    assert post(client, g.inbound(NUMBER, image, wamid="wamid.P", at=NOW)) == 200
    work()
    message = Ticket.objects.get().messages.get()
    assert message.body.strip() == "Error saat bayar"
    attachment = message.attachments.get()
    assert attachment.content_type == "image/png"
    assert attachment.size == len(PNG)


def test_a_ten_megabyte_image_is_kept_and_a_larger_one_is_described(
    client: Client, graph: FakeGraph
) -> None:
    ten_mb = PNG + b"\0" * (10_000_000 - len(PNG))
    graph.add_media("big", ten_mb, "image/png")
    graph.add_media("huge", PNG + b"\0" * (11 * 1024 * 1024), "image/png")
    for wamid, media in (("wamid.B1", "big"), ("wamid.B2", "huge")):
        image = {"type": "image", "image": {"id": media, "mime_type": "image/png"}}
        assert post(client, g.inbound(NUMBER, image, wamid=wamid, at=NOW)) == 200
        work()
    ticket = Ticket.objects.get()
    first, second = ticket.messages.order_by("pk")
    assert first.attachments.get().size == 10_000_000
    assert not second.attachments.exists()
    assert "11.5 MB" in second.body
    assert "larger than Loket keeps" in second.body


def test_media_the_graph_api_cannot_serve_yet_waits_and_is_fetched_later(
    client: Client, graph: FakeGraph
) -> None:
    graph.add_media("flaky", PNG, "image/png")
    graph.state.media_failures["flaky"] = 1
    document = {"type": "document", "document": {"id": "flaky", "filename": "invoice.png",
                                                 "mime_type": "image/png"}}  # fmt: skip
    assert post(client, g.inbound(NUMBER, document, wamid="wamid.F", at=NOW)) == 200
    work()
    assert InboundRecord.objects.get().status == InboundStatus.RECEIVED
    assert Ticket.objects.count() == 0
    assert process_forgotten(NOW + timedelta(minutes=1)) == 1
    assert Ticket.objects.get().messages.get().attachments.get().filename == "invoice.png"


def test_location_interactive_and_unknown_types_reach_the_ticket(
    client: Client, graph: FakeGraph
) -> None:
    place = {"latitude": -6.2, "longitude": 106.8, "name": "Toko Budi", "address": "Jakarta"}
    location = {"type": "location", "location": place}
    button = {"type": "interactive", "interactive": {"type": "button_reply",
              "button_reply": {"id": "yes", "title": "Sudah beres"}}}  # fmt: skip
    unknown = {"type": "hologram", "hologram": {"id": "x"}}
    for number, (wamid, message) in enumerate(
        (("wamid.L", location), ("wamid.I", button), ("wamid.U", unknown))
    ):
        assert post(client, g.inbound(NUMBER, message, wamid=wamid, at=NOW)) == 200
        work(NOW + timedelta(minutes=number))
    bodies = [m.body for m in Ticket.objects.get().messages.order_by("pk")]
    assert "Toko Budi, Jakarta (-6.2, 106.8)" in bodies[0]
    assert bodies[1].strip() == "Sudah beres"
    assert "“hologram”" in bodies[2]


def test_a_reaction_is_not_a_message(client: Client, graph: FakeGraph) -> None:
    reaction = {"type": "reaction", "reaction": {"message_id": "wamid.X", "emoji": "👍"}}
    assert post(client, g.inbound(NUMBER, reaction, wamid="wamid.RE", at=NOW)) == 200
    work()
    assert InboundRecord.objects.get().status == InboundStatus.IGNORED
    assert Ticket.objects.count() == 0


def test_a_blocked_number_is_kept_but_never_answered(client: Client, graph: FakeGraph) -> None:
    BlockedSender.objects.create(address="0812-3456-7890", reason="spam", blocked_at=NOW)
    assert post(client, g.text(NUMBER, "PROMO!!! klik link ini", wamid="wamid.S", at=NOW)) == 200
    work()
    record = InboundRecord.objects.get()
    assert record.status == InboundStatus.BLOCKED
    assert b"PROMO" in record.raw_bytes()
    assert Ticket.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_a_one_time_code_is_removed_before_it_is_stored(client: Client, graph: FakeGraph) -> None:
    say(client, "Kode OTP saya 482913, tolong bantu login", "wamid.OTP")
    message = Ticket.objects.get().messages.get()
    assert "482913" not in message.body
    assert b"482913" not in InboundRecord.objects.get().raw_bytes()


# --- statuses -------------------------------------------------------------------------------------


def acknowledged(client: Client, graph: FakeGraph) -> OutboxMessage:
    say(client, "Halo, toko saya tidak bisa dibuka", "wamid.1")
    send_all()
    return OutboxMessage.objects.get(kind="acknowledgement")


def test_statuses_out_of_order_never_move_back(client: Client, graph: FakeGraph) -> None:
    ack = acknowledged(client, graph)
    for state in ("read", "delivered", "sent"):
        assert post(client, g.status(ack.external_id, state, NUMBER, at=NOW)) == 200
    work()
    ack.refresh_from_db()
    assert ack.delivery_status == "read"
    statuses = Ticket.objects.get().events.filter(kind=EventKind.WHATSAPP_STATUS)
    assert sorted(e.data["status"] for e in statuses) == ["delivered", "read", "sent"]


def test_a_failed_delivery_is_shown_with_its_error_code(client: Client, graph: FakeGraph) -> None:
    ack = acknowledged(client, graph)
    errors = [{"code": 131026, "title": "Message undeliverable"}]
    assert post(client, g.status(ack.external_id, "failed", NUMBER, at=NOW, errors=errors)) == 200
    work()
    ack.refresh_from_db()
    assert ack.status == OutboxStatus.FAILED
    assert "131026" in ack.last_error
    event = Ticket.objects.get().events.get(kind=EventKind.WHATSAPP_FAILED)
    assert event.data["errors"] == errors


def test_a_status_that_overtakes_the_send_waits_for_it(client: Client, graph: FakeGraph) -> None:
    assert post(client, g.status("wamid.OUT000001", "delivered", NUMBER, at=NOW)) == 200
    work()
    assert InboundRecord.objects.get().status == InboundStatus.RECEIVED
    ack = acknowledged(client, graph)
    assert ack.external_id == "wamid.OUT000001"
    process_forgotten(NOW + timedelta(minutes=1))
    ack.refresh_from_db()
    assert ack.delivery_status == "delivered"


# --- the 24-hour window ---------------------------------------------------------------------------


def test_outside_the_window_a_free_reply_is_refused_and_a_template_is_sent(
    client: Client, graph: FakeGraph, agent: User
) -> None:
    acknowledged(client, graph)
    ticket = Ticket.objects.get()
    inside = NOW + timedelta(hours=23)
    record_public_reply(ticket=ticket, author=agent, body="Sudah kami cek.", now=inside)
    send_all(inside)
    assert (
        graph.sent[-1]["text"]["body"].endswith("Sudah kami cek.\n")
        or "Sudah kami cek." in (graph.sent[-1]["text"]["body"])
    )
    later = NOW + timedelta(hours=25)
    replies = ticket.messages.count()
    with pytest.raises(WindowClosed):
        record_public_reply(ticket=ticket, author=agent, body="Ada kabar?", now=later)
    assert ticket.messages.count() == replies
    send_whatsapp_template(
        ticket=ticket, name="ticket_update", language="id", actor=agent, now=later
    )
    send_all(later)
    template = graph.sent[-1]
    assert template["type"] == "template"
    assert template["template"]["name"] == "ticket_update"
    assert template["template"]["language"] == {"code": "id"}
    assert template["template"]["components"][0]["parameters"] == [
        {"type": "text", "text": ticket.reference}
    ]


def test_a_reply_queued_inside_the_window_but_sent_after_it_is_not_sent(
    client: Client, graph: FakeGraph, agent: User
) -> None:
    acknowledged(client, graph)
    ticket = Ticket.objects.get()
    record_public_reply(ticket=ticket, author=agent, body="Sudah kami cek.", now=NOW)
    before = len(graph.sent)
    send_all(NOW + timedelta(hours=30))  # the worker was down for a day
    assert len(graph.sent) == before
    reply = OutboxMessage.objects.get(kind="public_reply")
    assert reply.status == OutboxStatus.FAILED
    assert "24-hour window" in reply.last_error


def test_meta_refusing_a_send_is_visible_on_the_ticket(client: Client, graph: FakeGraph) -> None:
    say(client, "Halo, toko saya tidak bisa dibuka", "wamid.1")
    graph.refuse_next(400, 131026, "Message undeliverable")
    send_all()
    ack = OutboxMessage.objects.get(kind="acknowledgement")
    assert ack.status == OutboxStatus.FAILED
    event = Ticket.objects.get().events.get(kind=EventKind.WHATSAPP_FAILED)
    assert event.data["code"] == 131026


@pytest.mark.django_db(transaction=True)
def test_the_worker_takes_up_what_arrived_while_it_was_down(
    client: Client, graph: FakeGraph
) -> None:
    numbers = ["6281111111111", "6282222222222", "6283333333333"]
    for index, number in enumerate(numbers):
        body = g.text(number, "Halo, toko saya tidak bisa dibuka", wamid=f"wamid.W{index}", at=NOW)
        assert post(client, body) == 200
    assert Ticket.objects.count() == 0  # no worker yet: stored and queued, nothing lost

    run_worker(batch=True)
    assert sorted(Ticket.objects.values_list("requester_phone", flat=True)) == [
        "+" + n for n in numbers
    ]
    assert sorted(sent["to"] for sent in graph.sent) == numbers


# --- the console ----------------------------------------------------------------------------------


def test_the_console_refuses_a_late_reply_and_offers_the_templates(
    client: Client, graph: FakeGraph, agent: User
) -> None:
    acknowledged(client, graph)
    ticket = Ticket.objects.get()
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(agent)
    page = client.get(f"/console/t/{ticket.reference}/").content.decode()
    assert "window is open until" in page
    assert E164 in page

    with time_machine.travel(NOW + timedelta(hours=25), tick=False):
        client.force_login(agent)  # a day later: the session ended after 8 idle hours
        page = client.get(f"/console/t/{ticket.reference}/").content.decode()
        assert "window closed at" in page
        assert "Ticket update (English)" in page
        url = f"/console/t/{ticket.reference}/reply/"
        refused = client.post(url, {"body": "Apakah sudah bisa login?"})
        assert refused.status_code == 409
        assert "more than 24 hours ago" in refused.content.decode()
        assert not ticket.messages.filter(body__contains="sudah bisa login").exists()

        template_url = f"/console/t/{ticket.reference}/whatsapp-template/"
        assert client.post(template_url, {"template": "ticket_update|en"}).status_code == 302
        assert client.post(template_url, {"template": "made_up|en"}).status_code == 302
        send_all(NOW + timedelta(hours=25))
    templates = [sent for sent in graph.sent if sent["type"] == "template"]
    assert [t["template"]["language"]["code"] for t in templates] == ["en"]


def test_a_failed_delivery_shows_its_error_code_in_the_console(
    client: Client, graph: FakeGraph, agent: User
) -> None:
    ack = acknowledged(client, graph)
    errors = [{"code": 131026, "title": "Message undeliverable"}]
    assert post(client, g.status(ack.external_id, "failed", NUMBER, at=NOW, errors=errors)) == 200
    work()
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(agent)
    page = client.get(f"/console/t/{Ticket.objects.get().reference}/").content.decode()
    assert "error 131026: Message undeliverable" in page


def test_out_of_hours_the_acknowledgement_says_when_the_clock_starts(
    client: Client, graph: FakeGraph
) -> None:
    saturday = NOW + timedelta(days=5)  # Saturday 28 November, 09:00 WIB
    with time_machine.travel(saturday, tick=True):
        body = g.text(NUMBER, "Halo, toko saya tidak bisa dibuka", wamid="wamid.SAT", at=saturday)
        assert post(client, body) == 200
        work(saturday)
        send_all(saturday)
    text = graph.sent[0]["text"]["body"]
    assert "di luar jam layanan" in text
    assert "mulai dihitung 30 Nov. 2026, 9.00 WIB" in text  # Monday, when support opens
    assert "chat ini" in text
    assert "subjek setiap email" not in text


def test_a_pair_rate_limit_is_tried_again_not_failed(client: Client, graph: FakeGraph) -> None:
    say(client, "Halo, toko saya tidak bisa dibuka", "wamid.1")
    graph.refuse_next(400, 131056, "(#131056) Pair rate limit hit")
    send_all()
    ack = OutboxMessage.objects.get(kind="acknowledgement")
    assert ack.status == OutboxStatus.PENDING  # a retry is scheduled
    assert "131056" in ack.last_error


def test_a_message_to_another_number_of_the_app_is_not_ours(
    client: Client, graph: FakeGraph
) -> None:
    body = g.text(NUMBER, "Halo", wamid="wamid.OTHER", at=NOW).replace(
        g.PHONE_NUMBER_ID.encode(), b"999999999999999"
    )
    assert post(client, body) == 200
    assert InboundRecord.objects.count() == 0
