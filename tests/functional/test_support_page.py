"""The public Support & Complaints page (/ja/support/, /id/support/, /en/support/): every section
of the published page, rendered from the active policy version in each language."""

import dataclasses
import datetime as dt
import re
import zoneinfo
from collections.abc import Mapping

import pytest
import time_machine
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from loket.policy.document import Closure, PolicyDocument, parse_policy_source
from loket.policy.operations import apply_policy
from loket.policy.page import Windows, support_page_context
from tests.fixtures import SHIPPED_POLICY
from tests.languages import JAPANESE, MainText, english_runs

pytestmark = pytest.mark.django_db

LANGUAGES = ("ja", "id", "en")
SECTION_HEADINGS = (
    "Payment responsibility boundary",
    "Support hours",
    "Expected response",
    "Note",
    "Support channels",
    "How to submit a complaint",
    "Required proof of purchase",
    "SLA targets (response and resolution)",
    "Complex cases",
    "Escalation path",
    "Refunds and chargebacks",
    "Account and security issues",
)
SLA_FIGURES = {
    "ja": ("1〜2営業日", "3〜5営業日"),
    "id": ("1–2 hari kerja", "3–5 hari kerja"),  # noqa: RUF001
    "en": ("1–2 business days", "3–5 business days"),  # noqa: RUF001
}
HOURS = {
    "ja": "月〜金 09:00–18:00 WIB",  # noqa: RUF001
    "id": "Senin–Jumat 09:00–18:00 WIB",  # noqa: RUF001
    "en": "Mon–Fri 09:00–18:00 WIB",  # noqa: RUF001
}
WHATSAPP_NUMBER = "+62 812 3456 7890"
NOW = dt.datetime(2026, 1, 6, 2, 0, tzinfo=dt.UTC)


def shipped_document() -> PolicyDocument:
    return parse_policy_source(SHIPPED_POLICY.read_text(encoding="utf-8"))


def page(client: Client, language: str) -> str:
    response = client.get(f"/{language}/support/")
    assert response.status_code == 200
    return response.content.decode()


def translated(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


def apply_with_whatsapp_number() -> None:
    source = SHIPPED_POLICY.read_text(encoding="utf-8")
    assert "\n[channels.whatsapp]\n" in source
    modified = source.replace(
        "\n[channels.whatsapp]\n", f'\n[channels.whatsapp]\nnumber = "{WHATSAPP_NUMBER}"\n'
    )
    apply_policy(source=modified, filename="test", applied_by="test", now=NOW)


# --- every language, every section ----------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_page_has_every_section_in_the_language(client: Client, language: str) -> None:
    html = page(client, language)
    text = MainText.of(html).text
    document = shipped_document()

    assert f'<html lang="{language}">' in html
    assert html.count("<h1") == 1
    assert text.startswith(document.page_texts["title"][language])
    for heading in SECTION_HEADINGS:
        assert translated(language, heading) in text, heading
    assert document.page_texts["boundary"][language] in text
    assert "support@catalo.id" in text
    assert HOURS[language] in text
    for figure in SLA_FIGURES[language]:
        assert figure in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sections_follow_the_published_order(client: Client, language: str) -> None:
    html = page(client, language)
    headings = [MainText.of(f"<main>{h2}</main>").text for h2 in re.findall(r"<h2.*?</h2>", html)]
    contents = re.search(r'<nav class="toc".*?</nav>', html, re.DOTALL)
    assert contents is not None
    listed = [MainText.of(f"<main>{a}</main>").text for a in re.findall(r"<a.*?</a>", contents[0])]
    expected = [translated(language, heading) for heading in SECTION_HEADINGS]
    assert headings == expected
    assert listed == expected
    assert re.findall(r'<section id="(\w+)"[^>]*aria-labelledby="\1-title"', html) == [
        "boundary", "hours", "response", "note", "channels", "submit", "evidence", "sla",
        "complex", "escalation", "refunds", "security",
    ]  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_page_links_to_the_contact_form_and_the_new_link_page(
    client: Client, language: str
) -> None:
    html = page(client, language)
    assert f'href="/{language}/support/contact/"' in html
    assert f'href="/{language}/portal/new-link/"' in html
    assert 'href="mailto:support@catalo.id"' in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_bare_support_address_goes_to_the_visitors_language(
    client: Client, language: str
) -> None:
    response = client.get("/support/", headers={"accept-language": language})
    assert response.status_code in {301, 302}
    assert response["Location"] == f"/{language}/support/"


# --- channels: configured or not, from the data alone ---------------------------------------


def test_an_unconfigured_channel_says_so_until_the_policy_configures_it(
    client: Client, settings: object
) -> None:
    apply_with_whatsapp_number()  # named in the policy, but not connected to the Cloud API
    for language in LANGUAGES:
        text = MainText.of(page(client, language)).text
        assert translated(language, "WhatsApp support is not configured.") in text
        assert translated(language, "Phone support is not configured.") in text
        assert WHATSAPP_NUMBER not in text

    for name in ("PHONE_NUMBER_ID", "ACCESS_TOKEN", "APP_SECRET", "VERIFY_TOKEN"):
        setattr(settings, f"LOKET_WHATSAPP_{name}", f"set-{name}")

    for language in LANGUAGES:
        html = page(client, language)
        text = MainText.of(html).text
        assert WHATSAPP_NUMBER in text
        assert 'href="https://wa.me/6281234567890"' in html
        assert translated(language, "WhatsApp support is not configured.") not in text
        assert translated(language, "Phone support is not configured.") in text


# --- nothing left untranslated --------------------------------------------------------------


def test_the_japanese_page_has_no_english_sentence(
    client: Client, whatsapp_connected: None
) -> None:
    apply_with_whatsapp_number()  # the configured channel's texts too
    text = MainText.of(page(client, "ja")).translatable
    runs = english_runs(text)
    assert not runs, f"untranslated English on /ja/support/: {runs}"


def test_the_english_check_catches_an_english_sentence() -> None:
    assert english_runs("サポート Contact our support team. support@catalo.id Catalo.id WIB") == [
        "Contact our support team"
    ]


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_indonesian_and_english_pages_have_no_japanese(client: Client, language: str) -> None:
    text = MainText.of(page(client, language)).text
    found = JAPANESE.findall(text)
    assert not found, f"Japanese characters on /{language}/support/: {''.join(found)}"


# --- the context, from a document (no database) ---------------------------------------------


def with_hours(
    document: PolicyDocument,
    *,
    weekly: Mapping[int, Windows] | None = None,
    closures: tuple[Closure, ...] | None = None,
) -> PolicyDocument:
    hours = document.hours
    hours = dataclasses.replace(
        hours,
        weekly=hours.weekly if weekly is None else weekly,
        closures=hours.closures if closures is None else closures,
    )
    return dataclasses.replace(document, hours=hours)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["Mon–Thu 09:00–18:00 WIB", "Fri 09:00–11:30, 13:00–18:00 WIB", "Sat–Sun closed"]),  # noqa: RUF001
        ("ja", ["月〜木 09:00–18:00 WIB", "金 09:00–11:30、13:00–18:00 WIB", "土〜日 休業"]),  # noqa: RUF001
        (
            "id",
            [
                "Senin–Kamis 09:00–18:00 WIB",  # noqa: RUF001
                "Jumat 09:00–11:30, 13:00–18:00 WIB",  # noqa: RUF001
                "Sabtu–Minggu tutup",  # noqa: RUF001
            ],
        ),
    ],
)
def test_support_hours_group_days_with_the_same_windows(language: str, expected: list[str]) -> None:
    nine, half_past_eleven, one, six = (dt.time(9), dt.time(11, 30), dt.time(13), dt.time(18))
    weekly: dict[int, Windows] = dict.fromkeys(range(4), ((nine, six),))
    weekly[4] = ((nine, half_past_eleven), (one, six))
    document = with_hours(shipped_document(), weekly=weekly)

    context = support_page_context(document, language=language, today=dt.date(2026, 1, 5))

    assert [line.text for line in context["hours_lines"]] == expected


