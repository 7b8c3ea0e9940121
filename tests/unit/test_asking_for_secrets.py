"""Agents never ask for a password or a code (POLICY.md S13); warnings about them pass."""

import pytest

from loket.triage.asking import asks_for_secret


@pytest.mark.parametrize(
    "reply",
    [
        "Please send us your OTP so we can verify your account.",
        "Could you reply with the PIN you set?",
        "What is your password?",
        "Mohon kirimkan kode OTP yang Anda terima.",
        "Kak, tolong infokan password akunnya ya.",
        "認証コードを教えてください。",
        "お手数ですが、パスワードをご返信ください。",
    ],
)
def test_a_reply_that_asks_for_a_secret_is_recognised(reply: str) -> None:
    assert asks_for_secret(reply)


@pytest.mark.parametrize(
    "reply",
    [
        "Never share your password or OTP with anyone, including us.",
        "We will never ask for your PIN.",
        "Jangan berikan kode OTP kepada siapa pun.",
        "パスワードは絶対に教えないでください。",
        "Please send us the invoice number and the date of the charge.",
        "Tolong kirim screenshot dan nomor invoice.",
        "請求書番号とご利用日をお知らせください。",
    ],
)
def test_warnings_and_ordinary_requests_pass(reply: str) -> None:
    assert not asks_for_secret(reply)
