"""Macros: a supervisor's canned reply, rendered for one ticket in its requester's language."""

import re
from collections.abc import Mapping
from datetime import datetime

from django.utils import translation

from loket.notify.content import deadline_lines
from loket.tickets import queries
from loket.tickets.models import Macro, Ticket
from loket.tickets.timeline import Agent, stored_user
from loket.triage.asking import asks_for_secret
from loket.triage.checklist import missing

PLACEHOLDERS = ("name", "reference", "deadlines", "missing_evidence")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


class MacroAsksForSecret(ValueError):
    """S13: Catalo.id never asks for a password or a one-time code, not even in a macro."""


def check_macro_text(text: str) -> list[str]:
    """Problems with a macro's text: unknown placeholders (a typo would reach the requester)."""
    unknown = sorted({name for name in PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})
    return [f"{{{name}}}" for name in unknown]


def render_macro(macro: Macro, ticket: Ticket, *, now: datetime) -> str:
    """The macro's text for this ticket's requester, placeholders filled in their language."""
    text = macro.body_in(ticket.language)
    with translation.override(ticket.language):
        values = {
            "name": ticket.requester_name,
            "reference": str(ticket.reference),
            "deadlines": "\n".join(deadline_lines(ticket)),
            "missing_evidence": "\n".join(
                f"- {item.label}" for item in missing(queries.evidence_checklist(ticket))
            ),
        }
    return fill(text, values)


def fill(text: str, values: Mapping[str, str]) -> str:
    """Known placeholders replaced; anything else in braces left as written."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def save_macro(macro: Macro, *, actor: Agent | None, now: datetime) -> Macro:
    """Saved only if no variant asks for a secret (the form says so first; this is the rule)."""
    if any(asks_for_secret(text) for text in (macro.body_ja, macro.body_id, macro.body_en)):
        raise MacroAsksForSecret(macro.name)
    macro.updated_by = stored_user(actor)
    macro.updated_at = now
    macro.save()
    return macro
