"""Ticket references: the keyed permutation, the check symbol and parsing what people type."""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loket.tickets.references import (
    ALPHABET,
    NUMBER_BITS,
    InvalidReference,
    format_reference,
    is_valid_reference,
    make_reference,
    parse_reference,
    reference_number,
)

KEY = b"unit-test-reference-key"
PREFIX = "CAT"
REFERENCE_SHAPE = re.compile(r"^CAT-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")

numbers = st.integers(min_value=0, max_value=2**NUMBER_BITS - 1)
keys = st.binary(min_size=1, max_size=64)


def body_of(reference: str) -> str:
    return reference.removeprefix(f"{PREFIX}-").replace("-", "")


def spelled(body: str) -> str:
    return f"{PREFIX}-{body[:4]}-{body[4:]}"


def substitutions(reference: str) -> Iterator[str]:
    """Every reference that differs from this one in exactly one symbol, check included."""
    body = body_of(reference)
    for position, original in enumerate(body):
        for symbol in ALPHABET:
            if symbol != original:
                yield spelled(body[:position] + symbol + body[position + 1 :])


def transpositions(reference: str) -> Iterator[str]:
    """Every swap of two different neighbouring symbols, the last data symbol and check too."""
    body = body_of(reference)
    for position in range(len(body) - 1):
        first, second = body[position], body[position + 1]
        if first != second:
            yield spelled(body[:position] + second + first + body[position + 2 :])


def accepted_typos(reference: str) -> list[str]:
    """The single substitutions and adjacent swaps of a reference that parse_reference lets by."""
    accepted = []
    for typo in [*substitutions(reference), *transpositions(reference)]:
        try:
            parse_reference(typo, PREFIX)
        except InvalidReference:
            continue
        accepted.append(typo)
    return accepted


def sample_references(count: int) -> list[str]:
    rng = random.Random(20_240_611)
    return [format_reference(PREFIX, rng.randrange(2**NUMBER_BITS)) for _ in range(count)]


# --- the keyed permutation --------------------------------------------------------------------


def test_a_million_counters_give_a_million_different_references() -> None:
    references = {make_reference(PREFIX, counter, KEY) for counter in range(1, 1_000_001)}

    assert len(references) == 1_000_000


def test_consecutive_counters_give_neither_consecutive_nor_sorted_numbers() -> None:
    scattered = [reference_number(counter, KEY) for counter in range(1, 1_001)]
    steps = [later - earlier for earlier, later in itertools.pairwise(scattered)]

    assert all(abs(step) > 1 for step in steps)
    # A shuffled order goes up about half the time; a sequence would go up every time.
    assert 400 < sum(step > 0 for step in steps) < 600


def test_the_numbers_spread_over_the_whole_range() -> None:
    scattered = [reference_number(counter, KEY) for counter in range(1, 1_001)]

    assert min(scattered) < 2**NUMBER_BITS // 10
    assert max(scattered) > 2**NUMBER_BITS // 10 * 9


def test_a_different_key_gives_different_references() -> None:
    for counter in range(1, 1_001):
        assert make_reference(PREFIX, counter, KEY) != make_reference(PREFIX, counter, b"other")


def test_another_attempt_gives_different_references() -> None:
    for counter in range(1, 1_001):
        first = make_reference(PREFIX, counter, KEY)
        assert make_reference(PREFIX, counter, KEY, attempt=1) != first
        assert make_reference(PREFIX, counter, KEY, attempt=2) != first


def test_the_same_inputs_always_give_the_same_reference() -> None:
    # Pinned so that an accidental change to the permutation shows up here rather than as
    # collisions with references already handed out.
    assert make_reference(PREFIX, 1, b"pinned-test-key") == "CAT-8M09-A3HR"
    assert make_reference(PREFIX, 2, b"pinned-test-key") == "CAT-24XG-K22B"


@given(counter=numbers, key=keys, attempt=st.integers(min_value=0, max_value=2**32 - 1))
def test_every_counter_in_range_maps_into_the_range(counter: int, key: bytes, attempt: int) -> None:
    assert 0 <= reference_number(counter, key, attempt) < 2**NUMBER_BITS


@pytest.mark.parametrize("counter", [-1, 2**NUMBER_BITS, 2**64])
def test_a_counter_outside_the_range_is_refused(counter: int) -> None:
    with pytest.raises(ValueError, match="counter"):
        reference_number(counter, KEY)


@pytest.mark.parametrize("attempt", [-1, 2**32])
def test_an_attempt_outside_the_range_is_refused(attempt: int) -> None:
    with pytest.raises(ValueError, match="attempt"):
        make_reference(PREFIX, 1, KEY, attempt=attempt)


@pytest.mark.parametrize("key", [b"", b"k" * 65])
def test_an_empty_or_overlong_key_is_refused(key: bytes) -> None:
    with pytest.raises(ValueError, match="key"):
        make_reference(PREFIX, 1, key)


# --- the text form ------------------------------------------------------------------------------


@given(number=numbers)
def test_a_formatted_reference_has_the_published_shape(number: int) -> None:
    assert REFERENCE_SHAPE.match(format_reference(PREFIX, number))


