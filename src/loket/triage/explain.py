"""The whole triage decision for one message, as `loket triage explain` prints it. Pure."""

from loket.inbound.language import guess_language
from loket.triage.classify import classify
from loket.triage.evidence import extract
from loket.triage.redaction import redact


def explain(text: str, *, default_language: str) -> dict[str, object]:
    """Language, category (confidence, reasons), route, escalation request, evidence and
    storefront of a message, decided on its redacted text, which is returned too."""
    language = guess_language(text, default_language)
    redacted = redact(text, language).text
    decision = classify(redacted)
    return {
        "language": language,
        "category": decision.category,
        "confidence": decision.confidence,
        "reasons": list(decision.reasons),
        "route": decision.route,
        "buyer": decision.buyer,
        "escalation_request": decision.escalation_request,
        "evidence": extract(redacted, language),
        "storefront": decision.storefront,
        "redacted_text": redacted,
    }
