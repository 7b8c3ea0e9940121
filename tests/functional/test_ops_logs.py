"""Logs as an operator reads them with DEBUG off: every unhandled error with its traceback and
the request id the requester sees on the error page; no ticket token in any line."""

import io
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from loket import urls as loket_urls
from tests.builders import build_ticket, fresh_link
from tests.smtp import free_port


def ledger_check(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the ledger does not balance")


# This module is the URLconf of the tests marked with it: Loket's, plus a view that fails.
handler500 = loket_urls.handler500
urlpatterns = [path("ledger/", ledger_check), *loket_urls.urlpatterns]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_an_unhandled_error_is_logged_with_its_traceback_and_the_id_on_the_error_page(
    log_lines: io.StringIO, settings: object
) -> None:
    assert settings.DEBUG is False  # type: ignore[attr-defined]
    response = Client(raise_request_exception=False).get("/ledger/")

    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    page = response.content.decode()
    assert f'<code id="request-id">{request_id}</code>' in page
    # Its one inline style carries the nonce the Content-Security-Policy allows.
    nonce = page.split('<style nonce="', 1)[1].split('"', 1)[0]
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    log = log_lines.getvalue()
    error_line = next(line for line in log.splitlines() if "Internal Server Error" in line)
    assert f"[{request_id}]" in error_line
    assert "Traceback (most recent call last)" in log
    assert "RuntimeError: the ledger does not balance" in log
    assert f"[{request_id}] GET /ledger/ 500" in log


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_the_error_page_speaks_the_requesters_language() -> None:
    client = Client(raise_request_exception=False, headers={"accept-language": "ja"})
    page = client.get("/ledger/").content.decode()
    assert "エラー番号" in page


@pytest.mark.django_db
def test_a_safe_incoming_request_id_is_kept_and_anything_else_replaced(client: Client) -> None:
    assert client.get("/health/", headers={"x-request-id": "lb-7f3a9c2e"})["X-Request-ID"] == (
        "lb-7f3a9c2e"
    )
    for unsafe in ("a\nFORGED log line", "x" * 200, "短い-request-id", "short"):
        answered = client.get("/health/", headers={"x-request-id": unsafe})["X-Request-ID"]
        assert answered != unsafe
        assert len(answered) == 16
        int(answered, 16)
    first, second = client.get("/health/"), client.get("/health/")
    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.django_db
def test_a_portal_link_is_logged_with_its_token_masked(
    client: Client, log_lines: io.StringIO
) -> None:
    ticket = build_ticket()
    link = fresh_link(ticket, language="ja")
    token = link.split("/")[4]
    old_link = link.removeprefix("/ja")  # as mailed before the language prefixes
    assert client.get(link).status_code == 200
    assert client.get(old_link).status_code == 200
    assert client.post(link).status_code == 302
    assert client.post(f"{link}new-link/").status_code == 200

    log = log_lines.getvalue()
    assert "GET /ja/portal/t/[token]/ 200" in log
    assert "GET /portal/t/[token]/ 200" in log
    assert "POST /ja/portal/t/[token]/ 302" in log
    assert "POST /ja/portal/t/[token]/new-link/ 200" in log
    assert token not in log


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
            return response.status, response.headers["X-Request-ID"]
    except urllib.error.HTTPError as error:
        return error.code, error.headers["X-Request-ID"]


def test_the_web_server_writes_json_lines_with_the_traceback_and_no_token(tmp_path: Path) -> None:
    """`loket web` as deployed, on a database nobody migrated: every page that reads it fails,
    and the log says so, as JSON, with no portal token in it."""
    port, key = free_port(), "k" * 50
    environment = {
        **os.environ,
        "DATABASE_URL": "",
        "LOKET_VAR_DIR": str(tmp_path),
        "SECRET_KEY": key,
        "LOKET_LOG_FORMAT": "json",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "loket.cli", "web", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    token = secrets.token_urlsafe(32)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/health/", server)
        status, request_id = fetch(f"{base}/portal/t/{token}/")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output, _ = server.communicate(timeout=30)

    assert status == 500
    assert token not in output
    records = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    error = next(r for r in records if r["logger"] == "django.request")
    assert error["level"] == "ERROR"
    assert error["request_id"] == request_id
    assert error["message"] == "Internal Server Error: /portal/t/[token]/"
    assert "no such table" in error["exc_info"]
    access = [r for r in records if r["logger"] == "loket.access"]
    assert {(r["path"], r["status"]) for r in access} >= {
        ("/health/", 200),
        ("/portal/t/[token]/", 500),
    }
    assert all(r["timestamp"] and r["request_id"] for r in access)


def wait_for(
    url: str, process: subprocess.Popen[str] | subprocess.Popen[bytes], timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "loket web exited early"
        try:
            if fetch(url)[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout} s")


@pytest.mark.django_db
def test_a_verification_link_is_logged_with_its_token_masked(
    client: Client, log_lines: io.StringIO
) -> None:
    ticket = build_ticket()
    token = "Zq3-one-time-token-that-must-never-be-logged"
    assert client.post(f"/portal/verify/{ticket.reference}/{token}/").status_code == 400

    log = log_lines.getvalue()
    assert f"POST /portal/verify/{ticket.reference}/[token]/ 400" in log
    assert token not in log
