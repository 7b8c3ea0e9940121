"""The evidence checklist of a ticket (POLICY.md S8): each item its category requires, found in
the requester's words or files, verified against the billing directory where one answered, or
still missing. Pure: no Django.

`billing` is what `loket.directory.billing.billing_facts` recorded: for each address and invoice
number asked, the record on file or None; or `available: False` when billing did not answer.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from loket.policy.document import PolicyDocument

# Which extracted evidence answers which item of the policy file.
ANSWERS = {
    "account_email": ("account_email",),
    "invoice_reference": ("invoice_ref", "seller_order_ref"),
    "transaction_details": ("date", "plan"),
    "dispute_details": ("bank_or_issuer",),
    "error_details": (),  # a screenshot answers it
}


class State(StrEnum):
    MISSING = "missing"  # nothing in the messages answers it: ask the requester
    FOUND = "found"  # given; nothing to check it against
    VERIFIED = "verified"  # given and matches the billing records
    MISMATCH = "mismatch"  # given, and billing says otherwise (see the problems)
    UNCHECKED = "unchecked"  # given; billing did not answer (degraded mode)


@dataclass(frozen=True)
class Problem:
    """What billing contradicts, as a code the console words in the agent's language:
    no_account, no_invoice, other_account, date_differs, plan_differs."""

    code: str
    given: str
    on_file: str = ""


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    label: str
    values: tuple[str, ...]
    state: State = State.FOUND
    problems: tuple[Problem, ...] = ()

    @property
    def found(self) -> bool:
        return self.state != State.MISSING


def checklist(
    document: PolicyDocument,
    category_code: str,
    language: str,
    evidence: Mapping[str, object],
    *,
    sender_address: str = "",
    has_screenshot: bool = False,
    has_steps: bool = False,
    billing: Mapping[str, object] | None = None,
) -> list[ChecklistItem]:
    category = document.category(category_code)
    if category is None:
        return []
    items = []
    for code in category.evidence:
        definition = document.evidence_item(code)
        label = definition.label.get(language, code) if definition else code
        values = found_values(code, evidence, sender_address, has_screenshot, has_steps)
        state, problems = verify(code, values, evidence, sender_address, billing)
        items.append(ChecklistItem(code, label, values, state, problems))
    return items


def missing(items: list[ChecklistItem]) -> list[ChecklistItem]:
    return [item for item in items if item.state == State.MISSING]


def found_values(
    code: str,
    evidence: Mapping[str, object],
    sender_address: str,
    has_screenshot: bool,
    has_steps: bool = False,
) -> tuple[str, ...]:
    values: list[str] = []
    for key in ANSWERS.get(code, ()):
        values += listed(evidence.get(key))
    if code == "account_email" and not values and sender_address:
        values.append(sender_address)  # written from it: S7 asks for the billing address
    if code == "error_details" and has_screenshot:
        values.append("screenshot")
    if code == "error_details" and has_steps:
        values.append("steps")
    return tuple(values)


def listed(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)] if value else []


# --- verification against the billing directory ------------------------------------------------

VERIFIABLE = frozenset({"account_email", "invoice_reference", "transaction_details"})


def verify(
    code: str,
    values: tuple[str, ...],
    evidence: Mapping[str, object],
    sender_address: str,
    billing: Mapping[str, object] | None,
) -> tuple[State, tuple[Problem, ...]]:
    if not values:
        return State.MISSING, ()
    if billing is None or code not in VERIFIABLE:
        return State.FOUND, ()
    if not billing.get("available"):
        return State.UNCHECKED, ()
    accounts = records(billing, "accounts")
    invoices = records(billing, "invoices")
    emails = {value.lower() for value in listed(evidence.get("account_email"))}
    emails |= {sender_address.lower()} if sender_address else set()
    if code == "account_email":
        return account_state(values, accounts)
    if code == "invoice_reference":
        return invoice_state(listed(evidence.get("invoice_ref")), invoices, emails)
    return transaction_state(evidence, owned_invoices(invoices, emails), accounts)


def records(billing: Mapping[str, object], key: str) -> dict[str, Mapping[str, object] | None]:
    found = billing.get(key)
    if not isinstance(found, Mapping):
        return {}
    return {str(k): (v if isinstance(v, Mapping) else None) for k, v in found.items()}


def account_state(
    values: tuple[str, ...], accounts: dict[str, Mapping[str, object] | None]
) -> tuple[State, tuple[Problem, ...]]:
    asked = [value for value in values if value.lower() in accounts]
    if any(accounts[value.lower()] for value in asked):
        return State.VERIFIED, ()
    if asked:
        return State.MISMATCH, tuple(Problem("no_account", value) for value in asked)
    return State.FOUND, ()


def invoice_state(
    numbers: list[str], invoices: dict[str, Mapping[str, object] | None], emails: set[str]
) -> tuple[State, tuple[Problem, ...]]:
    asked = [number for number in numbers if number in invoices]
    if not asked:
        return State.FOUND, ()  # a seller's order reference: not ours to check
    problems = []
    for number in asked:
        invoice = invoices[number]
        if invoice is None:
            problems.append(Problem("no_invoice", number))
        elif str(invoice.get("account_email", "")).lower() not in emails:
            problems.append(Problem("other_account", number))
    if len(problems) < len(asked):
        return State.VERIFIED, tuple(problems)
    return State.MISMATCH, tuple(problems)


def invoice_on_file(
    evidence: Mapping[str, object], billing: Mapping[str, object] | None, sender_address: str
) -> Mapping[str, object] | None:
    """The first invoice the requester named that billing has on file for their account."""
    if not billing or not billing.get("available"):
        return None
    emails = {value.lower() for value in listed(evidence.get("account_email"))}
    emails |= {sender_address.lower()} if sender_address else set()
    owned = owned_invoices(records(billing, "invoices"), emails)
    return owned[0] if owned else None


def owned_invoices(
    invoices: dict[str, Mapping[str, object] | None], emails: set[str]
) -> list[Mapping[str, object]]:
    return [
        invoice for invoice in invoices.values()
        if invoice is not None and str(invoice.get("account_email", "")).lower() in emails
    ]  # fmt: skip


def transaction_state(
    evidence: Mapping[str, object],
    invoices: list[Mapping[str, object]],
    accounts: dict[str, Mapping[str, object] | None],
) -> tuple[State, tuple[Problem, ...]]:
    """The date should be an invoice's charge date; the plan the invoice's or the account's."""
    given_date, given_plan = str(evidence.get("date") or ""), str(evidence.get("plan") or "")
    problems = []
    if given_date and invoices:
        dates = [str(invoice.get("charged_on", "")) for invoice in invoices]
        if given_date not in dates:
            problems.append(Problem("date_differs", given_date, ", ".join(dates)))
    plans = {str(i.get("plan", "")) for i in invoices}
    plans |= {str(a.get("plan", "")) for a in accounts.values() if a}
    plans.discard("")
    if given_plan and plans and given_plan.casefold() not in {p.casefold() for p in plans}:
        problems.append(Problem("plan_differs", given_plan, ", ".join(sorted(plans))))
    if problems:
        return State.MISMATCH, tuple(problems)
    checked = (given_date and invoices) or (given_plan and plans)
    return (State.VERIFIED if checked else State.FOUND), ()
