"""Codes are never shown raw (issue 15): every enumerated value Loket defines has a label that
the ja and id catalogs translate, and every code the policy lets agents pick has one too. A new
value without a label, or a label nobody translated, fails here."""

import importlib
import pkgutil
from collections.abc import Iterator, Mapping

import pytest
from django.db import models
from django.utils import translation
from django.utils.functional import Promise

import loket
from loket.console.forms import ACCOUNT_CHANGE_LABELS, COMPLEX_REASON_LABELS
from loket.policy.document import parse_policy_source
from tests.fixtures import SHIPPED_POLICY
from tests.languages import catalog


def loket_choices() -> list[type[models.Choices]]:
    for module in pkgutil.walk_packages(loket.__path__, "loket."):
        if ".migrations" not in module.name and not module.name.endswith("cli"):
            importlib.import_module(module.name)

    def subclasses(cls: type[models.Choices]) -> Iterator[type[models.Choices]]:
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    found = {cls for cls in subclasses(models.Choices) if cls.__module__.startswith("loket.")}
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def untranslated(labels: Mapping[str, object], language: str) -> list[str]:
    """The codes whose label is no translatable message, or one the catalog leaves empty."""
    missing = []
    for code, label in labels.items():
        if not isinstance(label, Promise):
            missing.append(f"{code}: {label!r} is not marked for translation")
            continue
        with translation.override(None):
            message = str(label)
        if not catalog(language).get(message):
            missing.append(f"{code}: {message!r}")
    return missing


def test_the_enumerations_are_found() -> None:
    names = {cls.__name__ for cls in loket_choices()}
    assert {"Status", "Channel", "EventKind", "InboundStatus", "RefundOutcome"} <= names
    assert {"VerificationStatus", "WhatsAppDelivery", "OutboxStatus", "InvoiceStatus"} <= names


@pytest.mark.parametrize("language", ["ja", "id", "en"])
@pytest.mark.parametrize("choices", loket_choices(), ids=lambda cls: cls.__name__)
def test_every_enumerated_value_has_a_translated_label(
    choices: type[models.Choices], language: str
) -> None:
    labels = {str(member.value): member.label for member in choices}
    assert not untranslated(labels, language), f"{choices.__qualname__} in {language}"


@pytest.mark.parametrize("language", ["ja", "id", "en"])
def test_every_code_the_policy_offers_agents_has_a_translated_label(language: str) -> None:
    document = parse_policy_source(SHIPPED_POLICY.read_text(encoding="utf-8"))
    for codes, labels in [
        (document.sla.complex_reasons, COMPLEX_REASON_LABELS),
        (document.verification.account_changes, ACCOUNT_CHANGE_LABELS),
    ]:
        assert set(codes) <= set(labels), f"no label for {set(codes) - set(labels)}"
        assert not untranslated(labels, language)


def test_an_enumeration_without_labels_is_caught() -> None:
    class Colour(models.TextChoices):
        RED = "red"
        BLUE = "blue", "Blue"

    labels = {str(member.value): member.label for member in Colour}
    assert len(untranslated(labels, "ja")) == 2
