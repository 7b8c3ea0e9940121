"""Telling languages apart in what Loket shows and sends: Latin-script runs on a Japanese page,
Japanese on an Indonesian or English one, and any message of another language's catalog."""

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import polib

# What may stay in Latin script on the Japanese page: names, codes and contact details.
ALLOWED_NAMES = (
    "CV Cipta Bisnis Digital",
    "Catalo.id",
    "WhatsApp",
    "WIB",
    "OTP",
    "SLA",
    "PDF",
    "FAQ",
    "ID",
)
ALLOWED_PATTERNS = (
    re.compile(r"[\w.+*-]+@[\w-]+(?:\.[\w-]+)+"),  # e-mail addresses, masked ones too
    re.compile(r"https?://\S+"),  # URLs
    re.compile(r"\+?\d[\d \-]{5,}\d"),  # phone numbers
    re.compile(r"\b[A-Z0-9]{2,}(?:-[A-Z0-9]{2,})+\b"),  # reference-like codes: CAT-7K3M-9QXD
)
ENGLISH_RUN = re.compile(r"[A-Za-z]{2,}(?:[\s,.'’-]+[A-Za-z]{2,}){2,}")  # noqa: RUF001
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


class MainText(HTMLParser):
    """The visible text of <main>: no <script>/<style>, no attributes. `translatable` leaves out
    what the page marks translate="no" (addresses, numbers, the e-mail subject format)."""

    VOID = frozenset(
        {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_main = False
        self.hidden_depth = 0  # inside <script>/<style>
        self.untranslated_depth = 0  # inside translate="no"
        self.all_parts: list[str] = []
        self.translatable_parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.in_main = True
        if tag in self.VOID:
            return
        if self.hidden_depth or tag in {"script", "style"}:
            self.hidden_depth += 1
        if self.untranslated_depth or ("translate", "no") in attrs:
            self.untranslated_depth += 1
        self.all_parts.append(" ")
        self.translatable_parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.in_main = False
        if tag in self.VOID:
            return
        self.hidden_depth = max(self.hidden_depth - 1, 0)
        self.untranslated_depth = max(self.untranslated_depth - 1, 0)
        self.all_parts.append(" ")
        self.translatable_parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.in_main or self.hidden_depth:
            return
        self.all_parts.append(data)
        if not self.untranslated_depth:
            self.translatable_parts.append(data)

    @classmethod
    def of(cls, html: str) -> "MainText":
        parser = cls()
        parser.feed(html)
        parser.close()
        return parser

    @property
    def text(self) -> str:
        return " ".join("".join(self.all_parts).split())

    @property
    def translatable(self) -> str:
        return " ".join("".join(self.translatable_parts).split())


def english_runs(text: str) -> list[str]:
    for pattern in ALLOWED_PATTERNS:
        text = pattern.sub(" ", text)
    for name in ALLOWED_NAMES:
        text = re.sub(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", " ", text)
    return ENGLISH_RUN.findall(text)


# --- strings of another language's catalog ------------------------------------------------

LOCALE = Path(__file__).resolve().parent.parent / "src" / "loket" / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{.*?\}\}|\{\w*\}|<[^>]*>")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


@cache
def catalog(language: str) -> dict[str, str]:
    """msgid -> what the language shows (English: the msgid itself when msgstr is empty)."""
    entries = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    shown = {}
    for entry in entries:
        if entry.obsolete or entry.msgid_plural:
            continue
        shown[entry.msgid] = entry.msgstr or (entry.msgid if language == "en" else "")
    return shown


def telling_fragments(text: str) -> list[str]:
    """The pieces of a message long enough to give its language away: three Latin words or
    more, or five characters or more of Japanese."""
    pieces = [" ".join(piece.split()) for piece in PLACEHOLDER.split(text)]
    return [
        piece
        for piece in pieces
        if len(LATIN_WORD.findall(piece)) >= 3 or len(JAPANESE.findall(piece)) >= 5
    ]


@cache
def foreign_fragments(language: str) -> frozenset[str]:
    """What the other languages' catalogs say where this one says something else."""
    own = catalog(language)
    found: set[str] = set()
    for other in ("ja", "id", "en"):
        if other == language:
            continue
        for msgid, shown in catalog(other).items():
            mine = own.get(msgid, "")
            if shown and mine and shown != mine:
                found.update(f for f in telling_fragments(shown) if f not in mine)
    return frozenset(found)


def foreign_strings(text: str, language: str) -> list[str]:
    """Everything in `text` (a page's visible text, a mail) that belongs to another language:
    a message of another catalog, Japanese outside ja, an English run on a ja text."""
    flat = " ".join(text.split())
    found = sorted(f for f in foreign_fragments(language) if f in flat)
    if language == "ja":
        found += english_runs(flat)
    else:
        found += JAPANESE.findall(flat)
    return found
