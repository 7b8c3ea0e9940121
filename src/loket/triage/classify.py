"""What a message is about (POLICY.md S1, S2, S11): its category with a confidence and the
words that decided it, whether a buyer wrote it about a seller's order (then the seller, not
Catalo.id, handles the payment), and whether it asks for escalation. Pure: no Django."""

import re
from dataclasses import dataclass

# Words that point at each category, in en, id and ja, with a weight.
SIGNALS: dict[str, tuple[tuple[str, float], ...]] = {
    "billing_dispute": (
        (r"charged twice|double[- ]?charged?|duplicate charge|charged (?:me )?(?:two|2) times", 3),
        (r"wrong (?:amount|charge)|overcharged?|charged (?:more|too much)|incorrect charge", 2.5),
        (r"chargeback|dispute|sengketa|charge ?back|チャージバック|異議", 3),
        (r"ditagih (?:dua|2) ?kali|tagihan (?:ganda|dobel|double)|terpotong (?:dua|2) ?kali", 3),
        (r"tagihan salah|salah tagih|kelebihan (?:tagih|bayar)|potong (?:saldo )?(?:dua|2)x", 2.5),
        (
            r"二重(?:請求|引き落とし|決済)|請求が(?:二|2)回|誤請求|金額が(?:違|間違|おかしい)|多く請求",
            3,
        ),
        (r"unrecognized charge|unknown charge|tidak (?:kenal|dikenal)|身に覚えのない", 2),
    ),
    "refund": (
        (r"refund|money back|reimburse", 2),
        (r"pengembalian dana|kembalikan (?:uang|dana)|minta (?:uang )?kembali|refund", 2),
        (r"返金|払い戻し|返して(?:ほしい|ください)", 2.5),
        (r"cancel (?:my )?subscription|berhenti langganan|解約", 1),
    ),
    "access": (
        (
            r"not (?:yet )?activ|still inactive|(?:store|account|toko) (?:is )?(?:still )?(?:not|in)active",
            3,
        ),
        (
            r"paid but|after (?:paying|payment)|sudah (?:bayar|transfer)|setelah (?:bayar|pembayaran)",
            2,
        ),
        (r"belum aktif|tidak aktif|gak aktif|blm aktif|nonaktif", 3),
        (r"can'?t access|cannot access|tidak bisa (?:akses|buka)|gak bisa (?:akses|buka)", 2),
        (
            r"有効(?:化)?され(?:ない|ていない|ません)|反映され(?:ない|ていません)|支払(?:い|った)のに|使えない",
            3,
        ),
        (r"アクセスでき(?:ない|ません)|開けない|表示されない", 2),
    ),
    "account_security": (
        (r"hack|compromis|suspicious|unauthori[sz]ed (?:login|access)|someone (?:else )?logged", 3),
        (
            r"can'?t (?:log ?in|sign ?in)|cannot (?:log ?in|sign ?in)|locked out|2fa|two[- ]factor",
            2.5,
        ),
        (r"password|reset link|otp|verification code", 1.5),
        (
            r"dibajak|diretas|kena hack|login mencurigakan|aktivitas mencurigakan|tidak bisa (?:login|masuk)",
            3,
        ),
        (
            r"gak bisa (?:login|masuk)|ga bisa (?:login|masuk)|lupa (?:password|kata sandi)|akun (?:saya )?terkunci",
            2.5,
        ),
        (
            r"乗っ取|不正(?:ログイン|アクセス)|ログインでき(?:ない|ません)|サインインでき|ロックされ|二段階認証|2段階認証",
            3,
        ),
        (r"パスワード|認証コード|身に覚えのないログイン", 1.5),
    ),
    "seller_order": (
        (
            r"(?:item|order|package|parcel|barang|paket|pesanan)[^.\n]{0,30}(?:not|never|belum|tidak|blm|gak)[^.\n]{0,15}(?:arriv|receiv|sampai|datang|dikirim|sent|shipped)",
            3,
        ),
        (r"wrong item|damaged|broken item|barang (?:rusak|salah|cacat)|salah kirim", 2.5),
        (
            r"(?:i|we) (?:ordered|bought|purchased) (?:from|at|on)|saya (?:beli|pesan|order) (?:di|dari)",
            3,
        ),
        (
            r"the seller|seller (?:is not|won'?t|doesn'?t|never)|penjual(?:nya)?|seller(?:nya)?|toko (?:itu|tersebut|online)",
            2,
        ),
        (
            r"届かない|届きません|届いていない|商品が|注文した|購入した|ショップ(?:さん)?(?:から|で)|販売者|出品者",
            2.5,
        ),
        (r"resi|tracking|kurir|ongkir|COD|配送|発送", 1),
    ),
    "complaint": (
        (r"complain|complaint|unacceptable|terrible service|very disappointed|formal", 2),
        (r"keluhan|komplain|kecewa|pelayanan (?:buruk|jelek)|tidak profesional", 2),
        (r"苦情|クレーム|対応が(?:悪い|ひどい|遅い)|不誠実|納得できません", 2.5),
        (
            r"scam|fraud|fake (?:store|shop)|penipu|penipuan|ketipu|tipu|palsu|詐欺|偽(?:の)?(?:ショップ|ストア)",
            3.5,
        ),
    ),
    "support": (
        (
            r"how (?:do|can|to)|is it possible|can i|bagaimana (?:cara)?|gimana|caranya|apakah bisa|bisakah",
            1.5,
        ),
        (r"どうすれば|方法を教え|できますか|可能ですか|教えてください|使い方", 1.5),
        (r"domain|template|tema|theme|produk|product|upload|ongkir setting|integrat|api", 0.8),
    ),
}
COMPILED = {
    category: tuple((re.compile(pattern, re.IGNORECASE), weight) for pattern, weight in signals)
    for category, signals in SIGNALS.items()
}
BUYER = re.compile(
    r"(?:i|we) (?:ordered|bought|purchased|paid the (?:seller|store|shop))|my order from"
    r"|saya (?:beli|pesan|order|belanja|checkout)|pesanan saya (?:di|dari)|sudah (?:bayar|transfer) ke (?:toko|penjual|seller)"
    r"|(?:ショップ|ストア|お店|販売者|出品者)(?:さん)?(?:から|で)(?:買|購入|注文)|購入した|注文した商品",
    re.IGNORECASE,
)
MERCHANT = re.compile(
    r"my (?:store|shop|customer|buyer)s?|our (?:store|shop|customers)|toko saya|pembeli saya|pelanggan saya"
    r"|customer saya|langganan saya|subscription|paket (?:basic|pro|business)|うちの(?:ストア|ショップ|お客)"
    r"|当店|弊社のストア|私のストア|お客様(?:から|の注文)",
    re.IGNORECASE,
)
ESCALATION = re.compile(
    r"escalat|supervisor|manager|someone (?:more )?senior|higher (?:level|up)"
    r"|eskalasi|dieskalasi|atasan|manajer|supervisor|pihak yang lebih tinggi"
    r"|エスカレーション|上長|上司|責任者|上の方",
    re.IGNORECASE,
)
NO_ESCALATION = re.compile(
    r"no need to escalat|don'?t (?:need to )?escalat|not (?:asking|requesting) (?:for )?(?:an )?escalat"
    r"|tidak perlu (?:di)?eskalasi|gak perlu (?:di)?eskalasi|jangan (?:di)?eskalasi|tanpa eskalasi"
    r"|エスカレーション(?:は|の必要は)(?:不要|ありません|いりません)|上の方(?:に|へ)?(?:は)?(?:伝えなくて|不要)",
    re.IGNORECASE,
)
STOREFRONT = re.compile(
    r"(?<![A-Za-z0-9-])([a-z0-9][a-z0-9-]{1,40})\.catalo\.id\b|catalo\.id/([a-z0-9][a-z0-9-]{1,40})\b",
    re.IGNORECASE,
)
NOT_STOREFRONTS = frozenset({"www", "support", "help", "admin", "api", "mail", "app", "dashboard"})


