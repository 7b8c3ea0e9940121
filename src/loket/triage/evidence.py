"""Evidence in a message's text (POLICY.md S8): account e-mail, invoice and seller order
references, the transaction date, the plan, the bank or card issuer. Pure: no Django."""

import re
from datetime import date

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
OUR_DOMAINS = ("catalo.id",)
INVOICE = re.compile(
    r"\bINV-\d{4}-\d{3,6}\b|(?:invoice|請求書|tagihan|no\.? ?inv\w*)[^\d\n]{0,12}(\d{10})\b",
    re.IGNORECASE,
)
ORDER = re.compile(
    r"(?<![A-Za-z0-9/-])(?:(?!INV-|CAT-)[A-Z]{2,4}-\d{3,7}|ORD/\d{4}/\d{2}/\d{3,6}|#\d{5,8})"
    r"(?![A-Za-z0-9-])"
)
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january", "januari"), ("feb", "february", "februari"),
            ("mar", "march", "maret"), ("apr", "april"), ("may", "mei"),
            ("jun", "june", "juni"), ("jul", "july", "juli"),
            ("aug", "august", "agu", "agt", "ags", "agustus"),
            ("sep", "sept", "september"), ("oct", "october", "okt", "oktober"),
            ("nov", "november", "nop", "nopember"), ("dec", "december", "des", "desember"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip
MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
DATES = (
    re.compile(r"(?P<year>\d{4})年\s*(?P<m>\d{1,2})月\s*(?P<day>\d{1,2})日"),
    re.compile(r"(?P<year>\d{4})-(?P<m>\d{2})-(?P<day>\d{2})\b"),
    re.compile(rf"\b(?P<day>\d{{1,2}})\s+{MONTH}\s+(?P<year>\d{{4}})\b"),
    re.compile(rf"\b{MONTH}\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})\b"),
    re.compile(r"\b(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<year>\d{4})\b"),
)
PLANS = {
    "basic": "Basic", "ベーシック": "Basic", "pro": "Pro", "プロ": "Pro",
    "business": "Business", "bisnis": "Business", "ビジネス": "Business",
}  # fmt: skip
PLAN = re.compile(
    r"(?:(?:paket|plan|プラン)\s*)?(?<![A-Za-z])(basic|pro|business|bisnis)(?![A-Za-z])"
    r"(?:\s*(?:plan|paket))?|(ベーシック|プロ|ビジネス)(?:プラン)?",
    re.IGNORECASE,
)
ISSUERS = {
    "bca": "BCA", "bri": "BRI", "bni": "BNI", "mandiri": "Mandiri", "cimb niaga": "CIMB Niaga",
    "cimb": "CIMB Niaga", "jenius": "Jenius", "permata": "Permata", "danamon": "Danamon",
    "btn": "BTN", "bsi": "BSI", "gopay": "GoPay", "ovo": "OVO", "dana": "DANA",
    "shopeepay": "ShopeePay", "linkaja": "LinkAja", "visa": "Visa", "mastercard": "Mastercard",
    "master card": "Mastercard", "jcb": "JCB", "amex": "Amex", "american express": "Amex",
    "paypal": "PayPal", "paypay": "PayPay", "三井住友カード": "SMBC", "三井住友": "SMBC",
    "楽天カード": "Rakuten Card", "楽天": "Rakuten Card", "イオンカード": "AEON Card",
    "ゆうちょ": "Japan Post Bank", "三菱ufj": "MUFG", "みずほ": "Mizuho",
}  # fmt: skip
ISSUER = re.compile(
    "|".join(
        rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])" if name.isascii() else re.escape(name)
        for name in sorted(ISSUERS, key=len, reverse=True)
    ),
    re.IGNORECASE,
)


type Evidence = dict[str, str | list[str]]


def extract(text: str, language: str) -> Evidence:
    found: Evidence = {}
    put(found, "account_email", [e.lower() for e in EMAIL.findall(text) if not ours(e)])
    put(found, "invoice_ref", [m.group(1) or m.group(0) for m in INVOICE.finditer(text)])
    put(found, "seller_order_ref", [m.group(0) for m in ORDER.finditer(text)])
    if (day := first_date(text, language)) is not None:
        found["date"] = day.isoformat()
    if plans := [PLANS[(m.group(1) or m.group(2)).lower()] for m in PLAN.finditer(text)]:
        found["plan"] = plans[0]
    if issuers := [ISSUERS[m.group(0).lower()] for m in ISSUER.finditer(text)]:
        found["bank_or_issuer"] = issuers[0]
    return found


def put(found: Evidence, key: str, values: list[str]) -> None:
    unique = list(dict.fromkeys(values))
    if unique:
        found[key] = unique[0] if len(unique) == 1 else unique


def ours(address: str) -> bool:
    return address.lower().rsplit("@", 1)[-1].endswith(OUR_DOMAINS)


def first_date(text: str, language: str) -> date | None:
    candidates = []
    for pattern in DATES:
        for match in pattern.finditer(text):
            if (day := to_date(match, language)) is not None:
                candidates.append((match.start(), day))
    return min(candidates)[1] if candidates else None


def to_date(match: re.Match[str], language: str) -> date | None:
    parts = match.groupdict()
    year = int(parts["year"])
    if parts.get("month"):
        month = MONTHS.get(parts["month"].lower())
        day = int(parts["day"])
    elif parts.get("m"):
        month, day = int(parts["m"]), int(parts["day"])
    else:
        first, second = int(parts["a"]), int(parts["b"])
        month_first = (language == "en" and first <= 12) or second > 12
        month, day = (first, second) if month_first else (second, first)
    try:
        return date(year, month, day) if month else None
    except ValueError:
        return None


# S8 item 4, "the steps that triggered the issue": a list of steps, or a described sequence.
STEP_LINES = re.compile(r"^\s*(?:\d{1,2}[.)\uff0e、]|[-*・•])\s*\S", re.MULTILINE)
SEQUENCE = re.compile(
    r"\b(?:then|after|when i|once i|lalu|kemudian|setelah|sesudah|waktu saya|saat saya|ketika)\b"
    r"|してから|した後|したあと|すると|したら|押すと|開くと|その後",
    re.IGNORECASE,
)


def steps_described(text: str) -> bool:
    """True when the text walks through what happened: two or more listed steps, or a
    sequence word in a message long enough to describe one."""
    if len(STEP_LINES.findall(text)) >= 2:
        return True
    # Japanese says in 15 characters what English says in 40.
    size = sum(1 if character.isascii() else 2.5 for character in text.strip())
    return size >= 40 and SEQUENCE.search(text) is not None
