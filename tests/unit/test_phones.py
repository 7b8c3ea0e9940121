"""Phone numbers in one form, E.164, whatever an agent, a requester or WhatsApp wrote."""

import pytest

from loket.tickets.phones import display, is_valid, normalise
from loket.whatsapp import phones as whatsapp_phones

E164 = "+6281234567890"


@pytest.mark.parametrize(
    "written",
    [
        "081234567890",  # national form, as Indonesians write it
        "0812-3456-7890",
        "0812 3456 7890",
        "(0812) 3456-7890",
        "+62 812 3456 7890",
        "+62 812-3456-7890",
        "+6281234567890",
        "6281234567890",  # a WhatsApp id: the international form without the plus
        "  +62 (812) 3456 7890  ",
    ],
)
def test_every_indonesian_form_becomes_the_same_e164_number(written: str) -> None:
    assert normalise(written, "ID") == E164


def test_a_jakarta_landline_and_a_foreign_number_keep_their_own_country() -> None:
    assert normalise("(021) 555-0123", "ID") == "+62215550123"
    assert normalise("+81 90-1234-5678", "ID") == "+819012345678"


@pytest.mark.parametrize("written", ["", "   ", "12", "0812", "call me", "+62 81", "+999 1234567"])
def test_what_no_phone_could_have_is_refused(written: str) -> None:
    assert normalise(written, "ID") is None


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        (E164, True),
        ("+62215550123", True),  # a Jakarta landline
        ("+14155550100", True),
        ("+6281234567890123456", False),  # a digit run far too long for Indonesia
        ("+12345678", False),  # "12345678" typed without a 0 or a +: read as +1, no such number
        ("not a number", False),
    ],
)
def test_a_typed_number_must_fit_its_countrys_numbering_plan(number: str, valid: bool) -> None:
    assert is_valid(number) is valid


def test_the_number_is_displayed_in_the_international_form_people_read() -> None:
    assert display(E164) == "+62 812-3456-7890"


def test_the_whatsapp_channel_uses_the_same_forms() -> None:
    assert whatsapp_phones.normalise is normalise
