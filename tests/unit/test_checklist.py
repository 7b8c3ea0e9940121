"""The evidence checklist (POLICY.md S8) checked against what billing answered: found,
verified, contradicted, unchecked when billing was down, or missing."""

from pathlib import Path

from loket.policy.document import load_policy
from loket.triage.checklist import State, checklist, invoice_on_file, missing
from loket.triage.evidence import extract, steps_described

DOCUMENT = load_policy(Path(__file__).resolve().parents[2] / "policies" / "catalo-id.toml")
SITI = "siti@tokobaju.example"
INVOICE: dict[str, object] = {
    "number": "INV-2026-0412", "account_id": "ACC-1001", "account_email": SITI,
    "amount": "299000.00", "currency": "IDR", "charged_on": "2026-11-20", "plan": "Pro",
    "payment_method": "card (BCA Visa)", "status": "paid",
}  # fmt: skip
ACCOUNT = {"account_id": "ACC-1001", "email": SITI, "plan": "Pro", "status": "active"}


def states(text: str, billing: dict[str, object] | None, category: str = "billing_dispute",
           sender: str = SITI) -> dict[str, State]:  # fmt: skip
    items = checklist(DOCUMENT, category, "id", extract(text, "id"), sender_address=sender,
                      billing=billing)  # fmt: skip
    return {item.code: item.state for item in items}


def answered(invoice: dict[str, object] | None = INVOICE) -> dict[str, object]:
    return {"available": True, "accounts": {SITI: ACCOUNT},
            "invoices": {"INV-2026-0412": invoice}}  # fmt: skip


def test_what_billing_confirms_is_verified_and_the_rest_is_only_found() -> None:
    text = "Saya ditagih dua kali untuk INV-2026-0412 tanggal 20 Nov 2026, paket Pro, kartu BCA."
    assert states(text, answered()) == {
        "account_email": State.VERIFIED, "invoice_reference": State.VERIFIED,
        "transaction_details": State.VERIFIED, "dispute_details": State.FOUND,
    }  # fmt: skip


def test_what_billing_contradicts_is_a_mismatch_with_the_reason() -> None:
    text = "Ditagih dua kali INV-2026-0412 tanggal 18 Nov 2026, paket Business, kartu BCA."
    items = checklist(DOCUMENT, "billing_dispute", "id", extract(text, "id"),
                      sender_address=SITI, billing=answered())  # fmt: skip
    details = next(item for item in items if item.code == "transaction_details")
    assert details.state == State.MISMATCH
    assert {(p.code, p.given, p.on_file) for p in details.problems} == {
        ("date_differs", "2026-11-18", "2026-11-20"), ("plan_differs", "Business", "Pro"),
    }  # fmt: skip


def test_an_invoice_of_another_account_or_none_at_all_is_flagged() -> None:
    someone_else = dict(INVOICE, account_email="budi@example.com")
    assert states("INV-2026-0412", answered(someone_else))["invoice_reference"] == State.MISMATCH
    assert states("INV-2026-0412", answered(None))["invoice_reference"] == State.MISMATCH
    stranger = states("INV-2026-0412", answered(), sender="mallory@example.com")
    assert stranger["invoice_reference"] == State.MISMATCH
    assert (
        invoice_on_file({"invoice_ref": "INV-2026-0412"}, answered(), "mallory@x.example") is None
    )


def test_an_unknown_sender_is_not_verified_and_billing_down_means_unchecked() -> None:
    unknown = {"available": True, "accounts": {"rina@example.com": None}, "invoices": {}}
    assert states("tolong", unknown, sender="rina@example.com")["account_email"] == State.MISMATCH
    down = {"available": False, "error": "billing API unreachable"}
    assert states("INV-2026-0412", down)["invoice_reference"] == State.UNCHECKED
    assert states("INV-2026-0412", None)["invoice_reference"] == State.FOUND


def test_only_what_nothing_answers_is_missing() -> None:
    items = checklist(DOCUMENT, "billing_dispute", "en", extract("I was charged twice", "en"),
                      sender_address=SITI, billing=answered())  # fmt: skip
    assert [item.code for item in missing(items)] == [
        "invoice_reference", "transaction_details", "dispute_details",
    ]  # fmt: skip


def test_steps_count_as_error_details_when_described() -> None:
    assert steps_described("1. Buka dashboard\n2. Klik Bayar\n3. Muncul error 500")
    assert steps_described("ログインしてから設定を開くと、真っ白な画面になります。")
    assert steps_described("When I click Publish the page shows error 500 and nothing saves.")
    assert not steps_described("It does not work.")
    items = checklist(DOCUMENT, "complaint", "en", {}, sender_address=SITI, has_steps=True)
    assert not missing(items)