@dataclass(frozen=True)
class Classification:
    category: str
    confidence: float
    reasons: tuple[str, ...]
    buyer: bool
    route: str
    escalation_request: bool
    storefront: str | None


def classify(text: str, categories: tuple[str, ...] | None = None) -> Classification:
    scores, reasons = score(text, categories)
    buyer = is_buyer(text)
    if buyer and scores["complaint"] < 3.5:
        scores["seller_order"] += 2
        reasons["seller_order"].append("a buyer writing about a store order")
    if not buyer:
        scores["seller_order"] = 0
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    category, top = ranked[0] if ranked and ranked[0][1] > 0 else ("support", 0.0)
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    confidence = round(top / (top + second), 2) if top else 0.5
    return Classification(
        category=category,
        confidence=confidence,
        reasons=tuple(reasons.get(category, [])),
        buyer=buyer,
        route="redirect_to_seller" if category == "seller_order" else "normal",
        escalation_request=asks_for_escalation(text),
        storefront=storefront_in(text),
    )


def score(
    text: str, allowed: tuple[str, ...] | None
) -> tuple[dict[str, float], dict[str, list[str]]]:
    scores: dict[str, float] = dict.fromkeys(COMPILED, 0.0)
    reasons: dict[str, list[str]] = {category: [] for category in COMPILED}
    for category, signals in COMPILED.items():
        if allowed is not None and category not in allowed:
            continue
        for pattern, weight in signals:
            if match := pattern.search(text):
                scores[category] += weight
                reasons[category].append(match.group(0).strip())
    return scores, reasons


def is_buyer(text: str) -> bool:
    """Writes about an order placed on a seller's store, and not about their own store."""
    return bool(BUYER.search(text) or store_order_talk(text)) and not MERCHANT.search(text)


def store_order_talk(text: str) -> bool:
    return bool(
        COMPILED["seller_order"][0][0].search(text) or COMPILED["seller_order"][4][0].search(text)
    )


def asks_for_escalation(text: str) -> bool:
    return bool(ESCALATION.search(text)) and not NO_ESCALATION.search(text)


def storefront_in(text: str) -> str | None:
    for match in STOREFRONT.finditer(text):
        slug = (match.group(1) or match.group(2)).lower()
        if slug not in NOT_STOREFRONTS:
            return slug
    return None
