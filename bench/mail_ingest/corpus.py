"""The mixed corpus: deterministic .eml files, the same bytes for both desks except the ticket
tag in the subject of replies, which holds a placeholder each side fills in with its own.

`openers/` holds the mails that open the tickets the replies continue (ingested before the
timing, one per requester); `messages/` the timed ones; `manifest.json` what each file is.
Nothing here needs Django: the parent writes the corpus, the children only read it.
"""

from __future__ import annotations

import json
import random
import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from email.header import Header
from email.message import EmailMessage
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate
from pathlib import Path

from bench.mail_ingest.config import OPENERS, SUPPORT_ADDRESS


@dataclass(frozen=True)
class Kind:
    name: str
    percent: int  # of the timed messages
    description: str
    loket: str  # the outcome Loket must report
    peer_new: bool  # a new ticket on the peer; else a follow-up on an existing one


KINDS = (
    Kind("plain", 48, "new, English plain text (the peer's own plain mail)", "created", True),
    Kind("html", 10, "new, English text + HTML (multipart/alternative)", "created", True),
    Kind("text_attachment", 8, "new, English text with a 3.6 KB .txt log", "created", True),
    Kind(
        "japanese", 8,
        "new, Japanese in ISO-2022-JP (7bit body; subject and sender name ISO-2022-JP "
        "encoded words)", "created", True,
    ),
    Kind(
        "indonesian", 8,
        "new, Indonesian with an emoji: UTF-8 quoted-printable text + HTML, as webmail sends it",
        "created", True,
    ),
    Kind("image_small", 3, "new, text with a PNG screenshot of 20-150 KB", "created", True),
    Kind("image_medium", 2, "new, text with a JPEG photo of 300-900 KB", "created", True),
    Kind("image_large", 1, "new, text with a JPEG photo of 1-3 MB", "created", True),
    Kind(
        "reply", 10, "reply `Re: [tag] ...` from the requester of one of the opened tickets",
        "appended", False,
    ),
    Kind(
        "auto_reply", 2,
        "out-of-office reply (`Auto-Submitted: auto-replied`) from a requester, with the tag",
        "ignored", False,
    ),
)  # fmt: skip
KIND = {kind.name: kind for kind in KINDS}
EPOCH = 1_795_420_800  # 2026-11-23 08:00 UTC: the Date headers are fixed, one a minute
IMAGES = {  # kind -> (subtype, smallest, largest bytes)
    "image_small": ("png", 20_000, 150_000),
    "image_medium": ("jpeg", 300_000, 900_000),
    "image_large": ("jpeg", 1_000_000, 3_000_000),
}
TEXT = (
    "Hi team,\n\nThe VPN drops every few minutes since this morning. "
    "Steps: connect, wait, observe disconnect.\n\nThanks\n"
) * 3  # the peer's own benchmark text
JAPANESE = (  # (subject, sender name)
    ("請求書の金額について", "山田 太郎"),
    ("管理画面にログインできません", "佐藤 花子"),
    ("パスワードの再設定ができない", "鈴木 一郎"),
    ("領収書の再発行のお願い", "高橋 美咲"),
)
JAPANESE_BODY = (
    "カタロ.id ご担当者様\n\n「{subject}」の件でご相談です。\n"
    "昨日から何度か試しましたが、同じエラーが表示されます。\n"
    "お手数ですがご確認をお願いいたします。\n\n{name}\n"
)
INDONESIAN = (
    ("Tagihan ganda bulan November", "Budi Santoso"),
    ("Tidak bisa login ke dasbor", "Siti Rahayu"),
    ("Mohon bantuan reset kata sandi", "Agus Wijaya"),
    ("Pembayaran belum terkonfirmasi", "Dewi Lestari"),
)
INDONESIAN_BODY = (
    "Halo tim Catalo.id,\n\n{subject}. Saya sudah mencoba beberapa kali sejak pagi tetapi "
    "masih gagal.\nMohon bantuannya untuk dicek ya \U0001f64f\n\nTerima kasih,\n{name}\n"
)
OUT_OF_OFFICE = (
    "I am out of the office until Monday.\n",
    "Saya sedang cuti sampai 1 Desember.\n",
)


@dataclass(frozen=True)
class Opener:
    sender: str
    name: str
    subject: str


