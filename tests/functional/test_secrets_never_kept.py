"""POLICY.md S13 as a requester would test it: paste a password and a one-time code on every
channel, then look for them everywhere Loket keeps anything. They must be nowhere."""

import zlib

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from loket.api.models import ApiToken
from loket.inbound.models import InboundRecord
from loket.mail.ingest import ingest
from loket.notify.models import OutboxMessage
from loket.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db

PASSWORD = "Kopi#Susu2026"
CODE = "739204"
SECRETS = (PASSWORD, CODE, "73 92 04")


def every_stored_value() -> str:
    """Every row of every table, as text (compressed raw mail decompressed)."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the database
            parts += [repr(row) for row in cursor.fetchall()]
    parts += [
        record.raw_bytes().decode("utf-8", "replace") for record in InboundRecord.objects.all()
    ]
    return "\n".join(parts)


def assert_kept_nowhere() -> None:
    stored = every_stored_value()
    for secret in SECRETS:
        assert secret not in stored, f"{secret!r} was stored"
        assert zlib.compress(secret.encode()) not in stored.encode()


def test_the_contact_form_keeps_no_password_and_says_so_in_the_requesters_language(
    client: Client,
) -> None:
    response = client.post(
        "/support/contact/",
        {
            "name": "Budi", "email": "budi@example.co.id", "category": "access",
            "subject": f"Tidak bisa login, kode OTP {CODE}",
            "description": f"Password saya {PASSWORD} dan kode OTP nya {CODE}, INV-2026-0398.",
        },
        HTTP_ACCEPT_LANGUAGE="id",
    )  # fmt: skip
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.redactions == 3
    message = Message.objects.get()
    assert "[dihapus: kata sandi]" in message.body
    assert "INV-2026-0398" in message.body
    acknowledgement = OutboxMessage.objects.get(kind="acknowledgement")
    assert "Catalo.id tidak pernah memintanya" in acknowledgement.body
    assert_kept_nowhere()


def test_the_api_keeps_no_one_time_code(client: Client) -> None:
    token = ApiToken(name="store")
    secret = token.issue()
    token.save()
    response = client.post(
        "/api/v1/tickets",
        {
            "name": "Alex", "email": "alex@example.sg", "category": "access",
            "subject": "Locked out", "description": "My verification code is 73 92 04.",
            "language": "en",
        },
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}",
    )  # fmt: skip
    assert response.status_code == 201
    assert "[removed: one-time code]" in response.json()["messages"][0]["body"]
    assert_kept_nowhere()


def test_e_mail_keeps_no_secret_in_the_ticket_nor_in_the_stored_raw_message() -> None:
    raw = (
        "From: Taro <taro@example.jp>\r\nTo: support@catalo.id\r\n"
        f"Subject: =?UTF-8?B?44OR44K544Ov44O844OJ44GvS29waSNTdXN1MjAyNg==?=\r\n"
        "Message-ID: <secret-1@example.jp>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/alternative; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"パスワードは{PASSWORD}です。認証コード：{CODE}\r\n"
        "--B\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        f"<p>パスワードは{PASSWORD}です。認証コード：{CODE}</p>\r\n--B--\r\n"
    ).encode()
    result = ingest(raw, mailbox="support@catalo.id", now=timezone.now())
    assert result.outcome == "created"
    message = Message.objects.get()
    assert "[削除済み: パスワード]" in message.body
    assert "[削除済み: ワンタイムコード]" in message.html
    assert_kept_nowhere()