def test_closures_in_the_past_are_not_listed() -> None:
    closures = (
        Closure(
            dt.date(2025, 12, 31), {"ja": "年末休業", "id": "Libur akhir tahun", "en": "Year end"}
        ),
        Closure(
            dt.date(2026, 12, 31), {"ja": "年末休業", "id": "Libur akhir tahun", "en": "Year end"}
        ),
    )
    document = with_hours(shipped_document(), closures=closures)

    context = support_page_context(document, language="ja", today=dt.date(2026, 1, 5))

    assert [(c.date_text, c.reason) for c in context["closures"]] == [
        ("2026年12月31日", "年末休業")
    ]


def test_targets_come_from_the_categories() -> None:
    context = support_page_context(shipped_document(), language="en", today=dt.date(2026, 1, 5))
    rows = [(row.label, row.target) for row in context["targets"]]
    assert rows == [
        ("First response (all requests)", "within 1 business day"),
        ("Resolution: Cannot access / not activated after payment", "1–2 business days"),  # noqa: RUF001
        (
            "Resolution: Billing dispute (wrong or duplicate charge, chargeback)",
            "3–5 business days",  # noqa: RUF001
        ),
        ("Resolution: Subscription refund request", "3–5 business days"),  # noqa: RUF001
    ]
    assert context["first_response"] == "Within 1 business day"
    assert context["first_response_hours"] == "(9 business hours)"
    assert context["refund_window"] == (
        "A subscription refund can be requested within 14 days of the charge."
    )


@pytest.mark.parametrize(
    ("now_wib", "language", "expected"),
    [
        (
            "2026-11-23 09:00",
            "en",
            "Write to us now and we will answer by Nov. 23, 2026, 6 p.m. WIB.",
        ),
        (
            "2026-11-20 17:00",
            "en",
            "Write to us now and we will answer by Nov. 23, 2026, 5 p.m. WIB.",
        ),
        ("2026-11-21 10:00", "ja", "2026年11月23日18:00 WIB"),
    ],
)
def test_the_page_says_when_someone_writing_now_will_be_answered(
    client: Client, now_wib: str, language: str, expected: str
) -> None:
    moment = dt.datetime.fromisoformat(now_wib).replace(tzinfo=zoneinfo.ZoneInfo("Asia/Jakarta"))
    with time_machine.travel(moment, tick=False):
        page = client.get(f"/{language}/support/").content.decode()
    assert expected in page
