"""Ask ClamAV's daemon (`clamd`) what it makes of a file's bytes, through its INSTREAM command.
Pure: no Django; the caller says where clamd listens.

Three answers: clean, infected (with the signature's name), or failed - clamd will never take
this file (it is larger than its StreamMaxLength). Anything else - clamd not listening, a
time-out, an error it may not give next time - is `ScannerUnavailable`: the file must wait and
be tried again, never be let through.

The protocol is spoken here rather than through a client library: a stream over clamd's limit
makes clamd answer and close while the client is still sending, and the libraries then report
a broken pipe, which cannot be told from clamd dying. Here the answer is read after a failed
send, so "too large" is final and "clamd died" is retried."""

import socket
import struct
from dataclasses import dataclass
from typing import Literal

type Outcome = Literal["clean", "infected", "failed"]

CHUNK_BYTES = 64 * 1024
MAX_ANSWER_BYTES = 4096
SIZE_LIMIT = "INSTREAM size limit exceeded"


class ScannerUnavailable(Exception):
    """clamd could not be asked, or gave no usable answer: try again later."""


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    # The signature found, or why clamd refused the file.
    detail: str = ""


def connect(address: str, timeout: float) -> socket.socket:
    """A unix socket's path (`/run/clamav/clamd.ctl`, or `unix:` and the path), or
    `host:port` for clamd's TCP socket."""
    if address.startswith(("/", "unix:")):
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(timeout)
        try:
            connection.connect(address.removeprefix("unix:"))
        except OSError:
            connection.close()
            raise
        return connection
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"not a clamd address (a socket's path or host:port): {address!r}")
    return socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)


def scan(content: bytes, *, address: str, timeout: float) -> Verdict:
    try:
        with connect(address, timeout) as connection:
            answer = instream(connection, content)
    except OSError as error:
        raise ScannerUnavailable(f"clamd at {address}: {error}") from error
    return verdict(answer, address)


def instream(connection: socket.socket, content: bytes) -> str:
    """Send the bytes in chunks (each after its length, a zero length to end) and read the
    answer; clamd may answer early and close, so the answer is read even after a failed send."""
    try:
        connection.sendall(b"zINSTREAM\0")
        for start in range(0, len(content), CHUNK_BYTES):
            chunk = content[start : start + CHUNK_BYTES]
            connection.sendall(struct.pack("!L", len(chunk)) + chunk)
        connection.sendall(struct.pack("!L", 0))
    except (BrokenPipeError, ConnectionResetError) as error:
        answer = read_answer(connection)
        if not answer:
            raise ScannerUnavailable(f"clamd closed the connection: {error}") from error
        return answer
    return read_answer(connection)


def read_answer(connection: socket.socket) -> str:
    """clamd's answer to a `z` command ends with a NUL byte."""
    received = b""
    while not received.endswith(b"\0") and len(received) < MAX_ANSWER_BYTES:
        try:
            part = connection.recv(MAX_ANSWER_BYTES)
        except ConnectionResetError:
            break
        if not part:
            break
        received += part
    return received.rstrip(b"\0").decode("utf-8", "replace").strip()


def verdict(answer: str, address: str) -> Verdict:
    """`stream: OK`, `stream: <signature> FOUND`, or `<reason> ERROR`."""
    if answer.startswith(SIZE_LIMIT):
        return Verdict("failed", "larger than clamd accepts (its StreamMaxLength)")
    if answer.startswith("stream:"):
        result = answer.removeprefix("stream:").strip()
        if result == "OK":
            return Verdict("clean")
        if result.endswith(" FOUND"):
            return Verdict("infected", result.removesuffix(" FOUND").strip() or "unnamed")
    raise ScannerUnavailable(f"clamd at {address} answered {answer[:200]!r}")
