"""Ticket references such as ``CAT-7K3M-9QXD``.

A reference is a prefix, then eight Crockford base32 symbols grouped 4-4. The first seven
symbols carry a 35-bit number and the eighth is a check symbol, so a mistyped reference is
rejected instead of silently pointing at somebody else's ticket.

The 35-bit number is not the ticket's database id: a keyed permutation hides how many tickets
exist and stops anyone guessing a neighbour's reference by adding one.

This module is pure Python on purpose (an import-linter contract forbids Django here), so it
can be tested and reused without settings or a database.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

__all__ = [
    "ALPHABET",
    "NUMBER_BITS",
    "InvalidReference",
    "find_references",
    "format_reference",
    "is_valid_reference",
    "make_reference",
    "parse_reference",
    "reference_number",
]

# Crockford base32: no I, L, O (they look like 1 and 0) and no U (accidental obscenity).
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_SYMBOL_VALUES = {symbol: value for value, symbol in enumerate(ALPHABET)}

DATA_SYMBOLS = 7
NUMBER_BITS = 5 * DATA_SYMBOLS  # 35 bits, about 34 billion references
NUMBER_LIMIT = 1 << NUMBER_BITS
_BODY_LENGTH = DATA_SYMBOLS + 1  # seven data symbols and one check symbol

# GF(32) is built on the primitive polynomial x^5 + x^2 + 1 (0b100101).
_FIELD_POLYNOMIAL = 0b100101
# The check multiplier a is the field element x (the symbol value 2). All the check needs from
# a (see _check_symbol) is a != 0 and a + 1 != 0, i.e. that a is neither 0 nor 1.


def _times_multiplier(value: int) -> int:
    """Multiply a GF(32) element by a = x: shift left, reduce by the polynomial on overflow."""
    value <<= 1
    if value & 0b100000:
        value ^= _FIELD_POLYNOMIAL
    return value


# Horner's rule multiplies by a once per symbol; a table keeps that to one lookup.
_TIMES_A = tuple(_times_multiplier(value) for value in range(32))


def _check_symbol(data: list[int]) -> int:
    """Return the check value sum(d_i * a^(n-i+1)) over GF(32), where + is XOR.

    Read as a whole, a valid body satisfies sum(d_i * a^(n-i+1)) + check * a^0 = 0, so every
    position, the check included, has its own non-zero weight a^k (a != 0 and the field has no
    zero divisors). Hence:
    - a single substitution adds e * a^k with e != 0, which is never 0, so it is always caught;
    - swapping two different neighbours with weights a^(k+1) and a^k adds
      (d ^ d') * a^k * (a + 1), which is non-zero because a + 1 != 0 (a is not 1);
    - that includes swapping the last data symbol with the check, because the check is
      a * acc rather than acc: the last data symbol then weighs a^1, not a^0 like the check.
    The result is an element of GF(32), so it is always one of the 32 alphabet symbols.
    """
    acc = 0
    for value in data:
        acc = _TIMES_A[acc] ^ value
    return _TIMES_A[acc]


# --- the keyed permutation -----------------------------------------------------------------

_HALF_BITS = 18  # a balanced Feistel network on 36 bits: the smallest even width >= 35
_HALF_MASK = (1 << _HALF_BITS) - 1
_ROUNDS = 4
_ATTEMPT_LIMIT = 1 << 32  # the attempt is hashed as four bytes
_PERSON = b"loket-ref"
_MAX_KEY_BYTES = 64  # what BLAKE2b accepts as a key
# The round function works modulo the Mersenne prime 2**61 - 1: wide enough that the 18 bits
# kept are close to uniform, and Python does the arithmetic in one step.
_PRIME = (1 << 61) - 1

_RoundKeys = tuple[tuple[int, int], ...]


@functools.lru_cache(maxsize=16)
def _round_keys(key: bytes, attempt: int) -> _RoundKeys:
    """Derive an (offset, multiplier) pair per round from the key with keyed BLAKE2b.

    Hashing inside every round was the first design, but a whole permutation then cost about
    four microseconds and a million references about ten seconds; deriving round keys once
    per (key, attempt) and mixing with integer arithmetic is about three times faster and
    still depends on the whole key.
    """
    keys = []
    for round_index in range(_ROUNDS):
        message = round_index.to_bytes(1, "big") + attempt.to_bytes(4, "big")
        digest = hashlib.blake2b(message, key=key, person=_PERSON, digest_size=16).digest()
        offset = int.from_bytes(digest[:8], "big") % _PRIME
        multiplier = int.from_bytes(digest[8:], "big") % (_PRIME - 1) + 1  # never 0
        keys.append((offset, multiplier))
    return tuple(keys)


def _permute(value: int, round_keys: _RoundKeys) -> int:
    """Apply the Feistel permutation of [0, 2**36) once.

    Each round swaps the halves and mixes a keyed function of one half into the other; that
    structure is invertible whatever the round function is, which is what makes it a bijection.
    The round function (half + offset) * multiplier mod p is a pairwise-independent hash of the
    half; keeping its low 18 bits makes it far from linear over the bits.
    """
    left, right = value >> _HALF_BITS, value & _HALF_MASK
    for offset, multiplier in round_keys:
        left, right = right, left ^ ((right + offset) * multiplier % _PRIME & _HALF_MASK)
    return (left << _HALF_BITS) | right


def _check_key(key: bytes) -> None:
    if not key:
        raise ValueError("The reference key must not be empty: an unkeyed order is guessable.")
    if len(key) > _MAX_KEY_BYTES:
        raise ValueError(f"The reference key can be at most {_MAX_KEY_BYTES} bytes long.")


def reference_number(counter: int, key: bytes, attempt: int = 0) -> int:
    """Map a counter (such as a ticket id) one-to-one onto a scattered number in [0, 2**35).

    ``attempt`` selects a different permutation, so a caller that hits a unique-constraint
    collision (for instance after the key changed) can retry with attempt + 1.
    """
    if not 0 <= counter < NUMBER_LIMIT:
        raise ValueError(f"A reference counter must be in [0, 2**{NUMBER_BITS}), not {counter}.")
    if not 0 <= attempt < _ATTEMPT_LIMIT:
        raise ValueError(f"A reference attempt must be in [0, 2**32), not {attempt}.")
    _check_key(key)
    round_keys = _round_keys(key, attempt)
    # Cycle-walking: the network permutes 36 bits, so re-apply it until the value falls back
    # into the 35-bit range. Following the permutation's cycle from an in-range value always
    # returns to the range (at worst at the start), and distinct inputs walk disjoint stretches
    # of their cycles, so the result is still a bijection of [0, 2**35). About 2 steps on average.
    number = _permute(counter, round_keys)
    while number >= NUMBER_LIMIT:
        number = _permute(number, round_keys)
    return number


# --- text form ------------------------------------------------------------------------------


class InvalidReference(ValueError):
    """The text is not a well-formed ticket reference; the message can be shown to a person."""


def _canonical_prefix(prefix: str) -> str:
    canonical = prefix.strip().upper()
    if not (canonical.isascii() and canonical.isalnum()):
        raise ValueError(f"A reference prefix must be ASCII letters and digits, not {prefix!r}.")
    return canonical


_SHIFTS = tuple(range(NUMBER_BITS - 5, -1, -5))  # most significant symbol first


def _encode_body(number: int) -> str:
    data = [number >> shift & 0b11111 for shift in _SHIFTS]
    symbols = "".join([ALPHABET[value] for value in data]) + ALPHABET[_check_symbol(data)]
    return f"{symbols[:4]}-{symbols[4:]}"


def format_reference(prefix: str, number: int) -> str:
    """Spell a 35-bit number as ``PREFIX-XXXX-XXXX``, the last symbol being the check."""
    if not 0 <= number < NUMBER_LIMIT:
        raise ValueError(f"A reference number must be in [0, 2**{NUMBER_BITS}), not {number}.")
    return f"{_canonical_prefix(prefix)}-{_encode_body(number)}"


def make_reference(prefix: str, counter: int, key: bytes, attempt: int = 0) -> str:
    """Return the reference for a counter, e.g. ``make_reference("CAT", 42, key)``."""
    return format_reference(prefix, reference_number(counter, key, attempt))


# A valid body ("7K3M9QX" and its check) for messages; a made-up one would fail its own check.
_EXAMPLE_BODY = _encode_body(8157538045)

# People copy references out of mail and read them over the phone: accept any spacing and
# kind of dash, and the look-alikes Crockford names (O for 0, I and L for 1).
_UNICODE_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212"))
# Far longer than any prefix plus body; stops pathological input before any real work.
_MAX_INPUT_LENGTH = 200


def _unalias(text: str) -> str:
    # Chained replace() is several times faster than str.translate with a mapping.
    return text.replace("O", "0").replace("I", "1").replace("L", "1")


def _compact(text: str) -> str:
    """Drop whitespace and dashes, upper-case, and map look-alikes onto their symbols."""
    squeezed = "".join(text.split())
    if not squeezed.isascii():
        squeezed = squeezed.translate(_UNICODE_DASHES)
        # Checked before upper-casing: "ß".upper() is "SS", which would sneak in symbols.
        if not squeezed.isascii():
            raise InvalidReference("A ticket reference only contains letters, digits and dashes.")
    return _unalias(squeezed.replace("-", "").upper())


def _body_of(compact: str, prefix: str) -> str:
    """Return the eight body symbols, with or without the prefix in front of them."""
    if len(compact) == _BODY_LENGTH:
        return compact
    # The prefix goes through the same mapping, so a prefix such as "LOKET" still matches.
    wanted = _unalias(prefix)
    if len(compact) == len(wanted) + _BODY_LENGTH:
        if compact.startswith(wanted):
            return compact[len(wanted) :]
        raise InvalidReference(f"Ticket references here start with {prefix}-.")
    raise InvalidReference(
        f"A ticket reference has {_BODY_LENGTH} letters or digits after {prefix}-, "
        f"like {prefix}-{_EXAMPLE_BODY}."
    )


def _decode_body(body: str) -> list[int]:
    values = [_SYMBOL_VALUES.get(symbol, -1) for symbol in body]
    if -1 in values:
        symbol = body[values.index(-1)]
        raise InvalidReference(f"A ticket reference cannot contain the character {symbol!r}.")
    return values


def parse_reference(text: str, prefix: str) -> str:
    """Return the canonical ``PREFIX-XXXX-XXXX`` form of a typed reference.

    Raises InvalidReference when the text is empty, the wrong length, contains a symbol outside
    the alphabet, or fails the check symbol.
    """
    canonical_prefix = _canonical_prefix(prefix)
    if len(text) > _MAX_INPUT_LENGTH:
        raise InvalidReference("That is far too long to be a ticket reference.")
    compact = _compact(text)
    if not compact:
        raise InvalidReference("Enter a ticket reference.")
    body = _body_of(compact, canonical_prefix)
    values = _decode_body(body)
    if _check_symbol(values[:DATA_SYMBOLS]) != values[DATA_SYMBOLS]:
        raise InvalidReference("That ticket reference contains a typo: please check it.")
    # Every symbol is now known to be in the alphabet, so the body is already canonical.
    return f"{canonical_prefix}-{body[:4]}-{body[4:]}"


def is_valid_reference(text: str, prefix: str) -> bool:
    """Tell whether ``parse_reference`` would accept the text."""
    try:
        parse_reference(text, prefix)
    except InvalidReference:
        return False
    return True


_SEPARATOR = r"[ \-\u2010-\u2014\u2212]?"


@functools.cache
def _reference_pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?<![0-9A-Za-z]){re.escape(prefix)}{_SEPARATOR}[0-9A-Za-z]{{4}}{_SEPARATOR}"
        rf"[0-9A-Za-z]{{4}}(?![0-9A-Za-z])",
        re.IGNORECASE,
    )


def find_references(text: str, prefix: str) -> list[str]:
    """Every valid reference written in a text (a subject, a mail body), canonical, in order of
    appearance, each once. Full-width letters and digits count; a typo fails the check symbol
    and is not found, so an invoice or order number is never taken for a reference."""
    normalised = unicodedata.normalize("NFKC", text)
    found = []
    for match in _reference_pattern(_canonical_prefix(prefix)).finditer(normalised):
        try:
            found.append(parse_reference(match.group(0), prefix))
        except InvalidReference:
            continue
    return list(dict.fromkeys(found))