@given(counter=numbers, key=keys)
def test_a_reference_round_trips_through_parse(counter: int, key: bytes) -> None:
    reference = make_reference(PREFIX, counter, key)

    assert parse_reference(reference, PREFIX) == reference
    assert is_valid_reference(reference, PREFIX)


def test_the_check_symbol_weighs_the_last_data_symbol_by_a() -> None:
    # 1 -> check a*1 = x = 2; 16 (G) -> x^5 = x^2 + 1 = 5: the field reduction at work.
    assert format_reference(PREFIX, 0) == "CAT-0000-0000"
    assert format_reference(PREFIX, 1) == "CAT-0000-0012"
    assert format_reference(PREFIX, 16) == "CAT-0000-00G5"


@pytest.mark.parametrize("number", [-1, 2**NUMBER_BITS])
def test_a_number_outside_the_range_cannot_be_formatted(number: int) -> None:
    with pytest.raises(ValueError, match="number"):
        format_reference(PREFIX, number)


@pytest.mark.parametrize("prefix", ["", "C-T", "CÄT", "C T"])
def test_a_prefix_that_is_not_letters_and_digits_is_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="prefix"):
        format_reference(prefix, 1)


# --- typing mistakes ----------------------------------------------------------------------------


def test_every_single_substitution_and_adjacent_swap_is_rejected_for_a_sample() -> None:
    for reference in sample_references(2_000):
        assert accepted_typos(reference) == [], reference


@given(counter=numbers, key=keys)
def test_every_single_substitution_and_adjacent_swap_is_rejected(counter: int, key: bytes) -> None:
    assert accepted_typos(make_reference(PREFIX, counter, key)) == []


def test_each_reference_has_248_substitutions_to_check() -> None:
    # Guards the helpers above: 8 positions times the 31 other symbols.
    assert len(set(substitutions("CAT-7K3M-9QXF"))) == 8 * 31


# --- what people type ---------------------------------------------------------------------------

# "7K3M9QX" with its check symbol F; "10K3M9Q" with its check F has a 1 and a 0 to misread.
VALID = "CAT-7K3M-9QXF"
WITH_ONE_AND_ZERO = "CAT-10K3-M9QF"


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("CAT-7K3M-9QXF", VALID),
        ("cat-7k3m-9qxf", VALID),
        ("7K3M9QXF", VALID),
        ("7k3m-9qxf", VALID),
        ("CAT7K3M9QXF", VALID),
        (" cat 7k3m 9qxf ", VALID),
        ("C-A-T 7K 3M-9Q XF", VALID),
        ("\tCAT\u00a07K3M\u20139QXF\n", VALID),
        ("CAT-IOK3-M9QF", WITH_ONE_AND_ZERO),
        ("cat-lok3-m9qf", WITH_ONE_AND_ZERO),
        ("Lok3m9qf", WITH_ONE_AND_ZERO),
    ],
)
def test_a_reference_is_read_the_way_a_person_means_it(typed: str, canonical: str) -> None:
    assert parse_reference(typed, PREFIX) == canonical
    assert is_valid_reference(typed, PREFIX)


def test_a_prefix_with_look_alike_letters_still_matches() -> None:
    reference = format_reference("LOKET", 1_093_783_863)

    assert reference == "LOKET-10K3-M9QF"
    assert parse_reference("loket 10k3 m9qf", "LOKET") == reference
    assert parse_reference("10K3M9QF", "loket") == reference


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "--",
        "CAT-7K3M-9QXU",
        "CAT-UK3M-9QXF",
        "CAT-7K3M-9QX",
        "CAT-7K3M-9QXFF",
        "7K3M9QX",
        "7K3M9QXF0",
        "DOG-7K3M-9QXF",
        "CA-7K3M-9QXF",
        "CAT-7K3M-9QX*",
        "CAT-7K3M-9QXß",
        "CAT-7K3M-9Q\u00d7F",
        "CAT-7K3M-9QXD",
        "hello world",
        "x" * 10_000,
    ],
)
def test_something_that_is_not_a_reference_is_rejected(typed: str) -> None:
    with pytest.raises(InvalidReference):
        parse_reference(typed, PREFIX)
    assert not is_valid_reference(typed, PREFIX)


def test_the_rejection_says_what_is_wrong_in_plain_english() -> None:
    with pytest.raises(InvalidReference, match="'U'"):
        parse_reference("CAT-7K3M-9QXU", PREFIX)
    with pytest.raises(InvalidReference, match="8 letters or digits"):
        parse_reference("CAT-7K3M", PREFIX)
    with pytest.raises(InvalidReference, match="typo"):
        parse_reference("CAT-7K3M-9QXD", PREFIX)
    with pytest.raises(InvalidReference, match="start with CAT-"):
        parse_reference("DOG-7K3M-9QXF", PREFIX)


def test_an_invalid_reference_is_still_a_value_error() -> None:
    with pytest.raises(ValueError, match="Enter a ticket reference"):
        parse_reference("", PREFIX)
