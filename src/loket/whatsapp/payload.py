"""What a WhatsApp webhook POST carries, read into plain values. Pure: no Django.

The documented shape: {"object": "whatsapp_business_account", "entry": [{"id", "changes":
[{"field": "messages", "value": {"metadata": {"phone_number_id", "display_phone_number"},
"contacts": [{"wa_id", "profile": {"name"}}], "messages": [...], "statuses": [...]}}]}]}.

The webhook stores each message and each status as its own item (keyed by `wamid`, so Meta's
retries arrive once) and the worker turns an item into an inbound message later.
"""

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

# Message types whose content is a media object fetched from the Graph API.
MEDIA_TYPES = frozenset({"image", "document", "audio", "video", "sticker"})
# Types whose content text_of reads (media only with the id of its file).
READABLE_TYPES = frozenset({"text", "location", "interactive", "button", "contacts"}) | MEDIA_TYPES
# Types that say nothing a ticket needs: recorded, never a ticket or a reply.
NOISE_TYPES = frozenset({"reaction", "system", "ephemeral", "request_welcome"})


class NotAWebhook(ValueError):
    """The body is not JSON, or not the shape Meta documents."""


@dataclass(frozen=True)
class Item:
    """One message or one status of a webhook, with what the worker needs to read it later."""

    key: str  # wamid:<id> or status:<id>:<status>
    source: str  # the phone number id it arrived on
    sender: str  # the WhatsApp id (message) or recipient id (status)
    raw: bytes  # JSON: {"metadata", "contact", "message"} or {"metadata", "status"}


def items(body: bytes) -> list[Item]:
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise NotAWebhook(f"not JSON: {error}") from error
    if not isinstance(document, dict):
        raise NotAWebhook("not a JSON object")
    if document.get("object") != "whatsapp_business_account":
        return []
    return list(walk(document))


def walk(document: Mapping[str, object]) -> Iterator[Item]:
    for entry in as_list(document.get("entry")):
        for change in as_list(as_dict(entry).get("changes")):
            value = as_dict(as_dict(change).get("value"))
            metadata = as_dict(value.get("metadata"))
            source = str(metadata.get("phone_number_id", ""))[:254]
            profiles = {
                str(as_dict(c).get("wa_id", "")): as_dict(c) for c in as_list(value.get("contacts"))
            }
            for message in map(as_dict, as_list(value.get("messages"))):
                sender = str(message.get("from", ""))
                part = {
                    "metadata": metadata,
                    "contact": profiles.get(sender, {}),
                    "message": message,
                }
                yield Item(f"wamid:{message.get('id', '')}"[:300], source, sender, dump(part))
            for status in map(as_dict, as_list(value.get("statuses"))):
                key = f"status:{status.get('id', '')}:{status.get('status', '')}"[:300]
                part = {"metadata": metadata, "status": status}
                yield Item(key, source, str(status.get("recipient_id", "")), dump(part))


@dataclass(frozen=True)
class Media:
    id: str
    kind: str  # image | document | audio | video | sticker
    mime_type: str
    filename: str
    caption: str


@dataclass(frozen=True)
class ChatMessage:
    """One message as the worker reads it from a stored item."""

    wamid: str
    sender: str
    name: str
    kind: str
    text: str
    sent_at: datetime | None
    media: Media | None = None


@dataclass(frozen=True)
class DeliveryStatus:
    wamid: str
    status: str  # sent | delivered | read | failed
    recipient: str
    at: datetime | None
    errors: tuple[tuple[int | None, str], ...]


def read_item(raw: bytes) -> ChatMessage | DeliveryStatus:
    part = as_dict(json.loads(raw))
    if "status" in part:
        return status_of(as_dict(part["status"]))
    return message_of(as_dict(part.get("message")), as_dict(part.get("contact")))


def status_of(status: Mapping[str, object]) -> DeliveryStatus:
    errors = tuple(
        (code if isinstance(code := as_dict(e).get("code"), int) else None, error_text(as_dict(e)))
        for e in as_list(status.get("errors"))
    )
    return DeliveryStatus(
        wamid=str(status.get("id", "")), status=str(status.get("status", "")),
        recipient=str(status.get("recipient_id", "")), at=timestamp(status.get("timestamp")),
        errors=errors,
    )  # fmt: skip


def error_text(error: Mapping[str, object]) -> str:
    details = as_dict(error.get("error_data")).get("details")
    title = str(error.get("title") or error.get("message") or "")
    return f"{title} ({details})" if details else title


def message_of(message: Mapping[str, object], contact: Mapping[str, object]) -> ChatMessage:
    kind = str(message.get("type", ""))
    body = as_dict(message.get(kind)) if kind else {}
    media = None
    if kind in MEDIA_TYPES and body.get("id"):
        media = Media(
            id=str(body["id"]), kind=kind, mime_type=str(body.get("mime_type", "")),
            filename=str(body.get("filename", "")), caption=str(body.get("caption", "")),
        )  # fmt: skip
    return ChatMessage(
        wamid=str(message.get("id", "")), sender=str(message.get("from", "")),
        name=str(as_dict(contact.get("profile")).get("name", "")), kind=kind,
        text=text_of(kind, body, message), sent_at=timestamp(message.get("timestamp")),
        media=media,
    )  # fmt: skip


def text_of(kind: str, body: Mapping[str, object], message: Mapping[str, object]) -> str:
    """The words of the message; for media its caption (the file itself is fetched later)."""
    if kind == "text":
        return str(body.get("body", ""))
    if kind in MEDIA_TYPES:
        return str(body.get("caption", ""))
    if kind == "location":
        place = ", ".join(str(body[k]) for k in ("name", "address") if body.get(k))
        where = f"{body.get('latitude')}, {body.get('longitude')}"
        return f"[location] {place} ({where})".replace(" ()", "").strip()
    if kind == "interactive":
        reply = as_dict(body.get("button_reply") or body.get("list_reply"))
        parts = [str(reply.get(k, "")) for k in ("title", "description") if reply.get(k)]
        return " - ".join(parts)
    if kind == "button":  # a quick-reply button of a template
        return str(body.get("text", ""))
    if kind == "contacts":
        return contacts_text(as_list(message.get("contacts")))
    return ""


def contacts_text(cards: list[object]) -> str:
    lines = []
    for card in map(as_dict, cards):
        name = str(as_dict(card.get("name")).get("formatted_name", ""))
        phones = ", ".join(str(as_dict(p).get("phone", "")) for p in as_list(card.get("phones")))
        lines.append(f"[contact] {name} {phones}".strip())
    return "\n".join(lines)


def timestamp(value: object) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(str(value)), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def dump(part: Mapping[str, object]) -> bytes:
    return json.dumps(part, ensure_ascii=False, separators=(",", ":")).encode()


def as_dict(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else []
