"""HTML bodies: sanitised with nh3 (Ammonia) before they are stored, and turned into text for
mail that has no text part. Pure: no Django."""

import html
import re
from html.parser import HTMLParser

import nh3

# What a mail's formatting needs, and nothing that runs or fetches: no scripts, styles, forms,
# frames; links keep http(s) and mailto only; images only from the message itself (cid:).
ALLOWED_TAGS = frozenset(
    {"a", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "hr", "i",
     "img", "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup", "table",
     "tbody", "td", "th", "thead", "tr", "u", "ul"}
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "cid"})
BLOCK_TAGS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "blockquote", "hr"})
MAX_HTML = 2_000_000


def sanitize(markup: str) -> str:
    """Safe to show an agent: the result cannot run script or load anything from outside."""
    if not markup.strip():
        return ""
    cleaned = nh3.clean(
        markup[:MAX_HTML],
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    # Remote images would tell the sender when an agent opens the mail: keep only cid: ones.
    return re.sub(r'<img\b[^>]*\bsrc="(?!cid:)[^"]*"[^>]*>', "", cleaned)


class TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head", "title"):
            self.skip += 1
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title"):
            self.skip = max(0, self.skip - 1)
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def text_of(markup: str) -> str:
    """The words of an HTML body, one block a line, for mail that sends no text part."""
    extractor = TextExtractor()
    extractor.feed(markup[:MAX_HTML])
    extractor.close()
    text = html.unescape("".join(extractor.parts))
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
