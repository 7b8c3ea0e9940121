"""Secrets removed from a message before anything stores it (POLICY.md S13). Pure: no Django.

Catalo.id never asks for a password or a one-time code, so Loket never keeps one: a secret
written after a context word ("my password is", "kata sandi", "パスワードは", "kode OTP",
"認証コード", ...) is replaced by a marker in the message's language. Look-alikes - invoice
numbers, references, amounts, dates, phone, virtual-account and tracking numbers - have no such
context word in front of them and stay. In a message that talks about codes, a code-shaped number
elsewhere goes too, unless a label ("order", "ID toko", "末尾") or its shape says what it is.
The text is matched after normalising full-width characters (NFKC) and dropping zero-width
characters, and the removal is mapped back onto the text as written.
"""

import re
import unicodedata
from dataclasses import dataclass

PASSWORD, ONE_TIME_CODE, PIN, BACKUP_CODE = "password", "one_time_code", "pin", "backup_code"
OTHER_PASSWORD = "other_password"  # a context, not a kind: what it finds is a password
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
# One character and the voicing or combining marks written after it.
CHARACTER = re.compile(r".[\uff9e\uff9f\u3099\u309a\u0300-\u036f]*", re.DOTALL)

MARKERS = {
    "en": {PASSWORD: "password", ONE_TIME_CODE: "one-time code", PIN: "PIN",
           BACKUP_CODE: "backup code"},
    "id": {PASSWORD: "kata sandi", ONE_TIME_CODE: "kode sekali pakai", PIN: "PIN",
           BACKUP_CODE: "kode cadangan"},
    "ja": {PASSWORD: "パスワード", ONE_TIME_CODE: "ワンタイムコード", PIN: "暗証番号",
           BACKUP_CODE: "バックアップコード"},
}  # fmt: skip
MARKER_FORMAT = {"en": "[removed: {}]", "id": "[dihapus: {}]", "ja": "[削除済み: {}]"}

