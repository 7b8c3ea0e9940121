"""One-line fields (issue 14, item 7): subjects, names and file names lose line breaks, control
characters and bidi controls, so "Invoice \\u202eFDP.exe" cannot read as "Invoice exe.PDF" and
a newline never reaches a mail header."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loket.inbound.text import BIDI_CONTROLS, file_name, one_line

BIDI = [chr(code) for code in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Tagihan ganda\r\nBcc: victim@example.com", "Tagihan ganda Bcc: victim@example.com"),
        ("Red \x1b[31malert\x07", "Red [31malert"),
        ("nul\x00 and C1\x85\x9b", "nul and C1"),
        ("tab\tand\u2028line separator", "tab and line separator"),
        ("  spaced   out  ", "spaced out"),
        ("family 👩\u200d👩\u200d👧 stays", "family 👩\u200d👩\u200d👧 stays"),
        ("Invoice \u202eFDP.exe", "Invoice FDP.exe"),
        ("ファイル \u2067名前\u2069", "ファイル 名前"),
    ],
)
def test_a_one_line_field_keeps_only_printable_text_on_one_line(raw: str, clean: str) -> None:
    assert one_line(raw) == clean


@pytest.mark.parametrize("control", BIDI)
def test_every_bidi_embedding_override_and_isolate_is_removed(control: str) -> None:
    assert one_line(f"a{control}b") == "ab"
    assert file_name(f"Invoice {control}FDP.exe") == "Invoice FDP.exe"


def test_a_file_name_of_nothing_but_controls_is_still_a_name() -> None:
    assert file_name("\u202e\r\n\x1b") == "file"


@given(st.text())
def test_nothing_unsafe_is_left_and_cleaning_twice_changes_nothing(raw: str) -> None:
    clean = one_line(raw)
    assert not BIDI_CONTROLS.search(clean)
    assert all(unicodedata.category(character) != "Cc" for character in clean)
    assert "\u2028" not in clean
    assert "\u2029" not in clean
    assert one_line(clean) == clean
