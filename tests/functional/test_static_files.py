"""Static files by their content's hash, cached by browsers for as long as they like."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

HASHED_CSS = re.compile(r'href="(/static/loket/loket\.[0-9a-f]{12}\.css)"')


def test_pages_name_the_stylesheet_by_its_hash_and_it_is_cached_for_a_year_or_more(
    client: Client,
) -> None:
    page = client.get("/support/contact/")
    assert page.status_code == 200
    found = HASHED_CSS.search(page.content.decode())
    assert found, "the page does not link the hashed stylesheet"

    stylesheet = client.get(found.group(1))
    assert stylesheet.status_code == 200
    cache_control = stylesheet["Cache-Control"]
    assert "immutable" in cache_control
    max_age = re.search(r"max-age=(\d+)", cache_control)
    assert max_age is not None
    assert int(max_age.group(1)) >= 365 * 24 * 3600


def test_the_unhashed_name_is_served_but_only_briefly_cached(client: Client) -> None:
    stylesheet = client.get("/static/loket/loket.css")
    assert stylesheet.status_code == 200
    assert "immutable" not in stylesheet["Cache-Control"]
