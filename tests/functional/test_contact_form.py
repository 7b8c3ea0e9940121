from datetime import UTC, datetime
from html import escape
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from loket.inbound.models import BlockedSender
from loket.notify.delivery import deliver_outbox_message
from loket.notify.models import OutboxMessage
from loket.tickets.models import Attachment, Message, Ticket
from tests.builders import EXE, PDF, PNG

pytestmark = pytest.mark.django_db

URL = "/support/contact/"


def valid_form(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Siti Rahma",
        "email": "siti@example.co.id",
        "category": "access",
        "subject": "Toko belum aktif",
        "description": "Saya sudah membayar paket Pro tetapi toko belum aktif.",
        **overrides,
    }


def assert_nothing_created() -> None:
    assert not Ticket.objects.exists()
    assert not Message.objects.exists()
    assert not Attachment.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_the_form_offers_the_policy_categories_in_the_visitors_language(client: Client) -> None:
    page = client.get(URL, headers={"accept-language": "ja"}).content.decode()
    assert 'lang="ja"' in page
    assert "アカウントとセキュリティ" in page
    page = client.get(URL, headers={"accept-language": "id"}).content.decode()
    assert "Sengketa tagihan" in page


def test_a_valid_submission_shows_the_reference_and_keeps_the_language(client: Client) -> None:
    response = client.post(
        URL,
        valid_form(attachments=[SimpleUploadedFile("bukti.png", PNG, "image/png")]),
        headers={"accept-language": "id"},
        follow=True,
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 200
    assert str(ticket.reference) in response.content.decode()
    assert ticket.language == "id"
    assert ticket.channel == "web"
    assert ticket.messages.get().attachments.get().filename == "bukti.png"
    assert OutboxMessage.objects.filter(ticket=ticket, kind="acknowledgement").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"email": "siti@"}, "email", "Enter a valid email address."),
        ({"category": "lottery"}, "category", "Select a valid choice."),
        ({"subject": "x" * 10_000}, "subject", "at most 200 characters"),
        ({"description": "   "}, "description", "This field is required."),
    ],
)
def test_bad_fields_get_a_clear_error_and_create_nothing(
    client: Client, overrides: dict[str, str], field: str, message: str
) -> None:
    response = client.post(URL, valid_form(**overrides), headers={"accept-language": "en"})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert_nothing_created()


def test_errors_are_shown_in_the_requesters_language(client: Client) -> None:
    response = client.post(URL, valid_form(name=""), headers={"accept-language": "ja"})
    assert response.status_code == 400
    assert "このフィールドは必須です。" in response.content.decode()
    response = client.post(URL, valid_form(name=""), headers={"accept-language": "id"})
    assert "Bidang ini tidak boleh kosong." in response.content.decode()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("invoice.png", EXE, "image/png"), "is not an image, a PDF"),
        (SimpleUploadedFile("page.txt", b"<html><script>x</script>", "text/plain"), "not an image"),
        (
            SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024), "application/pdf"),
            "is too large",
        ),
    ],
    ids=["disguised-executable", "html-as-text", "oversized"],
)
def test_bad_attachments_are_refused_by_their_bytes_and_create_nothing(
    client: Client, upload: SimpleUploadedFile, message: str
) -> None:
    response = client.post(URL, valid_form(attachments=[upload]), headers={"accept-language": "en"})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["attachments"])
    assert_nothing_created()


def test_more_than_five_attachments_are_refused(client: Client) -> None:
    uploads = [SimpleUploadedFile(f"s{i}.png", PNG, "image/png") for i in range(6)]
    response = client.post(URL, valid_form(attachments=uploads), headers={"accept-language": "en"})
    assert response.status_code == 400
    assert "at most 5 files" in " ".join(response.context["form"].errors["attachments"])
    assert_nothing_created()


