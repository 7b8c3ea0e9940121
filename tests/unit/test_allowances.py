"""Byte allowances (loket.limits.take_allowance): exact within a window, and what is refused
or given back is not counted."""

import pytest

from loket.limits import give_back, take_allowance


def take(amount: int) -> int | None:
    return take_allowance("test-bytes", "203.0.113.9", amount, limit=100, seconds=3600)


def test_an_allowance_takes_up_to_its_limit_and_no_more() -> None:
    assert take(60) is None
    assert take(40) is None
    wait = take(1)
    assert wait is not None
    assert 0 < wait <= 3600


def test_a_refused_amount_uses_up_nothing() -> None:
    assert take(60) is None
    assert take(50) is not None
    assert take(40) is None


def test_given_back_bytes_can_be_taken_again() -> None:
    assert take(100) is None
    give_back("test-bytes", "203.0.113.9", 30, seconds=3600)
    assert take(30) is None
    assert take(1) is not None


@pytest.mark.parametrize("limit", [0, -1])
def test_a_limit_of_zero_or_less_is_off(limit: int) -> None:
    assert take_allowance("test-bytes", "x", 10**9, limit=limit, seconds=60) is None
