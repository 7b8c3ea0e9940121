"""The same edge rules on every channel (issue 14, item 7): the contact form, the API, e-mail
and WhatsApp all hand their message to the inbound pipeline's `inspect`, which takes line
breaks, control characters and bidi controls out of subjects, names and file names; bodies
keep them and pages show them isolated."""

from dataclasses import replace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from loket.inbound.message import InboundMessage
from loket.inbound.pipeline import inspect
from loket.mail.ingest import ingest
from loket.tickets.models import Channel, Ticket
from loket.tickets.sniffing import IncomingFile
from tests.builders import NOW, PNG, open_portal

pytestmark = pytest.mark.django_db

SUBJECT = "Tagihan\r\nBcc: victim@example.com \x1b[31m\u202eFDP.exe"
NAME = "Budi\x07 \u2067Santoso\u2069"
FILE = "Invoice \u202egnp.exe\n"
BODY = "Nomor pesanan: \u202eINV-2026-0042\u202c\nTerima kasih."


@pytest.mark.parametrize("channel", [Channel.WEB, Channel.API, Channel.EMAIL, Channel.WHATSAPP])
def test_every_channel_gets_the_same_one_line_fields(channel: str) -> None:
    message = InboundMessage(
        channel=channel, sender_address="budi@example.co.id", sender_name=NAME, subject=SUBJECT,
        text=BODY, received_at=NOW, language="id",
        attachments=(IncomingFile(FILE, "image/png", PNG),),
    )  # fmt: skip
    inspected = inspect(message)
    assert inspected.subject == "Tagihan Bcc: victim@example.com [31mFDP.exe"
    assert inspected.sender_name == "Budi Santoso"
    assert [file.filename for file in inspected.attachments] == ["Invoice gnp.exe"]
    assert inspected.text == BODY
    assert replace(inspected.attachments[0], filename=FILE) == message.attachments[0]


def test_the_contact_form_stores_clean_fields_and_the_pages_isolate_the_body(
    client: Client,
) -> None:
    upload = SimpleUploadedFile("Invoice \u202egnp.exe", PNG, "image/png")
    response = client.post("/support/contact/", {
        "name": NAME, "email": "budi@example.co.id", "category": "access",
        "subject": SUBJECT.replace("\r\n", " "), "description": BODY, "attachments": [upload],
    })  # fmt: skip
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert "\u202e" not in ticket.subject
    assert "\x1b" not in ticket.subject
    assert ticket.requester_name == "Budi Santoso"
    message = ticket.messages.get()
    assert message.body == BODY
    assert message.attachments.get().filename == "Invoice gnp.png"  # its type, from its bytes
    page = client.get(open_portal(client, ticket)).content.decode()
    assert f'<div class="body" dir="auto">{BODY}</div>' in page
    assert "<bdi>Invoice gnp.png</bdi>" in page


def test_an_email_subject_name_and_file_name_are_cleaned_like_the_forms() -> None:
    raw = (
        b"From: =?utf-8?b?QnVkaSDigK5vc25hUw==?= <budi@example.co.id>\r\n"
        b"To: support@catalo.id\r\n"
        b"Subject: =?utf-8?b?VGFnaWhhbiDigK5GRFAuZXhl?=\r\n"
        b"Message-ID: <bidi-1@example.co.id>\r\n"
        b"Date: Mon, 23 Nov 2026 09:00:00 +0700\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        b"Tolong cek tagihan saya.\r\n"
        b"--b\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: attachment; filename*=utf-8''Invoice%20%E2%80%AEgnp.exe\r\n\r\n"
        b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4DwAAAQEABRjYTgAAAABJRU5ErkJggg==\r\n"
        b"--b--\r\n"
    )
    result = ingest(raw, mailbox="support@catalo.id", now=timezone.now())
    assert result.outcome == "created", result.reason
    ticket = Ticket.objects.get()
    assert ticket.subject == "Tagihan FDP.exe"
    assert ticket.requester_name == "Budi osnaS"
    assert (
        ticket.messages.get().attachments.get().filename == "Invoice gnp.png"
    )  # its type, from its bytes
