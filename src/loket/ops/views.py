"""Operators' endpoints: readiness, metrics, and the page a requester sees on a server error."""

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.middleware.csp import get_nonce
from django.template import loader
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST

from loket.ops import metrics as metrics_text
from loket.ops.logs import current_request_id
from loket.ops.queries import readiness


def ready(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, a worker is alive and the SLA sweep keeps up; else 503
    with the reasons."""
    checks = readiness(
        timezone.now(),
        max_heartbeat_age=settings.LOKET_READY_HEARTBEAT_SECONDS,
        max_sweep_lag=settings.LOKET_READY_SWEEP_LAG_SECONDS,
    )
    failing = [check.reason for check in checks if not check.ok]
    body = {
        "status": "failing" if failing else "ready",
        "reasons": failing,
        "checks": {check.name: {"ok": check.ok, **check.detail} for check in checks},
    }
    return JsonResponse(body, status=503 if failing else 200)


def metrics(request: HttpRequest) -> HttpResponse:
    if not may_scrape(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(metrics_text.render(timezone.now()), content_type=CONTENT_TYPE_LATEST)


def may_scrape(request: HttpRequest) -> bool:
    """A matching bearer token, or a client address in LOKET_METRICS_ALLOWED_IPS."""
    token = settings.LOKET_METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    return address_allowed(request.META.get("REMOTE_ADDR", ""), settings.LOKET_METRICS_ALLOWED_IPS)


def address_allowed(address: str, allowed: list[str]) -> bool:
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(client in ipaddress.ip_network(network, strict=False) for network in allowed)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the error reference to quote, rendered without the request context, whose
    session or database may be what failed."""
    context = {"request_id": current_request_id(), "csp_nonce": get_nonce(request)}
    page = loader.get_template("500.html").render(context)
    return HttpResponseServerError(page)
