"""Login protection (issue 14, item 2): before, 42 wrong passwords a minute were accepted on one
connection and the right password worked straight after. Now an account, and a client
address, is locked out after a few failures, the right password included, with a page in the
reader's language, an audit line, and the lock ends on its own."""

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client, override_settings

NOW = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
CONSOLE = "/console/login/"
ADMIN = "/admin/login/"


def sign_in(client: Client, path: str, username: str, password: str, address: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def admin_user(db: None) -> Iterator[User]:
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield User.objects.create_superuser("boss", "boss@catalo.id", "boss-password")


@pytest.mark.parametrize("path", [CONSOLE, ADMIN])
def test_five_wrong_passwords_lock_the_account_and_the_right_one_is_refused(
    client: Client, admin_user: User, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    client.cookies["django_language"] = "en"
    with time_machine.travel(NOW, tick=False), caplog.at_level(logging.WARNING, "loket.security"):
        for _ in range(4):
            assert sign_in(client, path, "boss", "guess").status_code == 200
        locked = sign_in(client, path, "boss", "guess")
        assert locked.status_code == 429
        assert locked["Retry-After"] == "900"
        refused = sign_in(client, path, "boss", "boss-password", address="10.9.9.9")
    assert refused.status_code == 429
    assert "even with the right password" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    messages = [record.getMessage() for record in caplog.records]
    assert messages.count("failed sign-in for 'boss' from 10.0.0.1") == 5
    assert "locked out account 'boss' for 900 s after 5 failed sign-ins" in messages
    assert "refused sign-in for 'boss' from 10.9.9.9: locked out for 900 s more" in messages
    assert not any("boss-password" in message for message in messages)


def test_the_lockout_ends_on_its_own(client: Client, admin_user: User) -> None:
    with time_machine.travel(NOW, tick=False):
        for _ in range(5):
            sign_in(client, CONSOLE, "boss", "guess")
    with time_machine.travel(NOW + timedelta(minutes=14), tick=False):
        assert sign_in(client, CONSOLE, "boss", "boss-password").status_code == 429
    with time_machine.travel(NOW + timedelta(minutes=15, seconds=1), tick=False):
        assert sign_in(client, CONSOLE, "boss", "boss-password").status_code == 302
        assert client.session["_auth_user_id"] == str(admin_user.pk)


@override_settings(LOKET_LOGIN_FAILURES_PER_ADDRESS=6)
def test_one_address_guessing_many_accounts_is_locked_out(client: Client, admin_user: User) -> None:
    with time_machine.travel(NOW, tick=False):
        for number in range(5):
            assert sign_in(client, CONSOLE, f"user{number}", "guess").status_code == 200
        assert sign_in(client, CONSOLE, "user5", "guess").status_code == 429
        assert sign_in(client, CONSOLE, "boss", "boss-password").status_code == 429
        # Another address is not locked out by it.
        assert sign_in(client, CONSOLE, "boss", "boss-password", "10.0.0.2").status_code == 302


def test_a_successful_sign_in_clears_the_account_count(client: Client, admin_user: User) -> None:
    with time_machine.travel(NOW, tick=False):
        for _ in range(4):
            sign_in(client, CONSOLE, "boss", "guess")
        assert sign_in(client, CONSOLE, "boss", "boss-password").status_code == 302
        client.logout()
        for _ in range(4):
            assert sign_in(client, CONSOLE, "boss", "guess").status_code == 200


@pytest.mark.parametrize(
    ("language", "words"),
    [("ja", "正しいパスワード"), ("id", "kata sandi yang benar")],
)
def test_the_lockout_page_speaks_the_readers_language(
    client: Client, admin_user: User, language: str, words: str
) -> None:
    client.cookies["django_language"] = language
    with time_machine.travel(NOW, tick=False):
        for _ in range(5):
            sign_in(client, CONSOLE, "boss", "guess")
        page = sign_in(client, CONSOLE, "boss", "boss-password")
    assert page.status_code == 429
    assert words in page.content.decode()
