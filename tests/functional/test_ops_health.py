"""/ready/ and /metrics as a load balancer, an orchestrator and Prometheus see them."""

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from loket.mail.ingest import ingest
from loket.notify.delivery import deliver
from loket.notify.models import OutboxMessage
from loket.ops.heartbeat import record_heartbeat
from loket.sla.sweep import sweep
from loket.tickets.operations import set_status
from loket.worker import housekeeping_once
from tests.builders import NOW, build_ticket
from tests.functional.test_ops_logs import wait_for
from tests.smtp import SmtpServer, free_port

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mail"


def test_ready_fails_until_a_worker_has_written_its_heartbeat(client: Client) -> None:
    response = client.get("/ready/")
    assert response.status_code == 503
    assert response.json()["reasons"] == ["no worker has written a heartbeat yet"]
    assert response.json()["checks"]["database"] == {"ok": True}

    housekeeping_once()  # a worker's round: heartbeat, outbox recovery, sweep
    response = client.get("/ready/")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert response.json()["reasons"] == []


def test_ready_fails_when_the_worker_has_been_silent_too_long(client: Client) -> None:
    with time_machine.travel(NOW, tick=False):
        housekeeping_once()
    with time_machine.travel(NOW + timedelta(seconds=90), tick=False):
        assert client.get("/ready/").status_code == 200
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        response = client.get("/ready/")
    assert response.status_code == 503
    assert response.json()["reasons"] == ["no worker heartbeat for 600 s (limit 120 s)"]


def test_ready_fails_when_the_sla_sweep_falls_behind_and_recovers_when_it_runs(
    client: Client,
) -> None:
    build_ticket(now=NOW)  # first response due within hours of Monday 09:00 WIB
    late = NOW + timedelta(days=3)
    with time_machine.travel(late, tick=False):
        record_heartbeat(late)  # the worker is alive, but no sweep has run
        response = client.get("/ready/")
        assert response.status_code == 503
        (reason,) = response.json()["reasons"]
        assert reason.startswith("the SLA sweep is ")
        assert reason.endswith("behind (limit 300 s)")
        assert response.json()["checks"]["sla_sweep"]["lag_seconds"] > 300

        sweep(late)
        assert client.get("/ready/").status_code == 200


def scrape(client: Client, **headers: str) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    families = text_string_to_metric_families(response.content.decode())
    return {
        family.name: {tuple(sorted(s.labels.items())): s.value for s in family.samples}
        for family in families
    }


def test_metrics_refuse_a_scraper_without_the_token_or_an_allowed_address(
    client: Client, settings: object
) -> None:
    settings.LOKET_METRICS_TOKEN = "s3cret-scrape-token"  # type: ignore[attr-defined]
    settings.LOKET_METRICS_ALLOWED_IPS = []  # type: ignore[attr-defined]
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/metrics", headers={"authorization": "s3cret-scrape-token"}).status_code == (
        403
    )
    scrape(client, authorization="Bearer s3cret-scrape-token")

    settings.LOKET_METRICS_TOKEN = ""  # type: ignore[attr-defined]
    assert client.get("/metrics", headers={"authorization": "Bearer "}).status_code == 403
    settings.LOKET_METRICS_ALLOWED_IPS = ["10.0.0.0/8"]  # type: ignore[attr-defined]
    assert client.get("/metrics").status_code == 403  # the test client is 127.0.0.1
    settings.LOKET_METRICS_ALLOWED_IPS = ["10.0.0.0/8", "127.0.0.1/32"]  # type: ignore[attr-defined]
    scrape(client)


