"""What a mail's headers say about it: who sent it (and whether we can believe it), which
messages it answers, and whether a robot wrote it. Pure: no Django."""

import re
from dataclasses import dataclass
from email.message import Message
from email.utils import getaddresses

from loket.mail.decoding import decode_header_value

ADDRESS = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\]]+$")
ANGLE_ADDRESS = re.compile(r"<([^<>\s]+@[^<>\s]+)>")
BARE_ADDRESS = re.compile(r"[^@\s<>(),;:\"']+@[^@\s<>(),;:\"']+\.[A-Za-z0-9-]+")
MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")

# Messages the sender's software wrote on its own (RFC 3834, RFC 2369, Microsoft, Google).
AUTO_SUBMITTED_HUMAN = "no"
SUPPRESS_VALUES = re.compile(r"\b(all|oof|autoreply|dr|ndr|rn|nrn)\b", re.IGNORECASE)
BULK_PRECEDENCE = ("bulk", "list", "junk", "auto_reply")
AUTO_REPLY_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder")
OUT_OF_OFFICE_SUBJECT = re.compile(
    r"^\s*(automatic reply|auto(matic)?[- ]?reply|out of (the )?office|abwesenheitsnotiz|"
    r"自動応答|自動返信|不在|balasan otomatis|di luar kantor)\s*[:：]",
    re.IGNORECASE,
)
DAEMON_SENDER = re.compile(r"^(mailer-daemon|postmaster)@", re.IGNORECASE)


@dataclass(frozen=True)
class Sender:
    address: str
    name: str
    verified: bool
    warnings: tuple[str, ...] = ()


class NoSender(ValueError):
    """No address to answer: the message cannot become a ticket."""


def header_text(message: Message, name: str) -> str:
    """The first such header, decoded (the raw value: 8-bit bytes are decoded here too)."""
    values = raw_values(message, name)
    return decode_header_value(values[0]) if values else ""


def raw_values(message: Message, name: str) -> list[str]:
    return [str(value) for key, value in message.raw_items() if key.lower() == name.lower()]


def sender_of(message: Message, own_addresses: frozenset[str]) -> Sender:
    """The From address, unverified (never threading into an existing ticket) when the header
    is defective, doubled or dressed up as someone else."""
    values = raw_values(message, "From")
    if not values:
        fallback = first_address(" ".join(raw_values(message, "Sender")))
        if fallback is None:
            raise NoSender("no From header")
        return Sender(fallback, "", False, ("no From header; the Sender header was used",))
    warnings = ["two From headers"] if len(values) > 1 else []
    parsed = getaddresses([values[0]])
    if len(parsed) == 1 and ADDRESS.match(parsed[0][1]):
        name, address = decode_header_value(parsed[0][0]), parsed[0][1]
    else:
        address = first_address(values[0]) or ""
        name = ""
        warnings.append("the From header is malformed")
        if not address:
            raise NoSender("no usable address in the From header")
    warnings += disguise_warnings(name, address, own_addresses)
    return Sender(address, name, not warnings, tuple(warnings))


def first_address(text: str) -> str | None:
    """The address replies would go to: the one in angle brackets, else the first one."""
    decoded = decode_header_value(text)
    for pattern in (ANGLE_ADDRESS, BARE_ADDRESS):
        if match := pattern.search(decoded):
            found = match.group(1) if pattern is ANGLE_ADDRESS else match.group(0)
            if ADDRESS.match(found):
                return found
    return None


def disguise_warnings(name: str, address: str, own_addresses: frozenset[str]) -> list[str]:
    warnings = []
    shown = {found.lower() for found in BARE_ADDRESS.findall(name)}
    if shown - {address.lower()}:
        warnings.append("the display name shows another address")
    if address.lower() in own_addresses:
        warnings.append("the sender is our own address")
    elif any(own in name.lower() for own in own_addresses):
        warnings.append("the display name looks like our own address")
    return warnings


def message_ids(message: Message, name: str) -> tuple[str, ...]:
    """The Message-IDs a header lists (In-Reply-To, References), in order, at most 100."""
    text = " ".join(raw_values(message, name))
    return tuple(dict.fromkeys(MESSAGE_ID.findall(text)))[:100]


def own_message_id(message: Message) -> str | None:
    found = message_ids(message, "Message-ID")
    return found[0] if found else None


def automatic_reason(message: Message, subject: str, sender: Sender) -> str | None:
    """Why this mail was written by a machine (then it never gets an acknowledgement, never
    reopens a ticket and never moves a clock), or None for a person's mail."""
    if message.get("X-Loket-Reference") or "the sender is our own address" in sender.warnings:
        return "our own mail came back (loop)"
    auto_submitted = header_text(message, "Auto-Submitted").lower()
    if auto_submitted and not auto_submitted.startswith(AUTO_SUBMITTED_HUMAN):
        return f"Auto-Submitted: {auto_submitted}"
    if SUPPRESS_VALUES.search(header_text(message, "X-Auto-Response-Suppress")):
        return "X-Auto-Response-Suppress"
    if any(message.get(header) for header in AUTO_REPLY_HEADERS):
        return "auto-reply header"
    precedence = header_text(message, "Precedence").lower()
    if precedence in BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    if message.get("List-Id") or message.get("List-Unsubscribe"):
        return "mailing list"
    if raw_values(message, "Return-Path") and all(
        value.strip() == "<>" for value in raw_values(message, "Return-Path")
    ):
        return "null sender (Return-Path: <>)"
    if OUT_OF_OFFICE_SUBJECT.match(subject):
        return "out-of-office subject"
    return None


def is_daemon(address: str) -> bool:
    return bool(DAEMON_SENDER.match(address))
