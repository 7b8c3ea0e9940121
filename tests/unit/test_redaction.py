"""Secrets never kept (POLICY.md S13): what goes, what stays, in ja, id and en."""

import pytest
from bench.redaction import CORPORA, FALSE_POSITIVE_GOAL, RECALL_GOAL, score

from loket.triage.redaction import redact

# 483920 in full-width digits, as Japanese input methods type it.
FULL_WIDTH_CODE = "\uff14\uff18\uff13\uff19\uff12\uff10"


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "My password is Rahasia#2026. Thanks", "My password is [removed: password]. Thanks"),
        ("en", "my pw: hunter22", "my pw: [removed: password]"),
        ("id", "kak, kode OTP nya 483920 ya", "kak, kode OTP nya [dihapus: kode sekali pakai] ya"),
        ("id", "PIN saya 1234", "PIN saya [dihapus: PIN]"),
        ("id", "sandi: 'kopi susu 99'", "sandi: [dihapus: kata sandi]"),
        ("ja", "パスワードはabc12345です。", "パスワードは[削除済み: パスワード]です。"),
        ("ja", f"認証コード：{FULL_WIDTH_CODE}", "認証コード：[削除済み: ワンタイムコード]"),
        ("en", "verification code 48 39 20.", "verification code [removed: one-time code]."),
        ("en", "OTP: 48\u200b39\u200b20", "OTP: [removed: one-time code]"),
        ("en", "backup codes: 8f3k-2m9x, 7hq2-pp0z",
         "backup codes: [removed: backup code], [removed: backup code]"),
    ],
)  # fmt: skip
def test_secrets_after_a_context_word_are_replaced_by_a_marker_in_the_language(
    language: str, text: str, expected: str
) -> None:
    assert redact(text, language).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "Invoice INV-2026-0398 was charged twice: Rp 150.000 on 20 Okt 2026.",
        "kode OTP tidak masuk ke nomor 0812 3456 7890",
        "I never received the OTP for order #100234",
        "password sy salah terus, VA BCA 8808 1234 5678 9012",
        "the verification code expired at 14:30",
        "kode pos 12950, kode promo HEMAT50, kode pesanan 88231",
        "パスワードを忘れました。注文番号 TB-88231、電話 03-1234-5678",
        "Ticket CAT-7K3M-9QXD, resi JNE 0123456789012, kartu berakhiran 4821",
        "Please never share your password or OTP with anyone.",
    ],
)
def test_look_alikes_and_talk_about_secrets_stay(text: str) -> None:
    redacted = redact(text, "en")
    assert (redacted.text, redacted.count) == (text, 0)


def test_each_removal_is_counted_with_its_kind_and_place_in_the_text_as_written() -> None:
    text = f"PW: Rahasia#2026 dan OTP {FULL_WIDTH_CODE}"
    redacted = redact(text, "id")
    assert [removal.kind for removal in redacted.removals] == ["password", "one_time_code"]
    assert [text[r.start : r.end] for r in redacted.removals] == ["Rahasia#2026", FULL_WIDTH_CODE]
    assert redacted.text == "PW: [dihapus: kata sandi] dan OTP [dihapus: kode sekali pakai]"


def test_the_labelled_corpus_loses_no_more_than_one_secret_in_a_hundred() -> None:
    """The issue's bar on the development corpus (tests/fixtures/triage/redaction.jsonl):
    recall at least 99 %, at most 1 % of look-alikes touched. `python -m bench.redaction`
    prints the same figures, with the held-out set, per language and kind."""
    result = score(CORPORA["development"])
    assert result.secrets["all"] >= 200
    assert result.recall() >= RECALL_GOAL, result.misses
    assert result.false_positives() <= FALSE_POSITIVE_GOAL


@pytest.mark.parametrize(
    ("text", "secrets"),
    [
        ("wkwk salah ketik, bukan 551209 tapi 551290 kode yg bener", ["551209", "551290"]),
        ("メールで来た数字をここに貼ります。\n276041", ["276041"]),
        ("The text said never share this code, but I read out 390172 to him.", ["390172"]),
        ("the sms just says 'Catalo: 774 209', which box is it for?", ["774 209"]),
        ("Backup codes from when I set up 2FA: 1) 8GJ2-KD71 2) P0QR-6TXA",
         ["8GJ2-KD71", "P0QR-6TXA"]),
    ],
)  # fmt: skip
def test_a_code_away_from_its_context_word_in_a_message_about_codes_goes(
    text: str, secrets: list[str]
) -> None:
    redacted = redact(text, "en")
    assert [text[r.start : r.end] for r in redacted.removals] == secrets