def test_metrics_count_tickets_outbox_sla_and_inbound_mail(
    client: Client, settings: object, smtp_settings: SmtpServer
) -> None:
    settings.LOKET_METRICS_ALLOWED_IPS = ["127.0.0.1"]  # type: ignore[attr-defined]
    first = build_ticket(category="access", now=NOW)
    build_ticket(category="access", now=NOW + timedelta(minutes=20))
    build_ticket(category="complaint", now=NOW + timedelta(minutes=40))
    deliver(OutboxMessage.objects.get(ticket=first).pk, NOW + timedelta(minutes=1))
    set_status(ticket=first, status="resolved", actor=None, now=NOW + timedelta(minutes=50))
    ingest(
        (FIXTURES / "en-plain.eml").read_bytes(),
        mailbox="support@catalo.id",
        now=NOW + timedelta(minutes=30),
    )
    ingest(
        (FIXTURES / "ooo-gmail.eml").read_bytes(),
        mailbox="support@catalo.id",
        now=NOW + timedelta(minutes=30),
    )

    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        metrics = scrape(client)

    assert metrics["loket_tickets"][(("category", "access"), ("status", "new"))] == 1
    assert metrics["loket_tickets"][(("category", "access"), ("status", "resolved"))] == 1
    assert metrics["loket_tickets"][(("category", "complaint"), ("status", "new"))] == 1
    assert sum(metrics["loket_tickets"].values()) == 4  # and the one the e-mail opened
    outbox = metrics["loket_outbox_messages"]
    assert outbox[(("status", "sent"),)] == 1
    assert outbox[(("status", "failed"),)] == 0
    backlog = OutboxMessage.objects.filter(status__in=["pending", "sending"]).count()
    assert backlog >= 3  # the other acknowledgements, the resolution mail, the mail ticket's
    assert metrics["loket_outbox_backlog"][()] == backlog
    # The oldest unsent: the second ticket's acknowledgement, written 40 minutes before.
    assert metrics["loket_outbox_oldest_unsent_age_seconds"][()] == 40 * 60
    assert metrics["loket_sla_sweep_lag_seconds"][()] == 0
    inbound = metrics["loket_inbound_records"]
    mailbox = (("channel", "email"), ("source", "support@catalo.id"))
    assert inbound[(*mailbox, ("status", "created"))] == 1
    assert inbound[(*mailbox, ("status", "ignored"))] == 1
    assert metrics["loket_worker_heartbeat_age_seconds"][()] == float("inf")


def test_metrics_report_sla_warnings_breaches_and_sweep_lag(
    client: Client, settings: object
) -> None:
    settings.LOKET_METRICS_TOKEN = "t"  # type: ignore[attr-defined]
    build_ticket(now=NOW)
    late = NOW + timedelta(days=3)
    with time_machine.travel(late, tick=False):
        before = scrape(client, authorization="Bearer t")
        sweep(late)
        record_heartbeat(late - timedelta(seconds=30))
        after = scrape(client, authorization="Bearer t")

    assert before["loket_sla_sweep_lag_seconds"][()] > 3600
    assert after["loket_sla_sweep_lag_seconds"][()] == 0
    points = after["loket_sla_points"]
    assert points[(("clock", "first_response"), ("kind", "breach"))] == 1
    assert points[(("clock", "first_response"), ("kind", "warning"))] == 1
    assert after["loket_worker_heartbeat_age_seconds"][()] == 30


def test_ready_answers_503_with_the_reason_when_the_database_is_down(tmp_path: Path) -> None:
    """`loket web` pointed at a PostgreSQL that does not answer: liveness stays up, readiness
    says why it is not ready."""
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": "postgres://loket@127.0.0.1:9/loket",
        "LOKET_VAR_DIR": str(tmp_path),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "loket.cli", "web", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/health/", server)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/ready/", timeout=10)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    assert refused.value.code == 503
    body = refused.value.read().decode()
    assert '"the database does not answer (OperationalError)"' in body
    assert "127.0.0.1" not in body


def test_metrics_have_request_latency_by_area(client: Client, settings: object) -> None:
    settings.LOKET_METRICS_ALLOWED_IPS = ["127.0.0.1"]  # type: ignore[attr-defined]
    before = client.get("/metrics").content.decode()
    client.get("/console/login/")
    client.get("/en/support/contact/")
    text = client.get("/metrics").content.decode()
    for area in ("console", "support"):
        line = f'loket_http_request_duration_seconds_count{{area="{area}"}}'
        counted = [float(row.split()[-1]) for row in text.splitlines() if row.startswith(line)]
        earlier = [float(row.split()[-1]) for row in before.splitlines() if row.startswith(line)]
        assert counted, f"no latency for {area}"
        assert counted[0] >= (earlier[0] if earlier else 0) + 1
    assert 'loket_http_request_duration_seconds_bucket{area="console",le="0.005"}' in text