@dataclass
class Manifest:
    """What the corpus holds; written as manifest.json next to the files."""

    senders: list[str]  # of the openers, in order: placeholder k is the ticket of senders[k]
    openers: list[str]  # file names under openers/
    messages: list[str]  # file names under messages/
    kinds: list[str]  # per message
    sizes: list[int]  # per message, bytes

    def count(self, kind: str) -> int:
        return self.kinds.count(kind)

    def expected_loket(self) -> dict[str, int]:
        expected: dict[str, int] = {}
        for name in self.kinds:
            expected[KIND[name].loket] = expected.get(KIND[name].loket, 0) + 1
        return expected

    def expected_peer_new(self) -> int:
        return sum(1 for name in self.kinds if KIND[name].peer_new)


def read_manifest(root: Path) -> Manifest:
    return Manifest(**json.loads((root / "manifest.json").read_text()))


def allocate(count: int) -> dict[str, int]:
    """Messages per kind: the percentages of `count`, rounded so that they add up to it, and
    at least one of each kind (a small run still has the large attachments)."""
    exact = {kind.name: count * kind.percent / 100 for kind in KINDS}
    counts = {name: int(share) for name, share in exact.items()}
    by_remainder = sorted(exact, key=lambda name: exact[name] - counts[name], reverse=True)
    for name in by_remainder[: count - sum(counts.values())]:
        counts[name] += 1
    for name in [name for name, number in counts.items() if number == 0]:
        counts[name], counts[KINDS[0].name] = 1, counts[KINDS[0].name] - 1  # every kind once
    return counts


def generate(root: Path, count: int, seed: int) -> Manifest:
    """Write the openers and `count` messages under `root`, the same for the same arguments."""
    rng = random.Random(seed)
    kinds = [name for name, number in allocate(count).items() for _ in range(number)]
    rng.shuffle(kinds)
    openers = [make_opener(k) for k in range(OPENERS)]
    (root / "openers").mkdir(parents=True)
    (root / "messages").mkdir()
    for k, opener in enumerate(openers):
        (root / "openers" / f"o{k:03d}.eml").write_bytes(opener_bytes(k, opener))
    sizes = []
    for i, name in enumerate(kinds):
        raw = BUILDERS[name](i, rng, openers)
        (root / "messages" / f"m{i:05d}.eml").write_bytes(raw)
        sizes.append(len(raw))
    manifest = Manifest(
        senders=[opener.sender for opener in openers],
        openers=sorted(path.name for path in (root / "openers").iterdir()),
        messages=[f"m{i:05d}.eml" for i in range(count)],
        kinds=kinds,
        sizes=sizes,
    )
    (root / "manifest.json").write_text(json.dumps(asdict(manifest)))
    return manifest


# --- The messages --------------------------------------------------------------------------------


def make_opener(k: int) -> Opener:
    return Opener(f"requester{k:02d}@example.co.id", f"Requester {k}", f"Printer offline at {k}")


def opener_bytes(k: int, opener: Opener) -> bytes:
    message = headed(f"o{k:03d}", -1 - k, opener.sender, opener.name, opener.subject)
    message.set_content(TEXT)
    return message.as_bytes()