# What comes right before a secret, in ja, id and en, common misspellings included.
PASSWORD_WORDS = (
    r"(?<![a-z])(?:password|passwd|passwrd|pasword|passowrd|pssword|passcode|pass ?word"
    r"|kata ?sandi|katasandi|sandi|pswd|pwd|pw|pass)(?![a-z])"
    r"|(?<!ワンタイム)パスワード|(?<!ワンタイム)パス(?!ポート)"
)
# "...and the old one is X" names a second password, but only where one was named just before.
OTHER_PASSWORD_WORDS = (
    r"(?<![a-z])(?:the (?:new|old) one|(?:yang|yg) (?:baru|lama)|new one|old one)(?![a-z])"
    r"|新しいの|古いの|前の|(?:新しく|前に|以前)[^。、\d]{0,10}?の(?:は|が)"
)
PASSWORD_NEARBY = re.compile(rf"(?:{PASSWORD_WORDS})", re.IGNORECASE)
CODE_WORDS = (
    r"one[- ]?time (?:pass ?code|password|code|pin)|otp(?: code)?|kode otp|kode verif\w*"
    r"|kode keamanan|kode sekali pakai|kode login|kode masuk|kode sms|kode dari sms"
    r"|kode (?:authenticator|autentikator|otentikasi|2fa)|autentikator|otentikasi"
    r"|ver(?:i)?f(?:i)?cation code|verify code|security code|login code|sign[- ]?in code"
    r"|sms code|auth(?:entication)? code|authenticator(?: app)?(?: code)?|2fa(?: code)?"
    r"|two[- ]factor(?: code)?|confirmation code"
    r"|(?<![a-z])codes?(?=\s*(?:[:=]|\d|from|via|they|that|you|we|i got|is\b|was\b|sent))"
    r"|(?<![a-z])kode(?=\s*(?:[:=]|\d)|-?nya\b|\s+(?:yg|yang|dari|nya)\b)"
    r"|(?<![a-z])sms(?![a-z])|(?<![a-z])angka(?:nya)?(?![a-z])|\d[- ]?digit(?:s)?(?: code| number)?"
    r"|認証コード|確認コード|認証番号|確認番号|ワンタイムパスワード|ワンタイムコード"
    r"|セキュリティコード|ログインコード|認証アプリ|二段階認証|2段階認証|sms認証|メール認証"
    r"|コード(?=\s*[:：は→]|\s*\d)|\d桁の(?:数字|コード)|数字(?=\s*[:：は]|を)"
)
PIN_WORDS = r"(?<![a-z])pin(?![a-z])|暗証番号"
BACKUP_WORDS = (
    r"backup(?: codes?)?|recovery codes?|kode (?:cadangan|pemulihan|backup|recovery)"
    r"|バックアップコード|リカバリーコード|バックアップ用のコード|予備コード|リカバリー用"
)
# Between the context word and the secret: a few filler words, never a negation and never a
# word that says the number is something else (a phone, an order, a virtual account).
FILLER = (
    r"(?:[\s:：=＝,、。(（→-]|->|=>|(?<![a-z])(?:is|was|are|adalah|yaitu|yakni|nya|saya|sy|aku"
    r"|ku|gw|gue|ane|kak|gan|min|sis|bro|ini|itu|the|my|your|i|we|they|that|which|code|kode"
    r"|nomor|tadi|barusan|new|old|baru|lama|yg|yang|masuk|dapat|dapet|got|get|gave|received"
    r"|sent|texted|says|shows|showing|me|for|untuk|buat|login|akun|account|number|no|from"
    r"|dari|via|lewat|email|e-mail|sms|wa|whatsapp|hp|ke|di|gunakan|pakai|pake|dipakai"
    r"|digunakan|use|used|using|set|sekarang|now|transaksi|transaction|app|aplikasi|apps"
    r"|digit|digits|6-digit|still|masih|same|sama|jadi|menjadi|to|into|isinya|ini|tuh|2fa"
    r"|either|maybe|probably|perhaps|mungkin|kayaknya|kyknya|entah)(?![a-z])"
    r"|は|が|を|の|も|に|です|でした|コード|番号|アプリ|桁|6桁|たぶん|多分|おそらく){0,10}"
)
# Codes may stand a little further on in the same sentence ("SMSで届いたやつ → 563108",
# "sms masuk isinya angka 6 digit: 227093"): any words but digits, except counts and lengths.
GAP = r"(?:[^\d\n.。?？!！]|\d+\s*(?:桁|digits?|回|kali|times|x|ケタ|langkah|step))*?"
NOT_A_SECRET = re.compile(
    r"(?<![a-z])(?:not|never|no longer|didn'?t|don'?t|doesn'?t|isn'?t|wasn'?t|tidak|tdk|gak"
    r"|ga|nggak|enggak|belum|blm|jangan|lupa|forgot|forget|wrong|salah|expired|kadaluarsa"
    r"|reset|change|ganti|ubah|phone|telp|telepon|order|pesanan|va|resi|invoice|promo|pos"
    r"|postal|zip|voucher|kupon|tracking|booking|rp|idr|usd|yen|jam|pukul|card|kartu)(?![a-z])|[¥$円]"
    r"|ません|ない|忘れ|届か|変更|リセット|電話|注文|カード",
    re.IGNORECASE,
)
# Before a password, forgetting or changing it is the reason to give it: only a plain
# negation, or a word naming another number, stops the match.
NOT_A_PASSWORD = re.compile(
    r"(?<![a-z])(?:not|never|don'?t|doesn'?t|jangan|invoice|order|pesanan|va|resi)(?![a-z])"
    r"|ません|電話|注文",
    re.IGNORECASE,
)
# Words right before "code:" that make it something other than a one-time code.
OTHER_CODES = re.compile(
    r"(?:promo|postal|post|zip|pos|voucher|kupon|coupon|discount|diskon|order|pesanan"
    r"|tracking|booking|referral|referal|country|area|swift|bank|error|注文|クーポン|プロモ|郵便|商品"
    r"|エラー)\s*$",
    re.IGNORECASE,
)
# Digits of a code read out in groups: "563 108", "8 1 2 - 4 4 0", "563-108".
SEPARATOR = r"(?: ?[\-.\u2010-\u2015\u2212] ?| )"
CODE = rf"\d(?:{SEPARATOR}?\d){{3,7}}(?![0-9A-Za-z]|{SEPARATOR}\d)"
# A password as typed: quoted, or printable ASCII, with at most four Japanese characters at a
# time inside it (ramen大好き2026), never running on into the Japanese sentence around it.
JAPANESE = r"\u3040-\u30ff\u4e00-\u9fff"
TOKEN = (
    r"(?:\"[^\"\n]{3,64}\"|'[^'\n]{3,64}'|「[^」\n]{3,64}」"
    rf"|[!-~]+(?:[{JAPANESE}]{{1,4}}[!-~]+)*)"
)
QUOTE = r"[「『\"'(（]?"
# A one-time code of letters and digits, as e-mail verification sends it (HX4T9P).
# A word followed by a number (HEMAT50, SAVE2026) is a promo code's shape, not a random one.
ALNUM_CODE = (
    r"(?-i:(?![A-Z]{4,}\d{1,4}(?![0-9A-Z]))(?=[A-Z]*\d)(?=\d*[A-Z])[A-Z0-9]{6,8})(?![0-9A-Za-z])"
)
BACKUP_CODE_TOKEN = (
    r"(?<![0-9A-Za-z-])(?:(?=[a-z0-9-]*\d)[a-z0-9]{3,6}(?:-[a-z0-9]{3,6}){1,2}|\d{6,10}"
    r"|(?=[a-z]*\d)(?=\d*[a-z])[a-z0-9]{8,10}|(?=[a-z0-9 ]{0,8}\d)[a-z0-9]{4} [a-z0-9]{4})"
    r"(?![0-9A-Za-z-])"
)
TRAILING_PUNCTUATION = ".,;:)]」』。、"
PASSWORD_LIKE = re.compile(r"\d|[^A-Za-z0-9\s]|[a-z][A-Z]")
# Indonesian writes a repeated word with a 2 ("coba2" for "coba-coba", "dua2nya"): a word.
REDUPLICATED = re.compile(r"[a-z]+2(?:nya)?", re.IGNORECASE)
LOOKALIKE = re.compile(
    r"@.*\.|://|\.catalo\.id|^(?:INV|CAT|ORD|TB)-|^\d{4}-\d{2}-\d{2}$|^\+?\d[\d -]+$"
)
STOPWORDS = frozenset(
    " ".join(
        ("yang dan untuk saya tidak bisa sudah belum salah lupa itu ini ada with the and for",
         "not wrong forgot reset changed change expired again lagi baru lama")
    ).split()
)  # fmt: skip