@pytest.mark.parametrize(
    "text",
    [
        "OTP tidak masuk. Pesanan saya 123456 belum dikirim, ID toko 30317.",
        "No verification code yet. My account number is 88123456.",
        "error code 500123 when I enter the OTP",
        "kode OTP ga masuk2, sdh 3 kali. Total Rp 150.000, VA 8808 1234 5678 9012",
        "2FA broke on 2026-11-03 at 14:30, kartu berakhiran 4821, 〒150-0001",
        "backup codes lost. Promo SALE-1000 did not apply either",
        "otp nya gak masuk, tolong cek nomor 0812-3456-7890",
    ],
)
def test_labelled_numbers_in_a_message_about_codes_stay(text: str) -> None:
    redacted = redact(text, "en")
    assert (redacted.text, redacted.count) == (text, 0)


@pytest.mark.parametrize(
    ("text", "secrets"),
    [
        ("my password is either mangosteen88 or Mangosteen88! cant remember",
         ["mangosteen88", "Mangosteen88!"]),
        ("パスワード忘れた。たぶん neko1234 だったと思う", ["neko1234"]),
        ("pw ku lupa. Coba2 pake 'sayangmama99' gak bisa, terus 'Sayangmama99' juga",
         ["sayangmama99", "Sayangmama99"]),
        ("Password has a space and symbols in it: 'my shop #1 2026' - is that allowed?",
         ["my shop #1 2026"]),
    ],
)  # fmt: skip
def test_alternatives_quoted_and_next_sentence_passwords_go(text: str, secrets: list[str]) -> None:
    redacted = redact(text, "en")
    assert [text[r.start : r.end] for r in redacted.removals] == secrets


@pytest.mark.parametrize(
    "text",
    [
        "Lupa password. Beda2 terus hasilnya, coba2 reset juga gagal.",
        "I forgot my password. My store is tanaka.shop and the plan is Pro.",
        "パスワードを忘れました。注文番号 TB-88231 です。",
    ],
)
def test_talk_around_a_password_is_not_taken_for_one(text: str) -> None:
    assert redact(text, "en").count == 0


@pytest.mark.parametrize(
    ("language", "text", "secret"),
    [
        # Half-width katakana writes its voicing marks apart.
        ("ja", "ﾊﾟｽﾜｰﾄﾞ:aoi0303 でログインできません", "aoi0303"),
        # Brackets around a password are not part of it.
        ("en", "I shared my password (Hunter2024) with a contractor.", "Hunter2024"),
        ("ja", "パスワード（hanako_1122）を入れるとロックされます", "hanako_1122"),
        # Digits read out with spaced dashes.
        ("en", "The 6-digit code they texted me: 1 1 4 - 2 2 9", "1 1 4 - 2 2 9"),
        ("ja", "数字のコードが来ました：2 7 4 0 9 3。", "2 7 4 0 9 3"),
        # An address, a slash and a password after "login".
        ("en", "Login is me@harbour.com / Harbour!Coffee1 if needed.", "Harbour!Coffee1"),
    ],
)
def test_secrets_in_less_usual_shapes_go(language: str, text: str, secret: str) -> None:
    redacted = redact(text, language)
    assert [text[r.start : r.end] for r in redacted.removals] == [secret]


@pytest.mark.parametrize(
    ("text", "secrets"),
    [
        ("the password is Pa$$w0rd!2026 not Pa$$w0rd!2025.", ["Pa$$w0rd!2026", "Pa$$w0rd!2025"]),
        ("旧パスワードは Tanaka1985 、新しく設定したのは Tnk#2026shop です。",
         ["Tanaka1985", "Tnk#2026shop"]),
        ("Recovery code QW7X-3KPD-88ZM didn't work, nor did HT4M-8WQ2-0XZD.",
         ["QW7X-3KPD-88ZM", "HT4M-8WQ2-0XZD"]),
    ],
)  # fmt: skip
def test_a_second_secret_corrected_or_tried_after_the_first_goes_too(
    text: str, secrets: list[str]
) -> None:
    redacted = redact(text, "en")
    assert [text[r.start : r.end] for r in redacted.removals] == secrets


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ja", "払込票に記載のお客様番号は 2026-4471-0093、確認番号は 88120 です。"),
        ("ja", "「コード：HEMAT50」は何のコードですか？"),
        ("en", "Your agent asked for the last 4 digits of my card — it's 0917."),
        ("en", "Call 0812 - 3344 - 5566 about the OTP."),
        ("en", "Send it to owner@shop.id / finance@shop.id"),
        ("ja", "パスワードを入れると「アカウントがロックされています」と表示されます。"),
    ],
)
def test_payment_promo_card_and_phone_numbers_near_code_talk_stay(language: str, text: str) -> None:
    redacted = redact(text, language)
    assert (redacted.text, redacted.count) == (text, 0)
