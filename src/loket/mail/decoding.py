"""Bytes and header values of real-world mail turned into text. Pure: no Django.

Japanese mail is the hard case. ISO-2022-JP and Shift_JIS as Windows and many phones send them
use Microsoft's extensions (NEC row 13: ① ㈱ №; the IBM extensions; 0x8160 as ～ FULLWIDTH
TILDE), which Python's strict codecs reject or map to other characters. Like mail clients do, we
read them as their CP932-compatible supersets: Shift_JIS as cp932, and ISO-2022-JP by turning
its JIS code points into CP932 bytes.
"""

import codecs
import email.header
import re

# Labels mail software writes for Shift_JIS, all read as Microsoft's superset.
CP932_LABELS = frozenset(
    {"shift_jis", "shift-jis", "sjis", "x-sjis", "s-jis", "ms_kanji", "csshiftjis",
     "windows-31j", "cp932", "ms932", "x-ms-cp932"}
)  # fmt: skip
ISO_2022_JP_LABELS = frozenset(
    {"iso-2022-jp", "iso-2022-jp-ms", "iso-2022-jp-1", "iso-2022-jp-2", "csiso2022jp",
     "cp50220", "cp50221", "cp50222", "iso2022jp", "iso2022_jp"}
)  # fmt: skip
# Labels whose real-world meaning is a superset (as browsers read them, WHATWG Encoding).
SUPERSETS = {
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252",
    "ascii": "cp1252", "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030",
    "ks_c_5601-1987": "cp949", "euc-kr": "cp949", "iso-8859-9": "cp1254", "tis-620": "cp874",
    "iso-8859-11": "cp874", "big5": "big5hkscs", "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8",
}  # fmt: skip
ESCAPE = 0x1B
SHIFT_OUT, SHIFT_IN = 0x0E, 0x0F
# Decoding order when a part names no charset, or one Python does not know.
GUESSES = ("utf-8", "cp932", "cp1252")
SURROGATE = re.compile("[\udc80-\udcff]")


def codec_for(label: str | None) -> str | None:
    """The codec to read a charset label with, or None for no or an unknown label."""
    if not label:
        return None
    name = label.strip().strip('"').lower()
    if name in CP932_LABELS:
        return "cp932"
    if name in ISO_2022_JP_LABELS:
        return "iso-2022-jp"
    name = SUPERSETS.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Text from a body or header chunk; never fails (undecodable bytes become U+FFFD)."""
    codec = codec_for(charset)
    if codec == "iso-2022-jp" or (codec is None and looks_like_iso_2022_jp(data)):
        return decode_iso_2022_jp(data)
    if codec == "cp1252" and not data.isascii() and (text := strict(data, "utf-8")) is not None:
        # Valid multi-byte UTF-8 is next to impossible in real Latin-1 text: the label is wrong.
        return text
    if codec is not None:
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            # Mislabelled mail is common: UTF-8 sent as "iso-8859-1" or "us-ascii".
            if codec != "utf-8" and (text := strict(data, "utf-8")) is not None:
                return text
            return data.decode(codec, errors="replace")
    return guess(data)


def looks_like_iso_2022_jp(data: bytes) -> bool:
    return data.isascii() and (b"\x1b$B" in data or b"\x1b$@" in data or b"\x1b(I" in data)


def strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def guess(data: bytes) -> str:
    for codec in GUESSES:
        if (text := strict(data, codec)) is not None:
            return text
    return data.decode("utf-8", errors="replace")


def decode_iso_2022_jp(data: bytes) -> str:
    """ISO-2022-JP, including Microsoft's extensions (CP50220/CP50221), via CP932 bytes."""
    out = bytearray()
    mode = "ascii"
    index = 0
    while index < len(data):
        byte = data[index]
        if byte == ESCAPE:
            mode, skip = escape_mode(data[index + 1 : index + 4], mode)
            index += skip
            continue
        if byte == SHIFT_OUT:
            mode, index = "katakana", index + 1
            continue
        if byte == SHIFT_IN:
            mode, index = "ascii", index + 1
            continue
        if mode == "jis" and 0x21 <= byte <= 0x7E and index + 1 < len(data):
            out += jis_to_cp932(byte, data[index + 1])
            index += 2
            continue
        if mode == "katakana" and 0x21 <= byte <= 0x5F:
            out.append(byte + 0x80)
        else:
            out.append(byte)
        index += 1
    return out.decode("cp932", errors="replace")


def escape_mode(sequence: bytes, mode: str) -> tuple[str, int]:
    """The mode an escape sequence switches to, and how many bytes it takes (with ESC)."""
    if sequence[:2] in (b"$B", b"$@"):
        return "jis", 3
    if sequence[:3] in (b"$(B", b"$(Q"):
        return "jis", 4
    if sequence[:2] in (b"(B", b"(J"):
        return "ascii", 3
    if sequence[:2] == b"(I":
        return "katakana", 3
    return mode, 1  # an escape we do not know: drop the ESC byte, keep the rest


def jis_to_cp932(first: int, second: int) -> bytes:
    """One JIS X 0208 code point (rows 1-94, NEC and IBM rows included) as CP932 bytes."""
    # Odd JIS rows map to the lower half of a Shift_JIS row pair, even rows to the upper.
    low = (second + 0x1F + (second >= 0x60)) if first & 1 else second + 0x7E
    high = ((first + 1) >> 1) + 0x70
    if high >= 0xA0:
        high += 0x40
    return bytes((high, low))


def decode_header_value(raw: str) -> str:
    """A header's text: RFC 2047 encoded words (adjacent words joined before decoding, so a
    character split between two words survives), raw 8-bit bytes, folding removed."""
    unfolded = re.sub(r"\r?\n[ \t]+", " ", raw).replace("\r", "").replace("\n", "")
    if SURROGATE.search(unfolded):
        unfolded = guess_raw_header(unfolded)
    try:
        chunks = email.header.decode_header(unfolded)
    except (ValueError, AssertionError):
        return unfolded
    text = "".join(
        chunk if isinstance(chunk, str) else decode_bytes(chunk, charset)
        for chunk, charset in chunks
    )
    return sanitize_header(text)


def guess_raw_header(value: str) -> str:
    """8-bit bytes in a header (no encoded word), as the parser hands them over."""
    return decode_bytes(value.encode("ascii", errors="surrogateescape"))


def sanitize_header(text: str) -> str:
    """No control characters (NUL, CR, LF...) survive into a stored subject or name."""
    return "".join(c if c >= " " or c == "\t" else " " for c in text).strip()
