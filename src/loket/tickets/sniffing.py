"""Decide what an uploaded file really is from its bytes; the name and the browser's word are
not trusted. Pure: no Django."""

from dataclasses import dataclass

import puremagic

ALLOWED_BINARY_TYPES = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}
PLAIN_TEXT = "text/plain"
# Enough to recognise every allowed signature, and to judge whether a file is text.
HEAD_BYTES = 8192


@dataclass(frozen=True)
class IncomingFile:
    """An attachment already checked by intake: its type comes from its bytes, not its name."""

    filename: str
    content_type: str
    content: bytes


def sniff_content_type(content: bytes) -> str | None:
    """The allowed type these bytes are, or None when they are none of them."""
    if not content:
        return None
    try:
        detected = puremagic.from_string(content[:HEAD_BYTES], mime=True)
    except puremagic.PureError:
        detected = ""
    if detected in ALLOWED_BINARY_TYPES:
        return str(detected)
    if not detected and looks_like_text(content):
        return PLAIN_TEXT
    return None


def looks_like_text(content: bytes) -> bool:
    """UTF-8 without control characters other than tab, newline, carriage return, form feed."""
    if b"\x00" in content:
        return False
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(character >= " " or character in "\t\n\r\f" for character in text)


def safe_filename(name: str, content_type: str) -> str:
    """A name for storage and download: no path, no control characters, and an extension that
    matches what the bytes are, so a disguised file never keeps a misleading extension."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(character for character in base if character.isprintable()).strip(". ")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem[:100] or "attachment"
    extension = ALLOWED_BINARY_TYPES.get(content_type, ".txt")
    return stem + extension
