"""Where a message's own words end and the earlier thread (or a signature) it quotes begins,
so the console can fold the quote away without losing it. Pure: no Django."""

import re
from dataclasses import dataclass

# "On Mon, 23 Nov 2026 Budi wrote:", "Pada 23 Nov 2026 Budi menulis:", "2026年11月23日(月) 山田
# 太郎 <...>:" / "...さんは書きました:", Outlook's "-----Original Message-----" and "From: ...".
QUOTE_HEADERS = re.compile(
    r"^\s*("
    r"on\b.{0,200}\bwrote:|pada\b.{0,200}\bmenulis:|.{0,200}(さん)?(は|が)書きました[:：]|"
    r"\d{4}年\d{1,2}月\d{1,2}日.{0,200}[:：]$|"
    r"-{2,}\s*(original message|pesan asli|元のメッセージ|forwarded message)\s*-{2,}|"
    r"(from|dari|差出人)\s*[:：].+"
    r")\s*$",
    re.IGNORECASE,
)
SIGNATURE = re.compile(r"^-- ?$")


@dataclass(frozen=True)
class Folded:
    fresh: str
    quoted: str


def fold_quoted(text: str) -> Folded:
    """Split at the first quote header, the first run of '>' lines, or a signature marker;
    nothing but the blank lines between them is dropped."""
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        starts_quote = QUOTE_HEADERS.match(line) or SIGNATURE.match(line.rstrip("\r\n"))
        quoted_run = line.startswith(">") and all(
            rest.startswith(">") or not rest.strip() for rest in lines[index:]
        )
        if (starts_quote or quoted_run) and "".join(lines[:index]).strip():
            return Folded("".join(lines[:index]).rstrip() + "\n", "".join(lines[index:]))
    return Folded(text, "")