def headed(key: str, minute: int, sender: str, name: str, subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((name, sender))
    message["To"] = SUPPORT_ADDRESS
    message["Subject"] = subject
    message["Date"] = formatdate(EPOCH + 60 * minute, usegmt=True)
    message["Message-ID"] = f"<bench-{key}@{sender.rsplit('@', 1)[1]}>"
    return message


def serialised(message: EmailMessage | MIMEText, i: int) -> bytes:
    """The bytes, with a fixed boundary: the email package would draw a random one."""
    if message.is_multipart():
        message.set_boundary(f"=_bench_{i:05d}")
    return message.as_bytes()


def customer(i: int, rng: random.Random, subject: str) -> EmailMessage:
    """A new mail from one of 300 customers, as the peer's benchmark sends them."""
    number = rng.randint(1, 300)
    return headed(f"m{i:05d}", i, f"mailer{number}@example.net", f"Customer {number}", subject)


def plain(i: int, rng: random.Random, openers: Sequence[Opener]) -> bytes:
    message = customer(i, rng, f"Plain mail {i}")
    message.set_content(TEXT)
    return serialised(message, i)


def html(i: int, rng: random.Random, openers: Sequence[Opener]) -> bytes:
    message = customer(i, rng, f"HTML mail {i}")
    message.set_content(TEXT)
    markup = TEXT.replace("\n", "<br>")
    message.add_alternative(f"<html><body><p>{markup}</p></body></html>", subtype="html")
    return serialised(message, i)


def text_attachment(i: int, rng: random.Random, openers: Sequence[Opener]) -> bytes:
    message = customer(i, rng, f"Log attached {i}")
    message.set_content(TEXT)
    log = ("log line\n" * 400).encode()
    message.add_attachment(log, maintype="text", subtype="plain", filename=f"log{i}.txt")
    return serialised(message, i)


def japanese(i: int, rng: random.Random, openers: Sequence[Opener]) -> bytes:
    """As Japanese mailers still send it: ISO-2022-JP throughout, 7bit, the compat32 way."""
    subject, name = rng.choice(JAPANESE)
    body = JAPANESE_BODY.format(subject=subject, name=name.split()[0])
    message = MIMEText(body, "plain", "iso-2022-jp")
    number = rng.randint(1, 300)
    sender = f"user{number}@example.jp"
    message["From"] = formataddr((name, sender), charset="iso-2022-jp")
    message["To"] = SUPPORT_ADDRESS
    encoded = Header(f"{subject} ({i})", "iso-2022-jp", header_name="Subject").encode()
    message["Subject"] = encoded
    message["Date"] = formatdate(EPOCH + 60 * i, usegmt=True)
    message["Message-ID"] = f"<bench-m{i:05d}@example.jp>"
    return serialised(message, i)


def indonesian(i: int, rng: random.Random, openers: Sequence[Opener]) -> bytes:
    subject, name = rng.choice(INDONESIAN)
    number = rng.randint(1, 300)
    sender = f"{name.split()[0].lower()}{number}@example.co.id"
    message = headed(f"m{i:05d}", i, sender, name, f"{subject} ({i})")
    body = INDONESIAN_BODY.format(subject=subject, name=name)
    message.set_content(body, cte="quoted-printable")
    markup = body.replace("\n", "<br>\n")
    message.add_alternative(f'<div dir="ltr">{markup}</div>', subtype="html")
    return serialised(message, i)


def image(i: int, rng: random.Random, kind: str) -> bytes:
    subtype, smallest, largest = IMAGES[kind]
    message = customer(i, rng, f"Screenshot of the error {i}")
    message.set_content(TEXT)
    content = image_bytes(rng, subtype, rng.randint(smallest, largest))
    extension = "png" if subtype == "png" else "jpg"
    message.add_attachment(
        content, maintype="image", subtype=subtype, filename=f"IMG_{i:04d}.{extension}"
    )
    return serialised(message, i)


def image_bytes(rng: random.Random, subtype: str, size: int) -> bytes:
    """A real signature and header, then random bytes: incompressible, like real images."""
    if subtype == "png":
        header = struct.pack(">II", 1280, 720) + b"\x08\x02\x00\x00\x00"
        chunk = b"IHDR" + header
        head = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk
        head += struct.pack(">I", zlib.crc32(chunk))
        tail = b""
    else:
        head, tail = (
            b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00",
            b"\xff\xd9",
        )
    return head + rng.randbytes(size - len(head) - len(tail)) + tail


def reply(i: int, rng: random.Random, openers: Sequence[Opener]) -> bytes:
    k = rng.randrange(len(openers))
    opener = openers[k]
    subject = f"Re: [@@REPLY-{k:02d}@@] {opener.subject}"
    message = headed(f"m{i:05d}", i, opener.sender, opener.name, subject)
    message.set_content(f"Any news on this? ({i})\n\n> quoted previous text\n")
    return serialised(message, i)


def auto_reply(i: int, rng: random.Random, openers: Sequence[Opener]) -> bytes:
    """An out-of-office answer to the acknowledgement of a requester's ticket."""
    k = rng.randrange(len(openers))
    opener = openers[k]
    subject = f"Automatic reply: [@@REPLY-{k:02d}@@] {opener.subject}"
    message = headed(f"m{i:05d}", i, opener.sender, opener.name, subject)
    message["Auto-Submitted"] = "auto-replied"
    message.set_content(rng.choice(OUT_OF_OFFICE))
    return serialised(message, i)


def image_builder(kind: str) -> Callable[[int, random.Random, Sequence[Opener]], bytes]:
    return lambda i, rng, openers: image(i, rng, kind)


BUILDERS: dict[str, Callable[[int, random.Random, Sequence[Opener]], bytes]] = {
    "plain": plain,
    "html": html,
    "text_attachment": text_attachment,
    "japanese": japanese,
    "indonesian": indonesian,
    **{kind: image_builder(kind) for kind in IMAGES},
    "reply": reply,
    "auto_reply": auto_reply,
}