PATTERNS = (
    (BACKUP_CODE, re.compile(rf"(?:{BACKUP_WORDS})", re.IGNORECASE)),
    (ONE_TIME_CODE, re.compile(rf"(?:{CODE_WORDS})", re.IGNORECASE)),
    (PIN, re.compile(rf"(?:{PIN_WORDS})", re.IGNORECASE)),
    (PASSWORD, re.compile(rf"(?:{PASSWORD_WORDS})", re.IGNORECASE)),
    (OTHER_PASSWORD, re.compile(rf"(?:{OTHER_PASSWORD_WORDS})", re.IGNORECASE)),
)
AFTER = {
    # A list of backup codes may follow a few words ("...を全部書きます。") or a numbering.
    BACKUP_CODE: re.compile(
        rf"{FILLER}(?:[^\n\d]{{0,24}}?[\s:：。、][\s*・•-]*)?(?:\d{{1,2}}[.)]\s*)?"
        rf"(?P<secret>{BACKUP_CODE_TOKEN})",
        re.IGNORECASE,
    ),
    ONE_TIME_CODE: re.compile(
        rf"{FILLER}{GAP}{QUOTE}(?P<secret>{CODE}|{ALNUM_CODE})", re.IGNORECASE
    ),
    PIN: re.compile(rf"{FILLER}{GAP}{QUOTE}(?P<secret>{CODE})", re.IGNORECASE),
}
PASSWORD_FILLER = re.compile(FILLER, re.IGNORECASE)
# A candidate password starts where a run of printable ASCII (or a quote) starts.
# A bracket around a password ("my password (Hunter2024)") is not part of it.
PASSWORD_TOKEN = re.compile(rf"(?:(?<![!-~])[(\[]?|(?<=[:=>(\[]))(?P<secret>{TOKEN})")
SENTENCE_END = re.compile(r"[。？！\n]|[.?!](?:\s|$)")
# After "is", ":" or "は" the next word is the password even when it is a plain word.
ASSIGNED = re.compile(r"(?:[:=]|(?<![a-z])(?:is|adalah|yaitu)(?![a-z])|は)\s*$", re.IGNORECASE)
PASSWORD_GAP = 25  # characters of other words a password may stand after its context
# "4471と、もう一つ9902", "123456 and 654321": more codes right after a code.
MORE_CODES = re.compile(
    rf"\s*(?:[,、/]|と|and|dan|atau|or|nor|not|bukan|lalu|terus|trus|then|もう一つ|another|lagi"
    rf"|satu lagi|sama|tapi|but|新しいのは|the new one is|yang baru|yg baru|\s)+(?P<secret>{CODE})",
    re.IGNORECASE,
)
MORE_BACKUP_CODES = re.compile(
    rf"(?:[\s,、;/・•*-]|sama|dan|and|or|atau)*(?:\d{{1,2}}[.)]\s*)?(?P<secret>{BACKUP_CODE_TOKEN})",
    re.IGNORECASE,
)
REACH = 60  # characters after a context word in which its secret may stand
# "mangosteen88 or Mangosteen88!", "'sayangmama99' ... terus 'Sayangmama99'": more passwords
# right after a password.
MORE_PASSWORDS = re.compile(
    rf"\s*(?:[,/]|or|atau|and|dan|terus|lalu|then|not|bukan|nor|instead of|ではなく|じゃなく"
    rf"|と|か|、)\s*(?:juga\s*)?(?P<secret>{TOKEN})",
    re.IGNORECASE,
)
QUOTED = re.compile(r"\"[^\"\n]{4,64}\"|'[^'\n]{4,64}'|「[^」\n]{4,64}」")
QUOTED_REACH = 100  # a quoted password may stand a sentence or two after its context word
JAPANESE_WORDS = re.compile(rf"[{JAPANESE}]{{5}}")
LETTERS_AND_DIGITS = re.compile(r"(?=.*[A-Za-z])(?=.*\d)")

