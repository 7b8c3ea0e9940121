"""The evidence checklist of a ticket (POLICY.md S8): each item its category requires, found in
the requester's words or files, or still missing. Pure: no Django."""

from collections.abc import Mapping
from dataclasses import dataclass

from loket.policy.document import PolicyDocument

# Which extracted evidence answers which item of the policy file.
ANSWERS = {
    "account_email": ("account_email",),
    "invoice_reference": ("invoice_ref", "seller_order_ref"),
    "transaction_details": ("date", "plan"),
    "dispute_details": ("bank_or_issuer",),
    "error_details": (),  # a screenshot answers it
}


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    label: str
    found: bool
    values: tuple[str, ...]


def checklist(
    document: PolicyDocument,
    category_code: str,
    language: str,
    evidence: Mapping[str, object],
    *,
    sender_address: str = "",
    has_screenshot: bool = False,
) -> list[ChecklistItem]:
    category = document.category(category_code)
    if category is None:
        return []
    items = []
    for code in category.evidence:
        definition = document.evidence_item(code)
        label = definition.label.get(language, code) if definition else code
        values = found_values(code, evidence, sender_address, has_screenshot)
        items.append(ChecklistItem(code, label, bool(values), values))
    return items


def found_values(
    code: str, evidence: Mapping[str, object], sender_address: str, has_screenshot: bool
) -> tuple[str, ...]:
    values: list[str] = []
    for key in ANSWERS.get(code, ()):
        found = evidence.get(key)
        values += [str(item) for item in found] if isinstance(found, list) else (
            [str(found)] if found else []
        )  # fmt: skip
    if code == "account_email" and not values and sender_address:
        values.append(sender_address)  # written from it: S7 asks for the billing address
    if code == "error_details" and has_screenshot:
        values.append("screenshot")
    return tuple(values)
