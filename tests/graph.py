"""A fake of the WhatsApp Business Cloud API (the Graph API) on loopback, for tests: it keeps
what Loket sends, serves media objects behind the bearer token, can refuse like Meta does, and
builds webhook payloads of the documented shapes, signed with a test secret."""

import hashlib
import hmac
import itertools
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PHONE_NUMBER_ID = "106540352242922"
ACCESS_TOKEN = "test-access-token"
APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"


@dataclass
class Refusal:
    status: int
    code: int
    message: str


@dataclass
class GraphState:
    # What Loket sent, each with the `_wamid` given and `_received_at` (time.monotonic()).
    sent: list[dict[str, Any]] = field(default_factory=list)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    # Refusals for the next sends, first first (e.g. Meta's 131047 outside the window).
    refusals: list[Refusal] = field(default_factory=list)
    # Media ids whose download answers 500 this many more times.
    media_failures: dict[str, int] = field(default_factory=dict)
    unauthorised: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))


class FakeGraph:
    def __init__(self) -> None:
        self.state = GraphState()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler(self.state))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v23.0"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "FakeGraph":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def sent(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return list(self.state.sent)

    def add_media(self, media_id: str, content: bytes, mime_type: str) -> None:
        self.state.media[media_id] = (content, mime_type)

    def refuse_next(self, status: int, code: int, message: str) -> None:
        self.state.refusals.append(Refusal(status, code, message))


def handler(state: GraphState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def authorised(self) -> bool:
            if self.headers.get("Authorization") == f"Bearer {ACCESS_TOKEN}":
                return True
            state.unauthorised += 1
            self.answer(401, error(190, "Invalid OAuth access token"))
            return False

        def answer(self, status: int, body: dict[str, Any] | bytes, kind: str = "") -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", kind or "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            if not self.authorised():
                return
            parts = self.path.strip("/").split("/")
            if parts[-1] != "messages" or parts[-2] != PHONE_NUMBER_ID:
                self.answer(404, error(100, "Unknown path"))
                return
            payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received_at = time.monotonic()
            with state.lock:
                refusal = state.refusals.pop(0) if state.refusals else None
                if refusal is None:
                    wamid = f"wamid.OUT{next(state.ids):06d}"
                    state.sent.append({**payload, "_wamid": wamid, "_received_at": received_at})
            if refusal is not None:
                self.answer(refusal.status, error(refusal.code, refusal.message))
                return
            to = payload.get("to", "")
            self.answer(
                200,
                {
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": to, "wa_id": to}],
                    "messages": [{"id": wamid}],
                },
            )

        def do_GET(self) -> None:
            if not self.authorised():
                return
            parts = self.path.strip("/").split("/")
            if parts[-2:-1] == ["download"]:
                self.download(parts[-1])
                return
            media = state.media.get(parts[-1])
            if media is None:
                self.answer(404, error(100, "Unsupported get request"))
                return
            content, mime_type = media
            base = f"http://{self.headers['Host']}"
            self.answer(
                200,
                {
                    "messaging_product": "whatsapp",
                    "url": f"{base}/download/{parts[-1]}",
                    "mime_type": mime_type,
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "file_size": len(content),
                    "id": parts[-1],
                },
            )

        def download(self, media_id: str) -> None:
            with state.lock:
                failures = state.media_failures.get(media_id, 0)
                if failures:
                    state.media_failures[media_id] = failures - 1
            if failures:
                self.answer(500, error(1, "An unknown error occurred"))
                return
            content, mime_type = state.media[media_id]
            self.answer(200, content, mime_type)

    return Handler


def error(code: int, message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "OAuthException", "code": code,
                      "error_data": {"details": message}, "fbtrace_id": "AbCdEf"}}  # fmt: skip


# --- webhooks as Meta sends them -----------------------------------------------------------------


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook(value: dict[str, Any]) -> bytes:
    """The envelope of every webhook: one entry, one change of field "messages"."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "6281100001111", "phone_number_id": PHONE_NUMBER_ID},
        **value,
    }
    envelope = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}],
    }
    return json.dumps(envelope, ensure_ascii=False).encode()


def inbound(
    wa_id: str, message: dict[str, Any], *, name: str = "Budi Santoso", wamid: str, at: datetime
) -> bytes:
    return webhook(
        {
            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
            "messages": [
                {"from": wa_id, "id": wamid, "timestamp": str(int(at.timestamp())), **message}
            ],
        }
    )


def text(wa_id: str, body: str, *, wamid: str, at: datetime, name: str = "Budi Santoso") -> bytes:
    return inbound(wa_id, {"type": "text", "text": {"body": body}}, name=name, wamid=wamid, at=at)


def status(
    wamid: str,
    state: str,
    recipient: str,
    *,
    at: datetime,
    errors: list[dict[str, Any]] | None = None,
) -> bytes:
    item: dict[str, Any] = {
        "id": wamid, "status": state, "timestamp": str(int(at.timestamp())),
        "recipient_id": recipient,
    }  # fmt: skip
    if errors:
        item["errors"] = errors
    return webhook({"statuses": [item]})
