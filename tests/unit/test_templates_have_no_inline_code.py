"""The Content-Security-Policy refuses inline scripts, style attributes and event handler
attributes (issue 14, item 4): no page template may carry one. Mail templates are exempt:
mail clients need inline styles and no CSP applies to them."""

import re
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2] / "src" / "loket"
PAGES = sorted(
    path for path in SOURCE.rglob("templates/**/*.html") if "/email/" not in path.as_posix()
)
INLINE = {
    "a style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "an inline script": re.compile(r"<script(?![^>]*\ssrc=)(?![^>]*\snonce=)[^>]*>", re.I),
    "an inline style element": re.compile(r"<style(?![^>]*\snonce=)[^>]*>", re.IGNORECASE),
}


def test_there_are_page_templates_to_check() -> None:
    assert len(PAGES) > 20


@pytest.mark.parametrize("path", PAGES, ids=lambda path: str(path.relative_to(SOURCE)))
def test_a_page_template_has_no_inline_code(path: Path) -> None:
    text = path.read_text()
    found = [what for what, pattern in INLINE.items() if pattern.search(text)]
    assert found == [], f"{path.name} has {', '.join(found)}"
