"""The outermost middleware: the client's address behind a proxy, then the request id and the
access log, so every response, a 500 included, carries `X-Request-ID`, and every line logged
while answering it names the id."""

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers

from loket.ops.logs import mask_tokens, request_id_from, reset_request_id, set_request_id
from loket.ops.metrics import observe_request
from loket.ops.proxy import client_address

access_log = logging.getLogger("loket.access")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = request_id_from(request.headers.get("X-Request-ID"))
        context = set_request_id(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            elapsed = time.perf_counter() - started
            log_access(request, response, elapsed)
            observe_request(unprefixed(request.path), elapsed)
            return response
        finally:
            reset_request_id(context)


def log_access(request: HttpRequest, response: HttpResponseBase, seconds: float) -> None:
    path = mask_tokens(request.path)
    milliseconds = round(seconds * 1000, 1)
    access_log.info(
        "%s %s %d %.1fms",
        request.method,
        path,
        response.status_code,
        milliseconds,
        extra={
            "method": request.method,
            "path": path,
            "status": response.status_code,
            "duration_ms": milliseconds,
        },
    )


class ClientAddressMiddleware:
    """Behind a reverse proxy, REMOTE_ADDR is the proxy's: with LOKET_CLIENT_IP_HEADER set, the
    client's address is taken from that header as loket.ops.proxy explains. Unset (the
    default), the header is ignored, so a client connecting directly cannot choose its address.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if header := settings.LOKET_CLIENT_IP_HEADER:
            address = client_address(
                request.META.get(header, ""),
                request.META.get("REMOTE_ADDR", ""),
                settings.LOKET_TRUSTED_PROXIES,
            )
            if address is not None:
                request.META["REMOTE_ADDR"] = address
        return self.get_response(request)


# What a browser or a proxy must never keep: ticket pages and files (console and portal), the
# contact form and its thank-you page (the reference, the portal link), the admin and the API.
PRIVATE_PREFIXES = ("/console/", "/portal/", "/support/contact/", "/admin/", "/api/")


class PrivatePagesMiddleware:
    """`Cache-Control: no-store` on private pages, so that a shared computer's history or
    back button, or a caching proxy, does not keep a requester's ticket or an agent's queue."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if unprefixed(request.path).startswith(PRIVATE_PREFIXES):
            add_never_cache_headers(response)
        return response


def unprefixed(path: str) -> str:
    """/ja/portal/t/... -> /portal/t/...: the public pages also live under each language."""
    first, _, rest = path.lstrip("/").partition("/")
    languages = {code for code, _name in settings.LANGUAGES}
    return f"/{rest}" if first in languages else path
