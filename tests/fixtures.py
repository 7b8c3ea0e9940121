"""Shared fixtures: the shipped policy's categories, people, a real SMTP server, and what the
log handler writes."""

import io
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.core.management import call_command

from loket.policy.operations import AppliedPolicy, apply_policy
from loket.policy.queries import forget_cached_policy
from tests import graph as graph_api
from tests.graph import FakeGraph
from tests.smtp import SmtpServer


@pytest.fixture(scope="session", autouse=True)
def collected_static_files() -> None:
    """Pages name their CSS by its hashed name from collectstatic's manifest, as in production;
    collected once, about a second."""
    call_command("collectstatic", "--no-input", verbosity=0)


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    """Rate-limit counters live in the per-process cache: every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fresh_policy_cache() -> Iterator[None]:
    """A test's policy never leaks into the next through the per-process cache."""
    forget_cached_policy()
    yield
    forget_cached_policy()


@pytest.fixture(autouse=True)
def shipped_categories(request: pytest.FixtureRequest) -> None:
    """Tests that touch the database see the categories of the shipped Catalo.id policy."""
    marker = request.node.get_closest_marker("django_db")
    uses_db = {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    if marker is not None or uses_db:
        request.getfixturevalue("transactional_db" if _is_transactional(request) else "db")
        apply_shipped_policy()


def _is_transactional(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


SHIPPED_POLICY = Path(settings.LOKET_POLICY_FILE)


def apply_shipped_policy() -> AppliedPolicy:
    return apply_policy(
        source=SHIPPED_POLICY.read_text(encoding="utf-8"),
        filename=str(SHIPPED_POLICY),
        applied_by="tests",
        now=datetime(2026, 1, 5, 2, 0, tzinfo=UTC),
    )


@pytest.fixture
def agent(db: None) -> User:
    user = User.objects.create_user("agent", "agent@catalo.id", "agent-password")
    user.groups.add(Group.objects.get_or_create(name="agents")[0])
    return user


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_settings(settings: object, smtp_server: SmtpServer) -> SmtpServer:
    """Route Loket's mail through the real SMTP server on loopback."""
    settings.MAILERS = {  # type: ignore[attr-defined]
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": smtp_server.port, "timeout": 10},
        }
    }
    return smtp_server


@pytest.fixture
def whatsapp_connected(settings: object) -> None:
    """The four Cloud API settings set (to the fake's values): the channel is connected."""
    settings.LOKET_WHATSAPP_PHONE_NUMBER_ID = graph_api.PHONE_NUMBER_ID  # type: ignore[attr-defined]
    settings.LOKET_WHATSAPP_ACCESS_TOKEN = graph_api.ACCESS_TOKEN  # type: ignore[attr-defined]
    settings.LOKET_WHATSAPP_APP_SECRET = graph_api.APP_SECRET  # type: ignore[attr-defined]
    settings.LOKET_WHATSAPP_VERIFY_TOKEN = graph_api.VERIFY_TOKEN  # type: ignore[attr-defined]


@pytest.fixture
def graph(settings: object, whatsapp_connected: None) -> Iterator[FakeGraph]:
    """WhatsApp connected to a fake Graph API on loopback."""
    fake = FakeGraph().start()
    settings.LOKET_WHATSAPP_GRAPH_URL = fake.url  # type: ignore[attr-defined]
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the configured console handler writes (the one Django's and Loket's loggers share),
    caught in memory instead of on stderr."""
    handler = logging.getLogger("django").handlers[0]
    assert handler is logging.getLogger("loket").handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)
