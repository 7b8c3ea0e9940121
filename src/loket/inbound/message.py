"""What every channel hands the inbound pipeline. Pure: no Django."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from loket.tickets.sniffing import IncomingFile


@dataclass(frozen=True)
class Undeliverable:
    """A delivery-status notification: these addresses could not take our mail."""

    addresses: tuple[str, ...]
    status: str
    permanent: bool
    original_message_id: str | None


@dataclass(frozen=True)
class InboundMessage:
    """One message from a requester, whatever the channel.

    The form and the API say the category and language; e-mail leaves them to the pipeline
    (and to triage). `thread_ids` are the Message-IDs an e-mail answers; `automatic` says why a
    machine wrote it (then it never opens, reopens or acknowledges anything).
    """

    channel: str
    sender_address: str
    sender_name: str
    subject: str
    text: str
    received_at: datetime
    html: str = ""
    attachments: tuple[IncomingFile, ...] = ()
    category_code: str | None = None
    language: str | None = None
    time_zone: str = ""
    sender_verified: bool = True
    sender_warnings: tuple[str, ...] = ()
    external_id: str = ""
    thread_ids: tuple[str, ...] = ()
    automatic: str | None = None
    undeliverable: Undeliverable | None = None
    mailbox: str = ""
    # Secrets the pipeline removed before anything stored the text (set by `inspect`).
    redactions: int = 0
    # What triage made of the redacted text (set by `inspect`; see loket.triage.explain).
    triage: Mapping[str, object] | None = None
    # The integration that passed the message on (an API token: "API: storefront").
    via: str = ""
    # The address of the browser that sent a form (web, portal): the per-client upload quota
    # counts by it; the other channels count by the sender.
    client_address: str = ""
