"""What every channel's one-line fields (subject, sender name, attachment file names) may
hold: no line breaks, no control characters, no bidirectional overrides - "Invoice
\u202eFDP.exe" must not read as "Invoice exe.PDF", and a newline must never reach a mail
header. Pure: no Django."""

import re
import unicodedata

# Bidi embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI) and marks.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
SPACES = re.compile(r"\s+")


def one_line(text: str) -> str:
    """Line breaks and tabs become spaces; bidi controls and other control characters go
    (format characters such as the zero-width joiner inside an emoji stay); runs of spaces
    shrink to one."""
    text = BIDI_CONTROLS.sub("", text)
    kept = []
    for character in text:
        category = unicodedata.category(character)
        if character in "\r\n\t\v\f\x85\u2028\u2029":
            kept.append(" ")
        elif category == "Cc":
            continue
        else:
            kept.append(character)
    return SPACES.sub(" ", "".join(kept)).strip()


def file_name(text: str) -> str:
    """An attachment's name as shown and offered for download: one line, like a subject, so
    "Invoice \u202eFDP.exe" cannot pose as a PDF; never empty."""
    return one_line(text) or "file"
