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
        # The polite and indirect phrasings issue 10 names, and its decoys.
        ("上の方に確認していただけますか", True),
        ("tolong dinaikkan ke atasan", True),
        ("I'd like this reviewed by a manager", True),
        ("エスカレーション不要です", False),
        ("no need to escalate", False),
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


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("min toko sy blm aktif padahal udh transfer, gmn ini?", "access"),
        ("udh bayar paket Pro tp dashboard msh ga bisa dibuka", "access"),
        ("gak bisa login ke akun sy dari kemarin", "account_security"),
        ("Sudah downgrade ke Basic tapi tagihan masih pakai harga lama.", "billing_dispute"),
        ("I downgraded last month but was charged the old amount again.", "billing_dispute"),
        ("年払いにしたのに、月額料金も引き落とされています。", "billing_dispute"),
        ("見覚えのないログイン通知が届きました。", "account_security"),
        ("Got an email claiming to be from Catalo.id asking me to verify. Is this legit?",
         "account_security"),
        ("You raised the Pro price without any notice. Very unprofessional.", "complaint"),
    ],
)  # fmt: skip
def test_chat_shorthand_and_everyday_wording_find_the_category(text: str, category: str) -> None:
    assert explain(text, default_language="id")["category"] == category


@pytest.mark.parametrize(
    "text",
    [
        "udah bayar pake DANA tp status msh blm dibayar. tokonya catalo.id/frozenbuani",
        "I paid twice at checkout on sneakerhub.catalo.id for the same order.",
        "Pesanan saya dibatalkan oleh toko tapi dana belum dikembalikan. Order TB-90877.",
        "届いた商品が写真と全然違います。お店から返金してほしいです。",
    ],
)
def test_a_buyer_is_recognised_from_the_order_and_the_store_as_a_third_party(text: str) -> None:
    decision = explain(text, default_language="id")
    assert (decision["category"], decision["route"]) == ("seller_order", "redirect_to_seller")


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I paid for Pro but my account still shows the trial. Invoice INV-2026-0921.", "access"),
        ("Please refund my annual Pro subscription, I bought it by mistake.", "refund"),
        ("min toko sy blm aktif padahal udh transfer. tokonya sambalbu.catalo.id", "access"),
        ("Pembeli saya komplain paketnya belum sampai. Bagaimana cara update resi?", "support"),
        ("I'm thinking of buying from a store on Catalo.id. Who do I contact if something goes "
         "wrong?", "support"),
    ],
)  # fmt: skip
def test_a_merchant_or_a_buyer_yet_to_buy_is_not_sent_to_a_seller(text: str, category: str) -> None:
    decision = explain(text, default_language="en")
    assert (decision["category"], decision["route"]) == (category, "normal")


def test_a_buyer_reporting_a_store_for_fraud_stays_a_complaint_even_with_an_order() -> None:
    decision = explain(
        "Saya pesan laptop di laptopsecond.catalo.id, yang datang kardus isi batu. "
        "Penjualnya tidak bisa dihubungi. Ini jelas penipuan.",
        default_language="id",
    )
    assert (decision["category"], decision["route"]) == ("complaint", "normal")


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("My manager asked me to check how to mark orders as ready for pickup.", False),
        ("Atasan saya minta saya menanyakan soal API.", False),
        ("上司に相談してから、改めて連絡します。", False),
        ("I want to speak to your manager about this.", True),
        ("Tolong sampaikan ke atasan kalian.", True),
    ],
)
def test_the_writers_own_boss_is_not_an_escalation_request(text: str, asked: bool) -> None:
    assert explain(text, default_language="en")["escalation_request"] is asked


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # The same charge twice, whatever the verb; an amount other than the plan's.
        ("I was invoiced twice for November, INV-2026-0901.", "billing_dispute"),
        ("10月分の利用料が2件請求されています。", "billing_dispute"),
        ("Basicプランのはずが、上位プランの金額が請求されています。", "billing_dispute"),
        # Billed after ending the subscription, or for one never taken.
        ("I cancelled in October but you billed me again in November.", "billing_dispute"),
        ("Sy udh berhenti langganan tp masih terpotong auto-debit BCA.", "billing_dispute"),
        ("Ada transaksi Catalo.id di kartu saya, padahal saya tidak pernah berlangganan.",
         "billing_dispute"),
        # The page stays closed after paying, in each language's wording.
        ("Sudah bayar paket Pro tapi fiturnya belum kebuka2.", "access"),
        ("管理画面が読み込めません。ずっとぐるぐるしています。", "access"),
        ("The dashboard won't load on our office network.", "access"),
        # A change nobody on the account made.
        ("Someone added a staff user I never created.", "account_security"),
        ("Ada notifikasi login dari Rusia, padahal saya di Bandung.", "account_security"),
        # How the writer was treated, waited on, or misled.
        ("Your agent was rude and hung up on me.", "complaint"),
        ("サポートの返信が遅すぎます。一切返事がありません。", "complaint"),
        ("Harga naik tanpa pengumuman apa pun, saya merasa dibohongi.", "complaint"),
        ("Can I have my subscription fee back? It isn't what I needed.", "refund"),
    ],
)  # fmt: skip
def test_each_categorys_vocabulary_is_found_in_other_wordings(text: str, category: str) -> None:
    assert explain(text, default_language="en")["category"] == category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # A merchant whose own buyer filed a chargeback asks what to do: a how-to question.
        ("One of my customers filed a chargeback on order KS-2041. As the seller, what now?",
         "support"),
        ("うちのストアの注文で購入者がチャージバックを申請しました。出店者として何を準備すれば？",
         "support"),
        # A plan bought from Catalo.id is a subscription, not a store order.
        ("Please refund the Pro upgrade I bought yesterday.", "refund"),
        ("How do I export my orders to CSV?", "support"),
        # Word parts are not words: "petpalsupply" holds no "palsu" (fake).
        ("I lost my phone with the authenticator app. Store: catalo.id/petpalsupply",
         "account_security"),
    ],
)  # fmt: skip
def test_a_merchant_about_its_own_buyers_and_plan_is_not_a_buyer(text: str, category: str) -> None:
    decision = explain(text, default_language="en")
    assert (decision["category"], decision["route"]) == (category, "normal")


@pytest.mark.parametrize(
    "text",
    [
        "kak sy udh transfer ke toko kuenya tp pesanan sy blm dikirim2. catalo.id/dapurmama",
        "ショップ（catalo.id/wagashi）で注文した商品がまだ届きません。",
        "I was charged twice for one order at catalo.id/shoeshop, please refund one.",
    ],
)
def test_a_store_named_with_its_order_makes_the_writer_a_buyer(text: str) -> None:
    decision = explain(text, default_language="en")
    assert (decision["category"], decision["route"]) == ("seller_order", "redirect_to_seller")


@pytest.mark.parametrize(
    "text",
    [
        "Two charges on my card. I'm not asking for a manager, just fix it.",
        "Tidak perlu ke atasan, dicek saja.",
    ],
)
def test_declining_the_person_an_escalation_reaches_is_no_request(text: str) -> None:
    assert explain(text, default_language="en")["escalation_request"] is False
