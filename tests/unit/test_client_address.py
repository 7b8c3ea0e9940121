"""The client's address behind proxies: only what our own proxies wrote is believed."""

import ipaddress

import pytest

from loket.ops.proxy import client_address, parse_trusted_proxies

OURS = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("192.0.2.7/32"))


def test_one_proxy_takes_the_address_it_appended_not_what_the_client_wrote() -> None:
    # The client sent "X-Forwarded-For: 6.6.6.6"; nginx appended the address it saw.
    assert client_address("6.6.6.6, 203.0.113.9", "10.0.0.2", 1) == "203.0.113.9"
    assert client_address("203.0.113.9", "10.0.0.2", 1) == "203.0.113.9"


def test_two_proxies_take_the_second_address_from_the_right() -> None:
    assert client_address("6.6.6.6, 203.0.113.9, 10.0.0.3", "10.0.0.2", 2) == "203.0.113.9"


def test_too_few_addresses_or_a_malformed_one_leaves_the_connection_address() -> None:
    assert client_address("", "10.0.0.2", 1) is None
    assert client_address("203.0.113.9", "10.0.0.2", 2) is None
    assert client_address("6.6.6.6, not-an-address", "10.0.0.2", 1) is None


def test_a_list_skips_our_proxies_from_the_right() -> None:
    chain = "6.6.6.6, 203.0.113.9, 192.0.2.7, 10.1.2.3"
    assert client_address(chain, "10.0.0.2", OURS) == "203.0.113.9"
    assert client_address("2001:db8::1", "10.0.0.2", OURS) == "2001:db8::1"


def test_a_list_believes_nothing_from_a_connection_that_is_not_one_of_our_proxies() -> None:
    assert client_address("203.0.113.9", "198.51.100.4", OURS) is None


def test_a_list_of_only_our_proxies_gives_the_left_most() -> None:
    assert client_address("10.9.9.9, 10.1.2.3", "10.0.0.2", OURS) == "10.9.9.9"


def test_the_setting_is_a_count_or_addresses_and_a_typo_stops_the_start() -> None:
    assert parse_trusted_proxies("2") == 2
    assert parse_trusted_proxies(" 10.0.0.0/8 , 192.0.2.7") == OURS
    for wrong in ("0", "", "10.0.0.0/33", "proxy.internal"):
        with pytest.raises(ValueError, match=r"."):
            parse_trusted_proxies(wrong)
