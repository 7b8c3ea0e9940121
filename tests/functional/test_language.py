"""The order in which Loket picks a language: URL prefix, explicit switch, the requester's
stored language (portal), Accept-Language, the active policy's default."""

import pytest
from django.test import Client

from loket.policy.operations import apply_policy
from tests.builders import NOW
from tests.fixtures import SHIPPED_POLICY

pytestmark = pytest.mark.django_db


def lang_of(page: bytes) -> str:
    text = page.decode()
    start = text.index('<html lang="') + len('<html lang="')
    return text[start : text.index('"', start)]


def test_the_browser_language_is_used_when_nothing_more_specific_is_known(client: Client) -> None:
    for header, expected in [("ja-JP,ja;q=0.9", "ja"), ("en-GB", "en"), ("fr, id;q=0.5", "id")]:
        page = client.get("/support/contact/", headers={"accept-language": header}).content
        assert lang_of(page) == expected


def test_the_policy_default_applies_when_the_browser_says_nothing_usable(client: Client) -> None:
    assert (
        lang_of(client.get("/support/contact/", headers={"accept-language": "fr"}).content) == "id"
    )
    english_default = SHIPPED_POLICY.read_text().replace(
        'default_language = "id"', 'default_language = "en"'
    )
    apply_policy(source=english_default, filename="en.toml", applied_by="t", now=NOW)
    assert (
        lang_of(client.get("/support/contact/", headers={"accept-language": "fr"}).content) == "en"
    )


def test_the_language_switch_wins_over_the_browser(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "ja", "next": "/support/contact/"})
    assert response.status_code == 302
    page = client.get("/support/contact/", headers={"accept-language": "en"}).content
    assert lang_of(page) == "ja"
