"""The load generator: client threads, each a visitor with its own connection and CSRF token."""

from __future__ import annotations

import http.client
import http.cookies
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.common import BenchError
from bench.intake.server import HEALTH, HOST

CONTACT = "/support/contact/"
THANKS = "/support/contact/thanks/"
REQUEST_TIMEOUT = 30.0
# A hard bound per client and phase, far above what the time limit lets a client reach.
MAX_REQUESTS_PER_CLIENT = 200_000
MAX_ERROR_SAMPLES = 5
CATEGORIES = ("support", "access")
TOKEN_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def visible_text(body: bytes, limit: int = 160) -> str:
    """The readable start of an error page, e.g. Django's "CSRF verification failed"."""
    text = re.sub(r"<(style|script)\b.*?</\1>", " ", body.decode(errors="replace"), flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(text.split())[:limit]


class Client:
    """One visitor: its own connection, CSRF cookie and form token, fetched once by a GET.

    gunicorn's sync workers answer every request with `Connection: close`, so keep-alive is
    not on offer; http.client reconnects on the next request by itself.
    """

    def __init__(self, port: int, index: int) -> None:
        self.index = index
        self.sent = 0
        self.connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        self.cookie, self.form_token = self.fetch_tokens()

    def exchange(
        self,
        method: str,
        path: str,
        body: str | bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[http.client.HTTPResponse, bytes]:
        try:
            self.connection.request(method, path, body=body, headers=headers or {})
            response = self.connection.getresponse()
            return response, response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()  # start the next request on a fresh connection
            raise

    def fetch_tokens(self) -> tuple[str, str]:
        response, body = self.exchange("GET", CONTACT)
        cookie = http.cookies.SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie.load(header)
        match = TOKEN_INPUT.search(body.decode(errors="replace"))
        if response.status != 200 or "csrftoken" not in cookie or match is None:
            raise BenchError(f"GET {CONTACT} gave {response.status} without a CSRF token")
        return cookie["csrftoken"].value, match.group(1)

    def address(self) -> str:
        """The requester's e-mail address: one per client (the acknowledgement cap then
        withholds all but the first few acknowledgements an hour)."""
        return f"bench{self.index}@example.com"

    def submit(self) -> str | None:
        """POST one new ticket; None on success, else what went wrong."""
        self.sent += 1
        fields = {
            "name": f"Bench client {self.index}",
            "email": self.address(),
            "category": CATEGORIES[self.sent % len(CATEGORIES)],
            "subject": f"Benchmark ticket {self.index}-{self.sent}",
            "description": "The activation did not arrive after payment.\nPlease check.",
            "csrfmiddlewaretoken": self.form_token,
        }
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={self.cookie}",
        }
        response, body = self.exchange("POST", CONTACT, urllib.parse.urlencode(fields), headers)
        if response.status == 302 and THANKS in (response.getheader("Location") or ""):
            return None
        return f"POST {CONTACT} -> {response.status}: {visible_text(body)}"

    def health(self) -> str | None:
        response, body = self.exchange("GET", HEALTH)
        if response.status == 200 and body == b"ok":
            return None
        return f"GET {HEALTH} -> {response.status}: {visible_text(body)}"


type Action = Callable[[Client], str | None]


@dataclass
class Tally:
    """One client thread's counts; each thread writes only its own, so no lock is needed."""

    successes: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)

    def record(self, problem: str | None, seconds: float) -> None:
        if problem is None:
            self.successes += 1
            self.latencies.append(seconds)
            return
        self.errors += 1
        if len(self.samples) < MAX_ERROR_SAMPLES:
            self.samples.append(problem)


def drive(
    client: Client, action: Action, seconds: float, start: threading.Barrier, tally: Tally
) -> None:
    start.wait(timeout=REQUEST_TIMEOUT)
    deadline = time.monotonic() + seconds
    for _ in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= deadline:
            return
        began = time.perf_counter()
        try:
            problem = action(client)
        except (OSError, http.client.HTTPException) as error:
            problem = f"{type(error).__name__}: {error}"
        tally.record(problem, time.perf_counter() - began)
