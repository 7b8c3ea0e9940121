"""One RFC 5322 message, as bytes, into the parts a ticket needs. Pure: no Django.

The standard library's parser reads the structure; what it gets wrong for real-world mail
(charsets, split encoded words, 8-bit headers) is done in `decoding`. A message Loket cannot
use raises `Unreadable` with a reason that an admin reads in the quarantine.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes
from email.message import Message
from email.policy import compat32
from email.utils import parsedate_to_datetime

from loket.mail.decoding import decode_bytes, decode_header_value
from loket.mail.headers import (
    NoSender,
    Sender,
    automatic_reason,
    header_text,
    is_daemon,
    message_ids,
    own_message_id,
    sender_of,
)


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 30 * 1024 * 1024
    max_parts: int = 100
    max_depth: int = 12
    max_header_line: int = 998 * 10


class Unreadable(ValueError):
    """The message cannot become a ticket; the text is the reason shown in the quarantine."""


@dataclass(frozen=True)
class MailFile:
    filename: str
    declared_type: str
    content: bytes
    inline: bool = False
    content_id: str = ""


@dataclass(frozen=True)
class Bounce:
    """A delivery-status notification (RFC 3464) about one of our mails."""

    recipients: tuple[str, ...]
    status: str
    permanent: bool
    original_message_id: str | None


@dataclass(frozen=True)
class ParsedMail:
    message_id: str | None
    sender: Sender
    subject: str
    text: str
    html: str
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    sent_at: datetime | None
    automatic: str | None
    attachments: tuple[MailFile, ...] = ()
    bounce: Bounce | None = None
    encrypted: bool = False
    defects: tuple[str, ...] = field(default_factory=tuple)

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """The messages this one answers, nearest first."""
        return tuple(dict.fromkeys((*self.in_reply_to, *reversed(self.references))))


def parse_mail(raw: bytes, own_addresses: frozenset[str], limits: Limits = Limits()) -> ParsedMail:
    check_size(raw, limits)
    message = message_from_bytes(raw, policy=compat32)
    check_structure(message, limits)
    try:
        sender = sender_of(message, own_addresses)
    except NoSender as error:
        raise Unreadable(str(error)) from None
    subject = header_text(message, "Subject")[:1000]
    bodies = Bodies()
    collect(message, bodies)
    return ParsedMail(
        message_id=own_message_id(message),
        sender=sender,
        subject=subject,
        text=clean_text(bodies.text()),
        html=clean_text(bodies.html()),
        in_reply_to=message_ids(message, "In-Reply-To"),
        references=message_ids(message, "References"),
        sent_at=sent_at(message),
        automatic=automatic_reason(message, subject, sender)
        or bounce_reason(bodies.bounce, sender),
        attachments=tuple(bodies.files),
        bounce=bodies.bounce,
        encrypted=bodies.encrypted,
        defects=tuple(defects_of(message)),
    )


def check_size(raw: bytes, limits: Limits) -> None:
    if not raw.strip():
        raise Unreadable("empty message")
    if len(raw) > limits.max_bytes:
        raise Unreadable(f"message too large: {len(raw):,} bytes (limit {limits.max_bytes:,})")
    head = raw.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    if b":" not in head.split(b"\n", 1)[0]:
        raise Unreadable("no header: this is not an e-mail message")


def check_structure(message: Message, limits: Limits) -> None:
    for parts, (_, depth) in enumerate(walk(message), start=1):
        if depth > limits.max_depth:
            raise Unreadable(f"parts nested too deeply (more than {limits.max_depth} levels)")
        if parts > limits.max_parts:
            raise Unreadable(f"too many parts (more than {limits.max_parts})")
    for _, value in message.raw_items():
        if len(str(value)) > limits.max_header_line:
            raise Unreadable(f"a header line is longer than {limits.max_header_line:,} characters")


def walk(part: Message, depth: int = 0) -> Iterator[tuple[Message, int]]:
    """Every part with its depth; iterative, so hostile nesting cannot exhaust the stack."""
    stack = [(part, depth)]
    while stack:
        current, level = stack.pop()
        yield current, level
        stack.extend((child, level + 1) for child in reversed(children(current)))


def children(part: Message) -> list[Message]:
    payload = part.get_payload()
    if not isinstance(payload, list):
        return []
    return [child for child in payload if isinstance(child, Message)]


class Bodies:
    """What the parts of a message add up to: its text, its HTML, its files."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.htmls: list[str] = []
        self.files: list[MailFile] = []
        self.bounce: Bounce | None = None
        self.encrypted = False

    def text(self) -> str:
        return "\n\n".join(text for text in self.texts if text.strip())

    def html(self) -> str:
        return "\n".join(self.htmls)


def collect(part: Message, bodies: Bodies) -> None:
    """Walk the MIME tree: the first readable alternative of each body, every file kept."""
    content_type = part.get_content_type()
    if content_type == "message/rfc822":
        # A forwarded mail is kept whole as a file; its headers never thread.
        bodies.files.append(forwarded_file(part))
    elif content_type == "multipart/alternative":
        collect_alternative(part, bodies)
    elif content_type == "multipart/report":
        collect_report(part, bodies)
    elif content_type == "multipart/encrypted" or is_smime_encrypted(part):
        bodies.encrypted = True
        bodies.files.append(file_of(part, "encrypted.p7m"))
    elif part.is_multipart() and isinstance(part.get_payload(), list):
        for child in children(part):
            collect(child, bodies)
    else:
        collect_leaf(part, content_type, bodies)


