"""The refund proposal an agent sees (POLICY.md S12): the policy's reasons and its window."""

from datetime import date
from pathlib import Path

from loket.policy.document import load_policy
from loket.triage.refunds import propose_refund

DOCUMENT = load_policy(Path(__file__).resolve().parents[2] / "policies" / "catalo-id.toml")


def test_a_duplicate_charge_within_the_window_is_proposed_eligible() -> None:
    proposal = propose_refund(
        DOCUMENT, "Saya ditagih dua kali", {"date": "2026-10-20"}, language="id",
        received=date(2026, 10, 25),
    )  # fmt: skip
    assert (proposal.reason_code, proposal.reason_name) == ("duplicate_charge", "Tagihan ganda")
    assert proposal.last_day == date(2026, 11, 3)
    assert proposal.eligible is True
    assert proposal.original_payment_method is True


def test_a_charge_older_than_the_window_is_not_eligible() -> None:
    proposal = propose_refund(
        DOCUMENT, "I was charged twice", {"date": "2026-09-01"}, language="en",
        received=date(2026, 10, 25),
    )  # fmt: skip
    assert (proposal.within_window, proposal.eligible) == (False, False)


def test_without_a_reason_or_a_date_the_proposal_waits() -> None:
    no_date = propose_refund(
        DOCUMENT, "二重請求です", {}, language="ja", received=date(2026, 10, 25)
    )
    assert (no_date.reason_name, no_date.eligible) == ("二重請求", None)
    no_reason = propose_refund(
        DOCUMENT, "Please refund me", {"date": "2026-10-20"}, language="en",
        received=date(2026, 10, 25),
    )  # fmt: skip
    assert (no_reason.reason_code, no_reason.eligible) == (None, None)
