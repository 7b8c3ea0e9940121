"""The WhatsApp Business Cloud API, as Loket uses it: send a text or an approved template to a
number, read a media object, and tell whether the 24-hour customer service window is open.

Plain HTTPS with a bearer token (urllib, like the billing adapter): three documented calls do
not justify an SDK. Tests point LOKET_WHATSAPP_GRAPH_URL at a fake server on loopback.
"""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from loket.tickets.models import Channel, Message, MessageKind

# Meta: free-form messages only within 24 hours of the customer's last message.
SERVICE_WINDOW = timedelta(hours=24)
# A text message holds at most 4,096 characters.
MAX_TEXT = 4096
# Graph error codes that no retry can fix (the documented list; others are retried).
PERMANENT_CODES = frozenset(
    {
        131047,  # re-engagement: more than 24 hours since the customer last wrote
        131026,  # the number cannot receive the message (no WhatsApp, old version, ...)
        131051,  # unsupported message type
        131052,  # media download error (the media is gone)
        132000,  # template parameters do not match
        132001,  # template does not exist in this language
        100,  # invalid parameter
    }
)


# Codes Meta answers with an HTTP 4xx that a later try can get past: throttling, a pair rate
# limit (two messages to one number too close together), a temporary failure, an expired or
# rotated token (the operator replaces it).
TRANSIENT_CODES = frozenset({130429, 131056, 131000, 131016, 190, 80007, 4, 613})


class GraphError(Exception):
    """The Graph API refused or failed; `code` is Meta's error code when it gave one."""

    def __init__(self, message: str, *, code: int | None = None, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.status = status

    @property
    def permanent(self) -> bool:
        if self.code in TRANSIENT_CODES:
            return False
        if self.code in PERMANENT_CODES:
            return True
        return self.status is not None and 400 <= self.status < 500 and self.status != 429


class WindowClosed(GraphError):
    """More than 24 hours since the requester last wrote: only a template may be sent."""

    def __init__(self, number: str):
        super().__init__(
            f"the 24-hour window with {number} is closed: only an approved template can be sent",
            code=131047,
        )


# --- the 24-hour customer service window -------------------------------------------------------


def last_message_from(number: str) -> datetime | None:
    """When the number last wrote to us on WhatsApp (on any of its tickets)."""
    return (
        Message.objects.filter(
            ticket__requester_phone=number, kind=MessageKind.REQUESTER, channel=Channel.WHATSAPP
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )


def window_closes_at(number: str) -> datetime | None:
    last = last_message_from(number)
    return last + SERVICE_WINDOW if last else None


def window_open(number: str, now: datetime) -> bool:
    closes = window_closes_at(number)
    return closes is not None and now < closes


# --- the three calls ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MediaInfo:
    url: str
    mime_type: str
    size: int | None


def text_payload(number: str, subject: str, body: str) -> dict[str, object]:
    text = f"*{subject}*\n\n{body}" if subject else body
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + "…"
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": number.lstrip("+"),
        "type": "text",
        "text": {"preview_url": False, "body": text},
    }


def template_payload(
    number: str, name: str, language: str, parameters: list[str]
) -> dict[str, object]:
    template: dict[str, object] = {"name": name, "language": {"code": language}}
    if parameters:
        body = [{"type": "text", "text": value} for value in parameters]
        template["components"] = [{"type": "body", "parameters": body}]
    return {
        "messaging_product": "whatsapp",
        "to": number.lstrip("+"),
        "type": "template",
        "template": template,
    }


def send(payload: dict[str, object]) -> str:
    """POST to /{phone-number-id}/messages; the `wamid` Meta gave the message."""
    url = f"{settings.LOKET_WHATSAPP_GRAPH_URL}/{settings.LOKET_WHATSAPP_PHONE_NUMBER_ID}/messages"
    answer = call("POST", url, json.dumps(payload).encode())
    try:
        return str(answer["messages"][0]["id"])  # type: ignore[index]
    except (KeyError, IndexError, TypeError) as error:
        raise GraphError(f"unexpected answer from the Graph API: {answer!r:.200}") from error


def media_info(media_id: str) -> MediaInfo:
    answer = call("GET", f"{settings.LOKET_WHATSAPP_GRAPH_URL}/{media_id}")
    size = answer.get("file_size")
    return MediaInfo(
        url=str(answer.get("url", "")),
        mime_type=str(answer.get("mime_type", "")),
        size=int(size) if isinstance(size, int | str) and str(size).isdigit() else None,
    )


def download(url: str, limit: int) -> bytes | None:
    """The media's bytes, or None when it is larger than `limit` (read no further)."""
    request = urllib.request.Request(url, headers=authorization())  # noqa: S310 - https, or the fake
    try:
        with urllib.request.urlopen(request, timeout=settings.LOKET_WHATSAPP_TIMEOUT) as answer:  # noqa: S310
            content = answer.read(limit + 1)
    except urllib.error.HTTPError as error:
        raise GraphError(f"media download failed: HTTP {error.code}", status=error.code) from error
    except (OSError, ValueError) as error:
        raise GraphError(f"media download failed: {error}") from error
    return None if len(content) > limit else content


def authorization() -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.LOKET_WHATSAPP_ACCESS_TOKEN}"}


def call(method: str, url: str, body: bytes | None = None) -> dict[str, object]:
    headers = authorization() | ({"Content-Type": "application/json"} if body else {})
    request = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=settings.LOKET_WHATSAPP_TIMEOUT) as answer:  # noqa: S310
            return dict(json.loads(answer.read(1024 * 1024)))
    except urllib.error.HTTPError as error:
        raise graph_error(error) from error
    except (OSError, ValueError) as error:
        raise GraphError(f"the Graph API did not answer: {error}") from error


def graph_error(error: urllib.error.HTTPError) -> GraphError:
    """Meta's error object: {"error": {"message", "code", "error_data": {"details"}}}."""
    try:
        detail = json.loads(error.read(64 * 1024)).get("error", {})
    except (OSError, ValueError, AttributeError):
        detail = {}
    code = detail.get("code") if isinstance(detail.get("code"), int) else None
    message = str(detail.get("message") or error.reason)
    details = (detail.get("error_data") or {}).get("details") if isinstance(detail, dict) else None
    text = f"HTTP {error.code}, error {code}: {message}" + (f" ({details})" if details else "")
    return GraphError(text, code=code, status=error.code)
