"""Uploads (issue 14, item 9): files are stored under random names whatever the sender called
them, an empty file is named as empty on every form, and quotas per ticket and per client hold
on every channel - a form is refused with what was typed kept, an e-mail or a WhatsApp message
is kept with a note naming the files left out."""

import re
from email.message import EmailMessage
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from loket.inbound.message import InboundMessage
from loket.inbound.pipeline import receive
from loket.mail.ingest import ingest
from loket.tickets.models import Attachment, Channel, Message, Ticket
from loket.tickets.operations import record_public_reply
from loket.tickets.sniffing import IncomingFile
from tests.builders import NOW, PDF, PNG, build_ticket, open_portal

pytestmark = pytest.mark.django_db

CONTACT = "/support/contact/"
RANDOM_NAME = re.compile(r"\d{4}/\d{2}/[0-9a-f]{32}")


def contact_form(*files: SimpleUploadedFile, **overrides: Any) -> dict[str, Any]:
    return {
        "name": "Siti Rahma",
        "email": "siti@example.co.id",
        "category": "access",
        "subject": "Toko belum aktif",
        "description": "Saya sudah membayar paket Pro tetapi toko belum aktif.",
        "attachments": list(files),
        **overrides,
    }


def png(name: str = "proof.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, "image/png")


def portal_reply(client: Client, ticket: Ticket, *files: SimpleUploadedFile) -> Any:
    path = open_portal(client, ticket, language=ticket.language)
    return client.post(path, {"body": "Ini buktinya, mohon dicek.", "attachments": list(files)})


def requester_files(ticket: Ticket) -> int:
    return Attachment.objects.filter(message__ticket=ticket).count()


# --- storage names ---------------------------------------------------------------------------


def test_files_are_stored_under_random_names_and_downloaded_under_their_own(
    client: Client,
) -> None:
    names = ["CON.png", "../../etc/passwd.png", "shell.php.png"]
    assert client.post(CONTACT, contact_form(*(png(name) for name in names))).status_code == 302

    stored = list(Attachment.objects.order_by("pk"))
    assert [file.filename for file in stored] == ["CON.png", "passwd.png", "shell.php.png"]
    for attachment in stored:
        assert RANDOM_NAME.fullmatch(str(attachment.file.name)), attachment.file.name
    assert len({attachment.file.name for attachment in stored}) == 3
    ticket = Ticket.objects.get()
    path = open_portal(client, ticket, language=ticket.language)
    response = client.get(f"{path}files/{stored[0].pk}/")
    assert 'filename="CON.png"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PNG  # type: ignore[attr-defined]


def test_a_file_stored_under_its_old_name_still_downloads(client: Client) -> None:
    ticket = build_ticket()
    message = ticket.messages.get()
    old_name = default_storage.save("2025/01/proof.png", ContentFile(PNG))
    attachment = Attachment.objects.create(
        message=message, file=old_name, filename="proof.png", content_type="image/png",
        size=len(PNG), sha256="",
    )  # fmt: skip
    path = open_portal(client, ticket, language=ticket.language)
    response = client.get(f"{path}files/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG  # type: ignore[attr-defined]


# --- empty files -----------------------------------------------------------------------------


def test_an_empty_file_on_the_contact_form_is_named_as_empty(client: Client) -> None:
    empty = SimpleUploadedFile("screenshot.png", b"", "image/png")
    response = client.post(CONTACT, contact_form(empty), headers={"accept-language": "id"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Berkas screenshot.png kosong" in page
    assert "bukan gambar" not in page.lower()
    assert 'value="Toko belum aktif"' in page
    assert not Ticket.objects.exists()


def test_an_empty_file_in_a_portal_reply_is_named_as_empty(client: Client) -> None:
    ticket = build_ticket(language="ja")
    response = portal_reply(
        client, ticket, SimpleUploadedFile("receipt.pdf", b"", "application/pdf")
    )
    assert response.status_code == 400
    assert "ファイル receipt.pdf は空です" in response.content.decode()
    assert ticket.messages.count() == 1


def test_an_empty_file_in_an_agents_reply_is_named_as_empty(client: Client, agent: User) -> None:
    ticket = build_ticket()
    client.force_login(agent)
    response = client.post(
        f"/console/t/{ticket.reference}/reply/",
        {"body": "See the attached guide.", "action": "reply", "status_after": "",
         "attachments": [SimpleUploadedFile("guide.pdf", b"", "application/pdf")]},
        headers={"accept-language": "en"},
    )  # fmt: skip
    assert "The file guide.pdf is empty" in response.content.decode()
    assert ticket.messages.count() == 1


# --- per-ticket quota ------------------------------------------------------------------------


def test_a_portal_reply_past_the_tickets_file_count_is_refused_keeping_the_text(
    client: Client, settings: Any
) -> None:
    settings.LOKET_ATTACHMENTS_PER_TICKET = 2
    ticket = build_ticket(language="id", attachments=(IncomingFile("a.png", "image/png", PNG),) * 2)
    response = portal_reply(client, ticket, png("third.png"))

    assert response.status_code == 400
    page = response.content.decode()
    assert "third.png: berkas-berkas ini akan melebihi batas" in page
    assert "2 berkas" in page
    assert "Ini buktinya, mohon dicek." in page, "what they typed is kept"
    assert ticket.messages.count() == 1
    assert requester_files(ticket) == 2
    assert portal_reply(client, ticket).status_code == 302, "without the file it goes through"


def test_a_portal_reply_past_the_tickets_bytes_is_refused(client: Client, settings: Any) -> None:
    settings.LOKET_ATTACHMENT_BYTES_PER_TICKET = len(PNG) + len(PDF) - 1
    ticket = build_ticket(language="en", attachments=(IncomingFile("a.png", "image/png", PNG),))
    response = portal_reply(client, ticket, SimpleUploadedFile("b.pdf", PDF, "application/pdf"))
    assert response.status_code == 400
    assert "b.pdf: these files would take your request past" in response.content.decode()
    assert requester_files(ticket) == 1


def test_agents_files_do_not_use_the_requesters_quota(
    client: Client, agent: User, settings: Any
) -> None:
    settings.LOKET_ATTACHMENTS_PER_TICKET = 1
    ticket = build_ticket(language="en")
    guide = IncomingFile("guide.pdf", "application/pdf", PDF)
    record_public_reply(ticket=ticket, author=agent, body="A guide.", attachments=(guide,), now=NOW)
    assert portal_reply(client, ticket, png()).status_code == 302
    assert portal_reply(client, ticket, png("second.png")).status_code == 400


# --- per-client quota ------------------------------------------------------------------------


def test_one_client_uploading_too_much_in_an_hour_gets_429_keeping_the_text(
    client: Client, settings: Any
) -> None:
    settings.LOKET_UPLOAD_BYTES_PER_CLIENT_PER_HOUR = 2 * len(PNG) + len(PDF) - 1
    assert client.post(CONTACT, contact_form(png("one.png"))).status_code == 302
    refused = client.post(
        CONTACT,
        contact_form(png("two.png"), SimpleUploadedFile("three.pdf", PDF, "application/pdf"),
                     subject="Masih belum aktif"),
        headers={"accept-language": "id"},
    )  # fmt: skip

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    page = refused.content.decode()
    assert "three.pdf: Anda telah mengirim lebih banyak berkas" in page
    assert 'value="Masih belum aktif"' in page
    assert Ticket.objects.count() == 1
    # What was refused was not counted: one more PNG still fits the hour.
    assert client.post(CONTACT, contact_form(png("two.png"))).status_code == 302


def test_the_client_quota_counts_the_portal_too(client: Client, settings: Any) -> None:
    settings.LOKET_UPLOAD_BYTES_PER_CLIENT_PER_HOUR = len(PNG)
    ticket = build_ticket(language="en")
    assert portal_reply(client, ticket, png()).status_code == 302
    refused = portal_reply(client, ticket, png("again.png"))
    assert refused.status_code == 429
    assert "Retry-After" in refused


# --- channels without a form: the message is kept, the files left out are named ---------------


def mail_with_files(*names: str) -> bytes:
    mail = EmailMessage()
    mail["From"] = "Budi <budi@example.co.id>"
    mail["To"] = "support@catalo.id"
    mail["Subject"] = "Toko saya belum aktif"
    mail["Message-ID"] = "<files-1@example.co.id>"
    mail.set_content("Saya sudah membayar, ini buktinya.\n")
    for name in names:
        mail.add_attachment(PNG, maintype="image", subtype="png", filename=name)
    return mail.as_bytes()


def test_an_email_over_the_quota_is_kept_with_a_note_naming_the_files_left_out(
    settings: Any,
) -> None:
    settings.LOKET_ATTACHMENTS_PER_TICKET = 1
    result = ingest(mail_with_files("first.png", "second.png"), mailbox="support@catalo.id",
                    now=NOW)  # fmt: skip
    assert result.outcome == "created"
    message = Message.objects.get()
    assert [a.filename for a in message.attachments.all()] == ["first.png"]
    assert "Saya sudah membayar" in message.body
    assert "[second.png (" in message.body
    assert "tidak disimpan" in message.body, "in the ticket's language"


def chat(text: str, *files: IncomingFile) -> InboundMessage:
    return InboundMessage(
        channel=Channel.WHATSAPP, sender_address="+6281234567890", sender_name="Budi",
        subject="", text=text, received_at=NOW, attachments=files, language="id",
    )  # fmt: skip


def test_a_whatsapp_photo_over_the_clients_hour_is_noted_not_dropped(settings: Any) -> None:
    settings.LOKET_UPLOAD_BYTES_PER_CLIENT_PER_HOUR = len(PNG)
    photo = IncomingFile("whatsapp-image.png", "image/png", PNG)
    first = receive(chat("Toko saya belum aktif.", photo), now=NOW)
    second = receive(chat("Ini foto lainnya.", photo), now=NOW)

    assert first.ticket is not None
    assert second.outcome == "appended"
    assert second.ticket == first.ticket
    latest = Message.objects.order_by("pk").last()
    assert latest is not None
    assert latest.body.startswith("Ini foto lainnya.")
    assert "[whatsapp-image.png (" in latest.body
    assert "satu jam" in latest.body
    assert not latest.attachments.exists()
