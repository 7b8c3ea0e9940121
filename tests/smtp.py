"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for mail tests."""

import asyncio
import email
import email.policy
import socket
import threading
import time
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.hold = False
        self.closing = False
        self.stalled = 0
        # An SMTP reply to every RCPT TO (e.g. "550 5.1.1 user unknown"), or None to accept.
        self.refuse: str | None = None
        # The same, for one recipient address only.
        self.refuse_address: dict[str, str] = {}
        # The client address (host, port) of each connection that delivered a message.
        self.connections: set[tuple[str, int]] = set()
        self.lock = threading.Lock()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refuse:
            return self.refuse
        if refusal := self.refuse_address.get(address):
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        # While held, the server takes the message text but never answers, like a stalled
        # relay: the sender never hears "accepted", so the message is never counted.
        if self.hold:
            self.stalled += 1
            while not self.closing:
                await asyncio.sleep(0.05)
            return "451 Closing"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.messages.append(message)
            self.connections.add(tuple(session.peer))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.mailbox.closing = True
        self.controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        with self.mailbox.lock:
            return list(self.mailbox.messages)

    def wait_for(self, count: int, timeout: float = 20) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                return self.messages
            time.sleep(0.05)
        raise AssertionError(f"expected {count} message(s), got {len(self.messages)}")
