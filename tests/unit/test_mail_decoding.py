"""Japanese and other real-world encodings read as mail clients read them."""

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loket.mail.decoding import decode_bytes, decode_header_value, jis_to_cp932


def to_iso_2022_jp(text: str) -> bytes:
    """ISO-2022-JP as Windows writes it, NEC and IBM rows included (the test's own encoder)."""
    out = bytearray()
    in_jis = False
    for character in text:
        if ord(character) < 0x80:
            if in_jis:
                out += b"\x1b(B"
                in_jis = False
            out += character.encode()
            continue
        if not in_jis:
            out += b"\x1b$B"
            in_jis = True
        high, low = character.encode("cp932")
        high -= 0x40 if high >= 0xE0 else 0
        first = (high - 0x70) * 2 - 1
        if low >= 0x9F:
            first, second = first + 1, low - 0x7E
        else:
            second = low - 0x1F - (1 if low >= 0x80 else 0)
        out += bytes((first, second))
    return bytes(out + (b"\x1b(B" if in_jis else b""))


def test_iso_2022_jp_keeps_the_windows_characters_circled_digits_company_mark_and_tilde() -> None:
    text = "請求書①の件 ㈱カタロ 9月～11月 №5"
    assert decode_bytes(to_iso_2022_jp(text), "ISO-2022-JP") == text


def test_iso_2022_jp_without_a_charset_label_is_recognised_by_its_escapes() -> None:
    assert decode_bytes(to_iso_2022_jp("こんにちは"), None) == "こんにちは"


def test_shift_jis_is_read_as_cp932() -> None:
    text = "①管理画面 ～ ㈱ ｶﾀｶﾅ"
    assert decode_bytes(text.encode("cp932"), "Shift_JIS") == text
    assert decode_bytes(text.encode("cp932"), "x-sjis") == text


@pytest.mark.parametrize("label", ["iso-8859-1", "us-ascii", None])
def test_utf_8_mislabelled_as_latin_or_unlabelled_is_read_as_utf_8(label: str | None) -> None:
    assert decode_bytes("Terima kasih — café ①".encode(), label) == "Terima kasih — café ①"


def test_real_latin_1_stays_latin_1_and_unknown_labels_fall_back() -> None:
    assert decode_bytes("café".encode("latin-1"), "iso-8859-1") == "café"
    assert decode_bytes(b"plain", "x-no-such-charset") == "plain"


def test_encoded_words_split_inside_a_character_are_joined_before_decoding() -> None:
    raw = "返金のお願い".encode()
    words = " ".join(
        "=?UTF-8?B?" + base64.b64encode(raw[i : i + 4]).decode() + "?="
        for i in range(0, len(raw), 4)
    )
    assert decode_header_value(words) == "返金のお願い"


def test_raw_8_bit_headers_and_folding_and_control_characters() -> None:
    eight_bit = "ログイン".encode("cp932").decode("ascii", errors="surrogateescape")
    assert decode_header_value(eight_bit) == "ログイン"
    assert decode_header_value("Re: hello\r\n world") == "Re: hello world"
    assert decode_header_value("=?UTF-8?Q?a=00b?=") == "a b"


def in_jis_rows(character: str) -> bool:
    """Two CP932 bytes whose lead byte maps onto JIS rows 1-94 (ISO-2022-JP's whole range;
    the user-defined area from 0xF0 on has no ISO-2022-JP form)."""
    encoded = character.encode("cp932")
    return len(encoded) == 2 and encoded[0] < 0xF0


# 〜 (WAVE DASH) is written as 0x8160 but CP932 reads that back as ～: it has its own test above.
JAPANESE = st.characters(codec="cp932", min_codepoint=0x3000, exclude_characters="〜")


@given(st.text(alphabet=JAPANESE.filter(in_jis_rows), max_size=40))
def test_every_cp932_character_survives_iso_2022_jp(text: str) -> None:
    assert decode_bytes(to_iso_2022_jp(text), "iso-2022-jp") == text


def test_jis_row_13_maps_onto_the_nec_block_of_cp932() -> None:
    assert jis_to_cp932(0x2D, 0x21).decode("cp932") == "①"