def collect_alternative(part: Message, bodies: Bodies) -> None:
    options = children(part)
    plain = [child for child in options if child.get_content_type() == "text/plain"]
    html = [child for child in options if child.get_content_type() == "text/html"]
    if plain:
        bodies.texts.append(part_text(plain[0]))
    if html:
        bodies.htmls.append(part_text(html[0]))
    for child in options:
        if child.get_content_type() not in ("text/plain", "text/html"):
            collect(child, bodies)


def collect_leaf(part: Message, content_type: str, bodies: Bodies) -> None:
    attached = (part.get_content_disposition() == "attachment") or bool(part.get_filename())
    if content_type == "text/plain" and not attached:
        bodies.texts.append(part_text(part))
    elif content_type == "text/html" and not attached:
        bodies.htmls.append(part_text(part))
    elif content_type.startswith("multipart/"):
        # A multipart without a usable boundary: its body is all there is to read.
        bodies.texts.append(part_text(part))
    elif content_type in ("application/pkcs7-signature", "application/x-pkcs7-signature"):
        return  # an S/MIME signature: nothing a person reads
    else:
        bodies.files.append(file_of(part, default_name(content_type)))


def collect_report(part: Message, bodies: Bodies) -> None:
    parts = children(part)
    status = next((c for c in parts if c.get_content_type() == "message/delivery-status"), None)
    original = next(
        (c for c in parts if c.get_content_type() in ("message/rfc822", "text/rfc822-headers")),
        None,
    )
    if status is not None:
        bodies.bounce = read_delivery_status(status, original)
    for child in parts:
        if child.get_content_type() == "text/plain":
            bodies.texts.append(part_text(child))


def read_delivery_status(status: Message, original: Message | None) -> Bounce:
    fields = delivery_fields(status)
    recipients = tuple(
        value.split(";", 1)[-1].strip() for name, value in fields if name == "final-recipient"
    )
    codes = [value.strip() for name, value in fields if name == "status"]
    actions = [value.strip().lower() for name, value in fields if name == "action"]
    code = codes[0] if codes else ""
    permanent = code.startswith("5") or "failed" in actions
    return Bounce(recipients, code, permanent, original_id(original))


def delivery_fields(status: Message) -> list[tuple[str, str]]:
    """The `name: value` lines of a message/delivery-status part, in all its groups."""
    blocks = children(status)
    if blocks:
        lines = [f"{key}: {value}" for block in blocks for key, value in block.items()]
    else:
        lines = decode_bytes(payload_bytes(status)).splitlines()
    pairs = [line.split(":", 1) for line in lines if ":" in line]
    return [(name.strip().lower(), value.strip()) for name, value in pairs]


def original_id(original: Message | None) -> str | None:
    if original is None:
        return None
    inner = children(original)
    if inner:
        return own_message_id(inner[0])
    return own_message_id(message_from_bytes(payload_bytes(original), policy=compat32))


def payload_bytes(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def bounce_reason(bounce: Bounce | None, sender: Sender) -> str | None:
    if bounce is not None:
        return "delivery-status notification"
    return "mailer daemon" if is_daemon(sender.address) else None


def is_smime_encrypted(part: Message) -> bool:
    content_type = part.get_content_type()
    smime_type = str(part.get_param("smime-type") or "").lower()
    return content_type in ("application/pkcs7-mime", "application/x-pkcs7-mime") and (
        smime_type != "signed-data"
    )


def part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    return decode_bytes(payload, part.get_content_charset())


def file_of(part: Message, fallback: str) -> MailFile:
    payload = part.get_payload(decode=True)
    content = payload if isinstance(payload, bytes) else str(part.get_payload()).encode()
    return MailFile(
        filename=filename_of(part) or fallback,
        declared_type=part.get_content_type(),
        content=content,
        inline=part.get_content_disposition() == "inline",
        content_id=str(part.get("Content-ID") or "").strip()[:250],
    )


def forwarded_file(part: Message) -> MailFile:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    content = inner.as_bytes() if isinstance(inner, Message) else b""
    subject = header_text(inner, "Subject") if isinstance(inner, Message) else ""
    return MailFile(f"{subject[:80] or 'forwarded'}.eml", "message/rfc822", content)


def filename_of(part: Message) -> str:
    """The file's name (RFC 2231 continuations and RFC 2047 words decoded)."""
    try:
        name = part.get_filename()
    except (ValueError, LookupError):
        return ""
    return decode_header_value(str(name)) if name else ""


def default_name(content_type: str) -> str:
    return {
        "image/png": "image.png",
        "image/jpeg": "image.jpg",
        "image/gif": "image.gif",
        "application/pdf": "document.pdf",
    }.get(content_type, "attachment")


def sent_at(message: Message) -> datetime | None:
    value = message.get("Date")
    try:
        moment = parsedate_to_datetime(str(value)) if value else None
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def defects_of(message: Message) -> Iterator[str]:
    for part, _ in walk(message):
        for defect in getattr(part, "defects", []):
            yield type(defect).__name__


def clean_text(text: str) -> str:
    """No NUL (PostgreSQL refuses it) nor other C0 controls but tab and newlines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c >= " " or c in "\t\n")