def test_a_pdf_called_png_is_kept_as_the_pdf_it_is(client: Client) -> None:
    upload = SimpleUploadedFile("receipt.png", PDF, "image/png")
    client.post(URL, valid_form(attachments=[upload]))
    attachment = Attachment.objects.get()
    assert (attachment.filename, attachment.content_type) == ("receipt.pdf", "application/pdf")


def test_html_and_script_in_fields_are_stored_as_text_and_shown_inert(client: Client) -> None:
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = client.post(
        URL, valid_form(name=script, subject=script, description=script), follow=True
    )
    ticket = Ticket.objects.get()
    assert ticket.subject == script
    portal = client.post(response.context["open_path"], follow=True).content.decode()
    assert f"<h1>{escape(script)}</h1>" in portal, "the browser that sent the form opens it"
    assert "<script>alert" not in portal
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in portal


def test_the_form_is_protected_against_cross_site_posts() -> None:
    response = Client(enforce_csrf_checks=True).post(URL, valid_form())
    assert response.status_code == 403
    assert_nothing_created()


def test_a_mail_server_that_is_down_never_fails_the_submission(
    client: Client, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 1},
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, valid_form())
    assert response.status_code == 302

    acknowledgement = OutboxMessage.objects.get()
    assert deliver_outbox_message.call(str(acknowledgement.id)) == "retry"

    assert Ticket.objects.count() == 1
    acknowledgement = OutboxMessage.objects.get()
    assert (acknowledgement.status, acknowledgement.attempts) == ("pending", 1)
    assert acknowledgement.last_error


def test_the_browser_time_zone_is_kept_and_deadlines_are_shown_in_it_too(client: Client) -> None:
    monday_0900_wib = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    with time_machine.travel(monday_0900_wib, tick=False):
        client.post(URL, valid_form(time_zone="Asia/Tokyo"), headers={"accept-language": "en"})
    ticket = Ticket.objects.get()
    assert ticket.time_zone == "Asia/Tokyo"
    body = OutboxMessage.objects.get(kind="acknowledgement").body
    assert "First answer by: Nov. 23, 2026, 6 p.m. WIB (Nov. 23, 2026, 8 p.m. Asia/Tokyo)" in body


def test_a_made_up_time_zone_is_ignored_not_an_error(client: Client) -> None:
    response = client.post(URL, valid_form(time_zone="Mars/Olympus_Mons"))
    assert response.status_code == 302
    assert Ticket.objects.get().time_zone == ""


def test_a_flood_to_one_address_is_refused_with_429_keeping_what_was_typed(
    client: Client, settings: Any
) -> None:
    settings.LOKET_LIMIT_CONTACT_PER_RECIPIENT = 3
    for _ in range(3):
        assert client.post("/support/contact/", valid_form()).status_code == 302
    refused = client.post(
        "/support/contact/", valid_form(subject="Masih belum aktif"),
        headers={"accept-language": "id"},
    )  # fmt: skip
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    page = refused.content.decode()
    assert 'value="Masih belum aktif"' in page, "what they typed is kept"
    assert "Terlalu banyak permintaan" in page, "said in the requester's language"
    assert Ticket.objects.count() == 3
    assert OutboxMessage.objects.count() == 3, "no fourth acknowledgement to that mailbox"


def test_a_flood_from_one_client_is_refused_whatever_the_addresses(
    client: Client, settings: Any
) -> None:
    settings.LOKET_LIMIT_CONTACT_PER_CLIENT = 2
    answers = [
        client.post("/support/contact/", valid_form(email=f"v{n}@example.com")).status_code
        for n in range(4)
    ]
    assert answers == [302, 302, 429, 429]


def test_a_blocked_address_is_told_so_and_nothing_is_answered(client: Client) -> None:
    BlockedSender.objects.create(address="siti@example.co.id", blocked_at=timezone.now())
    answer = client.post("/id/support/contact/", valid_form())
    assert answer.status_code == 403
    assert "Kami tidak dapat menerima permintaan dari alamat ini" in answer.content.decode()
    assert_nothing_created()
    assert not OutboxMessage.objects.exists()
