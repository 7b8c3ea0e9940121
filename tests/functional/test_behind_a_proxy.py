"""Behind a TLS-terminating proxy: HTTPS and the client's address come from the proxy's headers,
only when the operator says so; and the production profile passes `check --deploy`."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.test.utils import override_settings

pytestmark = pytest.mark.django_db

SPOOFED = {"x-forwarded-for": "10.0.0.5", "x-forwarded-proto": "https"}
BEHIND_NGINX = {
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "LOKET_CLIENT_IP_HEADER": "HTTP_X_FORWARDED_FOR",
    "LOKET_TRUSTED_PROXIES": 1,
    "SECURE_SSL_REDIRECT": True,
}


@override_settings(LOKET_METRICS_TOKEN="", LOKET_METRICS_ALLOWED_IPS=["10.0.0.5/32"])
def test_by_default_a_client_cannot_choose_its_address_or_claim_https() -> None:
    client = Client()
    assert client.get("/metrics", headers=SPOOFED).status_code == 403
    with override_settings(SECURE_SSL_REDIRECT=True):
        response = Client().get("/support/contact/", headers=SPOOFED)
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/support/contact/"


@override_settings(
    LOKET_METRICS_TOKEN="", LOKET_METRICS_ALLOWED_IPS=["10.0.0.5/32"], **BEHIND_NGINX
)
def test_behind_the_proxy_the_address_and_https_come_from_its_headers() -> None:
    client = Client()
    # nginx appended the address it saw (10.0.0.5) after what the client wrote.
    forwarded = {"x-forwarded-for": "127.0.0.9, 10.0.0.5", "x-forwarded-proto": "https"}
    assert client.get("/metrics", headers=forwarded).status_code == 200
    spoofing = {"x-forwarded-for": "10.0.0.5, 198.51.100.4", "x-forwarded-proto": "https"}
    assert client.get("/metrics", headers=spoofing).status_code == 403

    response = client.get("/support/contact/", headers=forwarded)
    assert response.status_code == 200
    assert response.wsgi_request.is_secure()
    assert response.wsgi_request.META["REMOTE_ADDR"] == "10.0.0.5"
    plain = client.get("/support/contact/", headers={"x-forwarded-for": "10.0.0.5"})
    assert plain.status_code == 301  # the proxy said http: off to https
    assert client.get("/health/").status_code == 200  # load balancers probe over http


PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "support.catalo.id",
    "CSRF_TRUSTED_ORIGINS": "https://support.catalo.id",
    "LOKET_BASE_URL": "https://support.catalo.id",
    "LOKET_SECURE_COOKIES": "true",
    "LOKET_SSL_REDIRECT": "true",
    "LOKET_HSTS_SECONDS": "31536000",
    "LOKET_HSTS_INCLUDE_SUBDOMAINS": "true",
    "LOKET_HSTS_PRELOAD": "true",
    "LOKET_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "LOKET_CLIENT_IP_HEADER": "X-Forwarded-For",
    "LOKET_TRUSTED_PROXIES": "1",
}


def loket_manage(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "LOKET_DEBUG"}
    environment |= PRODUCTION | {"LOKET_VAR_DIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-m", "loket.cli", "manage", *arguments],
        env=environment, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


def test_the_production_profile_passes_check_deploy_without_a_warning(tmp_path: Path) -> None:
    result = loket_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_proxy_settings_are_read_from_the_environment(tmp_path: Path) -> None:
    shown = "from django.conf import settings as s; print(s.SECURE_PROXY_SSL_HEADER, "
    shown += "s.LOKET_CLIENT_IP_HEADER, s.LOKET_TRUSTED_PROXIES, s.SECURE_HSTS_SECONDS)"
    result = loket_manage(tmp_path, "shell", "-v", "0", "-c", shown)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "('HTTP_X_FORWARDED_PROTO',", "'https')", "HTTP_X_FORWARDED_FOR", "1", "31536000"
    ]  # fmt: skip
