"""/metrics in Prometheus' text format. Every business value is read from the database at
scrape time by one collector, so any web process answers the same numbers and nothing is lost
on restart. The one exception is request latency, which only the process that answered knows:
a histogram per process, merged across processes when PROMETHEUS_MULTIPROC_DIR names a
directory (prometheus-client's multiprocess mode; docs/operations.md)."""

import os
from collections.abc import Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from loket.ops import queries


class LoketCollector(Collector):
    def __init__(self, now: datetime) -> None:
        self.now = now

    def collect(self) -> Iterator[Metric]:
        yield from self.tickets()
        yield from self.outbox()
        yield from self.sla()
        yield self.inbound()
        yield from self.quarantine()
        yield self.worker()

    def tickets(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "loket_tickets", "Tickets by status and category.", labels=["status", "category"]
        )
        for status, category, count in queries.tickets_by_status_and_category():
            family.add_metric([status, category], count)
        yield family

    def outbox(self) -> Iterator[Metric]:
        by_status = queries.outbox_by_status()
        family = GaugeMetricFamily(
            "loket_outbox_messages",
            "Outbox messages by status: sent and failed are delivery results.",
            labels=["status"],
        )
        for status, count in sorted(by_status.items()):
            family.add_metric([status], count)
        yield family
        yield GaugeMetricFamily(
            "loket_outbox_backlog",
            "Messages waiting to be sent (pending or being sent).",
            value=sum(by_status[status] for status in queries.UNSENT),
        )
        yield GaugeMetricFamily(
            "loket_outbox_oldest_unsent_age_seconds",
            "Age of the oldest message not yet sent (0 when none waits).",
            value=queries.oldest_unsent_age_seconds(self.now),
        )

    def sla(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "loket_sla_sweep_lag_seconds",
            "How long the oldest SLA check that came due has waited for the sweep.",
            value=queries.sweep_lag_seconds(self.now),
        )
        family = GaugeMetricFamily(
            "loket_sla_points",
            "SLA warnings and breaches recorded, by clock.",
            labels=["kind", "clock"],
        )
        for kind, clock, count in queries.sla_points_by_kind():
            family.add_metric([kind, clock], count)
        yield family

    def inbound(self) -> Metric:
        family = GaugeMetricFamily(
            "loket_inbound_records",
            "Messages received, by channel, source (mailbox) and what became of them.",
            labels=["channel", "source", "status"],
        )
        for channel, source, status, count in queries.inbound_by_channel_source_status():
            family.add_metric([channel, source, status], count)
        return family

    def quarantine(self) -> Iterator[Metric]:
        count, oldest = queries.files_waiting_for_scan(self.now)
        yield GaugeMetricFamily(
            "loket_files_waiting_for_scan",
            "Uploaded files in quarantine, waiting for the virus scanner.",
            value=count,
        )
        yield GaugeMetricFamily(
            "loket_files_waiting_for_scan_oldest_age_seconds",
            "Age of the oldest file waiting for the virus scanner (0 when none waits).",
            value=oldest,
        )

    def worker(self) -> Metric:
        age = queries.heartbeat_age_seconds(self.now)
        return GaugeMetricFamily(
            "loket_worker_heartbeat_age_seconds",
            "Seconds since the newest worker heartbeat (+Inf when no worker ever wrote one).",
            value=float("inf") if age is None else age,
        )


# Seconds from the request's arrival to its response, by part of the site.
LATENCY = Histogram(
    "loket_http_request_duration_seconds",
    "Time to answer a request, by area of the site (console, portal, support, api, ...).",
    ["area"],
    registry=None,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
AREAS = frozenset({"console", "portal", "support", "api", "whatsapp", "admin", "static"})


def observe_request(path: str, seconds: float) -> None:
    """`path` without its language prefix (/ja/portal/... -> portal)."""
    first = path.strip("/").split("/", 1)[0]
    LATENCY.labels(area=first if first in AREAS else "other").observe(seconds)


def render(now: datetime) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LoketCollector(now))
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(LATENCY)
    return generate_latest(registry)
