import pytest

from loket.tickets.sniffing import safe_filename, sniff_content_type
from tests.builders import EXE, PDF, PNG

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (PDF, "application/pdf"),
        ("Langkah: buka toko, klik Bayar.\n手順: 支払い\n".encode(), "text/plain"),
    ],
)
def test_allowed_files_are_recognised_by_their_bytes(content: bytes, expected: str) -> None:
    assert sniff_content_type(content) == expected


@pytest.mark.parametrize(
    "content",
    [
        EXE,
        b"",
        b"<html><script>alert(1)</script></html>",
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 40,
        b"plain text with a \x00 NUL byte",
        b"\xff\xfe not utf-8 \xc3\x28",
    ],
    ids=["executable", "empty", "html", "zip", "nul-byte", "invalid-utf8"],
)
def test_other_files_are_refused_whatever_they_are_called(content: bytes) -> None:
    assert sniff_content_type(content) is None


def test_a_stored_name_has_no_path_and_the_extension_of_its_real_type() -> None:
    assert safe_filename("../../etc/invoice.png", "application/pdf") == "invoice.pdf"
    assert safe_filename("C:\\Users\\me\\screen shot.PNG", "image/png") == "screen shot.png"
    assert safe_filename("notes", "text/plain") == "notes.txt"
    assert safe_filename("\x00\x1b.", "image/png") == "attachment.png"