# A message about a one-time code, a PIN or backup codes may give the code away from its
# context word: on the next line, a sentence later, or before the word ("bukan 551209 tapi
# 551290 kode yg bener"). There a number shaped like a code is taken for one, unless a label
# names it as another number or its shape is a date, a postal code, a year or an ID.
CODE_TOPIC = re.compile(
    r"(?<![a-z])(?:otp|one[- ]?time|verif\w*|kode|code|codes|pin|2fa|(?:2|two)[- ]?(?:step|factor)"
    r"|sms|backup|cadangan|recovery|pemulihan|digit)(?![a-z])"
    r"|コード|認証|暗証番号|確認番号|数字|バックアップ|リカバリー|ワンタイム|\d桁",
    re.IGNORECASE,
)
NOT_THE_TOPIC = re.compile(
    r"^\s*(?:pos|promo|pesanan|voucher|kupon|coupon|booking|error|referral|referal|diskon|discount)"
    r"(?![a-z])",
    re.IGNORECASE,
)
PAYMENT_SLIP = re.compile(
    r"払込|コンビニ|お客様番号|受付番号|支払番号|payment (?:slip|code)|kode (?:bayar|pembayaran)"
    r"|virtual account|nomor va|alfamart|indomaret",
    re.IGNORECASE,
)
CREDENTIAL_PAIR = re.compile(
    r"(?<![a-z])(?:log ?in|sign ?in|credentials?|username|user|akun|account|ログイン|アカウント)"
    rf"(?![a-z])[^\n]{{0,30}}?[\w.+-]+@[\w-]+(?:\.[\w-]+)+\s*[/|]\s*(?P<secret>{TOKEN})",
    re.IGNORECASE,
)
TOPIC_BEFORE, TOPIC_AFTER = 200, 40  # characters around a code in which its topic may stand
# A colon before a number is a label's ("コード：2 7 4 0 9 3"), unless a digit stands before it
# (a time, 10:30).
STANDALONE_CODE = re.compile(
    r"(?<![\w#$¥/.,+@-])(?<!\d:)(?<!\d[ -])(?<!\d - )"
    r"\d(?:(?: ?- ?| )?\d){3,7}(?![\w/:%]|[ .,-]?\d| - \d)"
)
DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{2}-\d{2}-\d{4}")
NOT_A_CODE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{3}-\d{4}|(?:19|20)\d\d|\d{5}")
LABELLED = re.compile(
    r"(?<![a-z])(?:order|pesanan|invoice|inv|phone|telp|telepon|hp|wa|nomor|no|va|rekening|resi"
    r"|tracking|awb|pos|postal|zip|id|store|toko|ticket|tiket|ref|card|kartu|ending(?: in)?"
    r"|ends? in|berakhiran|akhiran|rp|idr|usd|sgd|jam|pukul|at|year|tahun|error|promo|account"
    r"|akun|member|customer|pelanggan|nik|ktp|npwp|rek)"
    r"(?:\s*(?:is|it's|it is|adalah|nya|saya|my|our|kami|code|kode|:|#|number|nomor|no\.?"
    r"|[\u2013\u2014-]))*"
    r"[\s:#(.-]{0,3}$"
    r"|(?:〒|末尾|下4桁|郵便番号|注文番号|電話番号?|注文|ストア\s*id|請求書|追跡番号|会員番号|エラー)"
    r"(?:は|：|:|\s)*$",
    re.IGNORECASE,
)
COUNTED = re.compile(
    r"^\s*(?:分|時|回|円|個|人|日|年|月|kali|x|times|menit|minutes?|jam|hours?|hari|days?|%"
    r"|items?|biji|rb|ribu|k)(?![a-z])",
    re.IGNORECASE,
)
BACKUP_SHAPE = re.compile(
    r"(?<![\w-])(?=[a-z0-9-]*\d)(?=[a-z0-9-]*[a-z])(?![a-z]{4}-\d{4})"
    r"(?:[a-z0-9]{4}(?:-[a-z0-9]{4}){1,3}|(?-i:[A-Z0-9]{8}))(?![\w-])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Removal:
    kind: str
    start: int  # in the text as written
    end: int


@dataclass(frozen=True)
class Redacted:
    text: str
    removals: tuple[Removal, ...]

    @property
    def count(self) -> int:
        return len(self.removals)


def redact(text: str, language: str) -> Redacted:
    """The text with every secret replaced by a marker in `language` (ja, id or en)."""
    normal, origin = normalise(text)
    found = sorted(secrets_in(normal), key=lambda span: span[1])
    removals = tuple(
        Removal(kind, origin[start][0], origin[end - 1][1]) for kind, start, end in distinct(found)
    )
    return Redacted(apply(text, removals, language), removals)


def normalise(text: str) -> tuple[str, list[tuple[int, int]]]:
    """NFKC per character with the marks that follow it (half-width "ﾊﾟｽﾜｰﾄﾞ" is written
    with separate voicing marks), zero-width characters dropped; `origin[i]` is where the
    i-th character of the result came from, as a [start, end) span of the text."""
    characters: list[str] = []
    origin: list[tuple[int, int]] = []
    for match in CHARACTER.finditer(text):
        if match.group(0) in ZERO_WIDTH:
            continue
        for piece in unicodedata.normalize("NFKC", match.group(0)):
            characters.append(piece)
            origin.append(match.span())
    return "".join(characters), origin


def secrets_in(text: str) -> list[tuple[str, int, int]]:
    found = credential_pairs(text)
    for kind, context in PATTERNS:
        for match in context.finditer(text):
            before = text[max(0, match.start() - 200) : match.start()]
            if OTHER_CODES.search(before[-20:]) or on_a_payment_slip(text, match.start()):
                continue
            if kind == OTHER_PASSWORD and not PASSWORD_NEARBY.search(before):
                continue
            found += secrets_after(kind, text, match.end())
    return found + codes_about(text)


def on_a_payment_slip(text: str, position: int) -> bool:
    """A convenience-store or virtual-account payment has its own numbers, a "確認番号"
    among them: in a sentence about one, a number is the payment's, not a login's."""
    sentence_start = max((end.end() for end in SENTENCE_END.finditer(text, 0, position)), default=0)
    return PAYMENT_SLIP.search(text, sentence_start, position) is not None


def credential_pairs(text: str) -> list[tuple[str, int, int]]:
    """ "Login is me@shop.com / Harbour!Coffee1": an address and, after a slash, its password."""
    spans = []
    for match in CREDENTIAL_PAIR.finditer(text):
        if trimmed := trim_password(match.group("secret")):
            spans.append((PASSWORD, match.start("secret"), match.start("secret") + len(trimmed)))
    return spans


def codes_about(text: str) -> list[tuple[str, int, int]]:
    """Code-shaped numbers, and backup-code-shaped words, near a code's topic anywhere in the
    message (see CODE_TOPIC)."""
    topics = [
        match
        for match in CODE_TOPIC.finditer(text)
        if not NOT_THE_TOPIC.match(text, match.end())
        and not OTHER_CODES.search(text[max(0, match.start() - 20) : match.start()])
        and not on_a_payment_slip(text, match.start())
    ]
    if not topics:
        return []
    found = []
    for candidate in STANDALONE_CODE.finditer(text):
        digits = re.sub(r"\D", "", candidate.group(0))
        if NOT_A_CODE_SHAPE.fullmatch(candidate.group(0)) or NOT_A_CODE_SHAPE.fullmatch(digits):
            continue
        if LABELLED.search(text[max(0, candidate.start() - 24) : candidate.start()]):
            continue
        if COUNTED.match(text, candidate.end()):
            continue
        if kind := topic_near(text, topics, candidate.start(), candidate.end()):
            found.append((kind, candidate.start(), candidate.end()))
    for candidate in BACKUP_SHAPE.finditer(text):
        if topic_near(text, topics, candidate.start(), candidate.end()) == BACKUP_CODE:
            found.append((BACKUP_CODE, candidate.start(), candidate.end()))
    return found


def topic_near(text: str, topics: list[re.Match[str]], start: int, end: int) -> str | None:
    """The kind of secret the nearest topic word speaks of, if one is near enough."""
    near = [
        topic
        for topic in topics
        if start - TOPIC_BEFORE <= topic.end() <= start or end <= topic.start() <= end + TOPIC_AFTER
    ]
    if not near:
        return None
    words = " ".join(topic.group(0).lower() for topic in near)
    if re.search(r"backup|cadangan|recovery|pemulihan|バックアップ|リカバリー", words):
        return BACKUP_CODE
    if re.search(r"pin|暗証番号", words):
        return PIN
    return ONE_TIME_CODE


def password_after(text: str, position: int) -> list[tuple[str, int, int]]:
    """The first word after a password's context that looks like a password, in the same
    sentence and within a few words ("pw sy Rahasia#2026", "パスワードを共有します → X")."""
    window = text[position : position + REACH]
    start = match.end() if (match := PASSWORD_FILLER.match(window)) else 0
    for candidate in PASSWORD_TOKEN.finditer(window, start):
        between = window[start : candidate.start()]
        if len(between) > PASSWORD_GAP or NOT_A_PASSWORD.search(window[: candidate.start()]):
            break
        token = candidate.group("secret")
        # "パスワード忘れた。たぶん neko1234": in the next sentence only what plainly is one.
        if SENTENCE_END.search(between) and not (
            len(SENTENCE_END.findall(between)) == 1 and LETTERS_AND_DIGITS.match(token)
        ):
            break
        assigned = not between.strip() and bool(ASSIGNED.search(window[: candidate.start()]))
        if trimmed := trim_password(token, assigned=assigned):
            begin = position + candidate.start("secret")
            end = begin + len(trimmed)
            return [(PASSWORD, begin, end), *more_passwords(text, end)]
    return quoted_passwords(text, position)


def more_passwords(text: str, position: int) -> list[tuple[str, int, int]]:
    spans = []
    while (match := MORE_PASSWORDS.match(text, position)) and (
        trimmed := trim_password(match.group("secret"))
    ):
        spans.append((PASSWORD, match.start("secret"), match.start("secret") + len(trimmed)))
        position = match.start("secret") + len(trimmed)
    return spans


def quoted_passwords(text: str, position: int) -> list[tuple[str, int, int]]:
    """Quotes set a password apart even a sentence or two after its context word: "pw ku lupa.
    Coba2 pake 'sayangmama99' gak bisa". Only what looks like a password counts."""
    spans = []
    for quoted in QUOTED.finditer(text, position, position + QUOTED_REACH):
        inside = quoted.group(0)[1:-1]
        labelled = NOT_A_PASSWORD.search(text[max(position, quoted.start() - 15) : quoted.start()])
        said = JAPANESE_WORDS.search(inside)  # a quoted Japanese sentence is what a screen said
        if not (labelled or said or LOOKALIKE.search(inside)) and PASSWORD_LIKE.search(inside):
            spans.append((PASSWORD, quoted.start() + 1, quoted.end() - 1))
    return spans


def secrets_after(kind: str, text: str, position: int) -> list[tuple[str, int, int]]:
    if kind in (PASSWORD, OTHER_PASSWORD):
        return password_after(text, position)
    window = text[position : position + REACH]
    match = AFTER[kind].match(window)
    if match is None or NOT_A_SECRET.search(window[: match.start("secret")]):
        return []
    if DATE_SHAPE.fullmatch(match.group("secret")):
        return []
    secret_start, secret_end = match.span("secret")
    spans = [(kind, position + secret_start, position + secret_end)]
    if kind == BACKUP_CODE:
        spans += more_backup_codes(text, position + secret_end)
    elif kind in (ONE_TIME_CODE, PIN):
        spans += more_codes(kind, text, position + secret_end)
    return spans


def more_codes(kind: str, text: str, position: int) -> list[tuple[str, int, int]]:
    spans = []
    while match := MORE_CODES.match(text, position):
        spans.append((kind, match.start("secret"), match.end("secret")))
        position = match.end("secret")
    return spans


def trim_password(token: str, *, assigned: bool = False) -> str | None:
    """Sentence punctuation after a password is not part of it. What follows "password" is
    only taken for one when it looks like one (a digit, a symbol or mixed case): a plain word
    such as "salah" or "reset" is talk about the password, and an address, a link or a
    reference is not a password either."""
    if token[:1] in "\"'「":
        # A quoted Japanese sentence ("「アカウントがロックされています」") is what a screen said.
        return None if JAPANESE_WORDS.search(token) else token
    while token and token[-1] in TRAILING_PUNCTUATION:
        token = token[:-1]
    if len(token) < 4 or token.lower() in STOPWORDS or LOOKALIKE.search(token):
        return None
    if REDUPLICATED.fullmatch(token) and not assigned:
        return None
    return token if assigned or PASSWORD_LIKE.search(token) else None


def more_backup_codes(text: str, position: int) -> list[tuple[str, int, int]]:
    spans = []
    while match := MORE_BACKUP_CODES.match(text, position):
        spans.append((BACKUP_CODE, match.start("secret"), match.end("secret")))
        position = match.end("secret")
    return spans


def distinct(found: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Overlapping finds (a code after "OTP password") become one removal, the first kind."""
    kept: list[tuple[str, int, int]] = []
    for kind, start, end in found:
        if kept and start < kept[-1][2]:
            continue
        kept.append((kind, start, end))
    return kept


def apply(text: str, removals: tuple[Removal, ...], language: str) -> str:
    names = MARKERS.get(language, MARKERS["en"])
    template = MARKER_FORMAT.get(language, MARKER_FORMAT["en"])
    for removal in reversed(removals):
        marker = template.format(names[removal.kind])
        text = text[: removal.start] + marker + text[removal.end :]
    return text
