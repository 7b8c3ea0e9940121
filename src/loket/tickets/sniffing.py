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
UNKNOWN = "application/octet-stream"
FORWARDED_MAIL = "message/rfc822"
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
    base = bare_name(name)
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return (stem[:100] or "attachment") + ALLOWED_BINARY_TYPES.get(content_type, ".txt")


def bare_name(name: str) -> str:
    """The name without any path, control characters, or leading and trailing dots."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(character for character in base if character.isprintable()).strip(". ")


def kept_file(name: str, content: bytes, declared_type: str = "") -> IncomingFile:
    """A file a channel must keep whatever it is (a mail's attachment): its type from its
    bytes when it is one we know, else a download-only octet stream under a clean name."""
    if declared_type == FORWARDED_MAIL:
        return IncomingFile(clean_name(name, ".eml"), FORWARDED_MAIL, content)
    content_type = sniff_content_type(content)
    if content_type is not None:
        return IncomingFile(safe_filename(name, content_type), content_type, content)
    return IncomingFile(clean_name(name, ""), UNKNOWN, content)


def clean_name(name: str, extension: str) -> str:
    """No path, no control characters, at most 100 characters before the extension."""
    base = bare_name(name)
    if extension and base.lower().endswith(extension):
        base = base[: -len(extension)]
    stem, dot, suffix = base.rpartition(".") if not extension and "." in base else (base, "", "")
    kept_suffix = f".{suffix[:10]}" if dot and suffix.isalnum() else ""
    return (stem[:100] or "attachment") + (extension or kept_suffix)
