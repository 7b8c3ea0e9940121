"""What every log line carries and what none may carry.

Each line has the id of the request it belongs to (`-` outside a request, e.g. in the worker),
so an operator can find every line of the request a requester quotes from the error page.
Portal link tokens are bearer credentials (whoever has an unused one opens the ticket), so they
are masked in the finished line - message, extra fields and traceback alike - by both formats.

Settings load this module by name (LOGGING), before Django is set up: it imports no Django.
"""

import contextvars
import logging
import re
import secrets
from typing import Any

from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

NO_REQUEST = "-"
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default=NO_REQUEST)

# An incoming X-Request-ID is kept only when it is a short token that cannot forge a log line.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,63}")
# Paths that carry a secret token: the portal link (/portal/t/<token>/, and its new-link
# button), the one-time ownership-verification link (/portal/verify/<reference>/<token>/), and
# the contact form's thank-you page (a reference since issue 14; a signed token before, so
# addresses kept in browsers' histories may still hold one).
TOKEN_IN_PATH = re.compile(
    r"(/(?:portal/t|support/contact/thanks|portal/verify/[^/\s?#\"'<>]+)/)[^/\s?#\"'<>]+"
)
MASK = "[token]"


def current_request_id() -> str:
    return _request_id.get()


def set_request_id(request_id: str) -> contextvars.Token[str]:
    return _request_id.set(request_id)


def reset_request_id(token: contextvars.Token[str]) -> None:
    _request_id.reset(token)


def request_id_from(header: str | None) -> str:
    """The caller's id (a proxy's or load balancer's) when it is safe to log, else a new one."""
    if header and SAFE_REQUEST_ID.fullmatch(header):
        return header
    return secrets.token_hex(8)


def mask_tokens(text: str) -> str:
    return TOKEN_IN_PATH.sub(rf"\g<1>{MASK}", text)


class RequestIdFilter(logging.Filter):
    """Gives every record a `request_id`, so both formats can print it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_tokens(super().format(record))


class JsonFormatter(BaseJsonFormatter):
    """One JSON object a line: timestamp, level, logger, message, request_id, the extra
    fields, and the traceback as `exc_info`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", ["levelname", "name", "message", "request_id"])
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", True)
        super().__init__(*args, **kwargs)

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        # Django's request logger passes the request object itself: its text is the path,
        # already in the message, and the object is no data for a log line.
        log_data.pop("request", None)

    def format(self, record: logging.LogRecord) -> str:
        return mask_tokens(super().format(record))
