"""Triage of one message, as `loket triage explain` prints it: evidence in three languages'
styles, the payment boundary, escalation requests and their decoys."""

import json
import subprocess
import sys

import pytest

from loket.triage.evidence import extract
from loket.triage.explain import explain


@pytest.mark.parametrize(
    ("text", "language", "day"),
    [
        ("請求日は2026年10月20日です", "ja", "2026-10-20"),
        ("ditagih tgl 20 Okt 2026", "id", "2026-10-20"),
        ("charged on Oct 20, 2026", "en", "2026-10-20"),
        ("charged on 10/20/2026", "en", "2026-10-20"),
        ("ditagih 20/10/2026", "id", "2026-10-20"),
        ("charged on 20 October 2026", "en", "2026-10-20"),
    ],
)
def test_dates_in_each_languages_style_become_iso(text: str, language: str, day: str) -> None:
    assert extract(text, language)["date"] == day


def test_account_invoice_order_plan_and_issuer_are_found_and_ours_is_not() -> None:
    evidence = extract(
        "Saya budi@Example.co.id (cc support@catalo.id), INV-2026-0398 paket Pro via BCA, "
        "pesanan TB-88231 dan #100234",
        "id",
    )
    assert evidence == {
        "account_email": "budi@example.co.id",
        "invoice_ref": "INV-2026-0398",
        "seller_order_ref": ["TB-88231", "#100234"],
        "plan": "Pro",
        "bank_or_issuer": "BCA",
    }


def test_a_buyers_order_problem_goes_to_the_seller_with_the_store_named() -> None:
    decision = explain(
        "Halo, saya beli baju di tokobaju.catalo.id, pesanan TB-88231 belum sampai.",
        default_language="en",
    )
    assert (decision["category"], decision["route"], decision["storefront"]) == (
        "seller_order", "redirect_to_seller", "tokobaju",
    )  # fmt: skip


def test_a_merchant_writing_about_its_own_stores_orders_is_not_a_buyer() -> None:
    decision = explain(
        "Pembeli saya bilang pesanan TB-88231 belum sampai, bagaimana cara cek di toko saya?",
        default_language="en",
    )
    assert decision["route"] == "normal"
    assert decision["buyer"] is False


def test_a_buyers_fraud_report_stays_with_catalo_id_as_a_complaint() -> None:
    decision = explain(
        "I ordered from fakeshop.catalo.id and it is a scam, they took my money.",
        default_language="en",
    )
    assert (decision["category"], decision["route"]) == ("complaint", "normal")


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("Please escalate this to a supervisor.", True),
        ("Tolong eskalasi ke atasan ya kak", True),
        ("責任者の方に対応をお願いします。", True),
        ("No need to escalate, just checking.", False),
        ("Tidak perlu dieskalasi, terima kasih.", False),
    ],
)
def test_escalation_requests_and_their_decoys(text: str, asked: bool) -> None:
    assert explain(text, default_language="en")["escalation_request"] is asked


def test_loket_triage_explain_prints_the_decision_without_a_database() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "loket.cli", "triage", "explain"],
        input="my password is Rahasia#2026 and I was charged twice for INV-2026-0398",
        capture_output=True, text=True, timeout=60, check=True,
        env={"PATH": "/usr/bin:/bin", "LOKET_DEFAULT_LANGUAGE": "id"},
    )  # fmt: skip
    decision = json.loads(completed.stdout)
    assert decision["category"] == "billing_dispute"
    assert decision["evidence"] == {"invoice_ref": "INV-2026-0398"}
    assert "Rahasia#2026" not in completed.stdout
    assert decision["redacted_text"].startswith("my password is [removed: password]")
