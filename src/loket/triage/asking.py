"""Whether an agent's reply asks the requester for a password or a one-time code, which
Catalo.id never does (POLICY.md S13). Pure: no Django. Warnings pass: "never share your code
with anyone" names a secret without asking for it."""

import re
import unicodedata

SECRET_NOUNS = (
    r"password|passcode|pass ?word|otp|one[- ]time (?:code|password)|verification code"
    r"|security code|login code|sms code|auth(?:entication)? code|2fa code|pin|backup codes?"
    r"|recovery codes?|kata ?sandi|sandi|kode (?:otp|verifikasi|keamanan|login|sms|cadangan)"
)
ASKING_WORDS = (
    r"send|give|tell|provide|share|forward|reply with|type|enter|confirm|what(?:'s| is)"
    r"|kirim(?:kan)?|beri(?:kan)?|kasih|sebut(?:kan)?|infokan|informasikan|bagikan"
    r"|tulis(?:kan)?|balas dengan|cantumkan|lampirkan"
)
ASK_EN_ID = re.compile(
    rf"(?<![a-z])(?:{ASKING_WORDS})(?![a-z])[^.!?\n]{{0,30}}?"
    rf"(?<![a-z])(?:{SECRET_NOUNS})(?![a-z])",
    re.IGNORECASE,
)
ASK_JA = re.compile(
    r"(?:パスワード|認証コード|確認コード|ワンタイムパスワード|ワンタイムコード|暗証番号|PIN"
    r"|バックアップコード)[^。！？\n]{0,12}?(?:教えて|お教え|お知らせ|送って|お送り|ご連絡"
    r"|ご返信|ご記入|記載|ご入力の上|返信して|共有して)"
    r"(?!(?:い)?(?:ないで|ません))",
    re.IGNORECASE,
)
NEGATION = re.compile(
    r"(?<![a-z])(?:never|don'?t|do not|not|no one|nobody|anyone|jangan|jgn"
    r"|tidak (?:akan|perlu|pernah)|tak akan|bukan)(?![a-z])|絶対に|決して",
    re.IGNORECASE,
)


def asks_for_secret(text: str) -> bool:
    """True when a sentence asks for a secret and does not say never to share it."""
    normal = unicodedata.normalize("NFKC", text)
    for sentence in re.split(r"(?<=[.!?。！？\n])", normal):
        asked = ASK_EN_ID.search(sentence) or ASK_JA.search(sentence)
        if asked and not NEGATION.search(sentence):
            return True
    return False
