"""What a message is about (POLICY.md S1, S2, S11): its category with a confidence and the
words that decided it, whether a buyer wrote it about a seller's order (then the seller, not
Catalo.id, handles the payment), and whether it asks for escalation. Pure: no Django."""

import re
from dataclasses import dataclass

# Words that point at each category, in en, id and ja, with a weight.
SIGNALS: dict[str, tuple[tuple[str, float], ...]] = {
    "billing_dispute": (
        (
            r"charged twice|double[- ]?charged?|duplicate charge|charged (?:me )?(?:two|2|3|three) times|charged 2x|\b(?:two|2|3|three) charges|two invoices|dua tagihan|double (?:billing|invoice)",
            3,
        ),
        (
            r"wrong (?:amount|charge|price)|overcharged?|charged (?:more|too much)|incorrect (?:charge|amount)|got charged rp|charged rp",
            2.5,
        ),
        (r"chargeback|charge ?back|sengketa|dispute|チャージバック|異議申し立て", 3),
        (
            r"ditagih (?:dua|2|tiga|3) ?(?:kali|x)|tagihan (?:ganda|dobel|double)|terpotong (?:dua|2) ?(?:kali|x)|kepotong (?:dua|2)|dua tagihan|tagihan (?:auto-?debit )?dua kali",
            3,
        ),
        (
            r"tagihan salah|salah tagih|kelebihan (?:tagih|bayar)|tidak diterapkan|ga(?:k)? (?:kepake|diterapkan)|dihitung (?:dua kali|salah)|harusnya (?:rp|cuma)",
            2.5,
        ),
        (
            r"二重(?:請求|引き落とし|決済|課金)?|(?:2|二|3|三)回(?:引かれ|請求|課金)|(?:2|3)件あり|請求が(?:二|2)回|誤請求|金額が(?:違|間違|おかしい|高い)|高い金額|多く請求|適用されていません|二回計上|二重計上",
            3,
        ),
        (
            r"unrecognized charge|unknown charge|身に覚えのない請求|tidak (?:kenal|dikenal) (?:tagihan|transaksi)",
            2,
        ),
        (
            r"(?:still|masih|また|今月も)\s*(?:charged|ditagih|請求され|課金され)|charged (?:during|in) (?:the |my )?(?:free )?trial|masa trial|無料期間中|trial.{0,20}(?:charged|di-?charge|ditagih)|cancel+ed.{0,30}(?:still|but).{0,10}charged|解約したのに.{0,10}請求|berhenti.{0,30}(?:masih|tetap) ditagih",
            3,
        ),
        (r"vat|ppn|消費税|pajak", 1),
    ),
    "refund": (
        (
            r"refund|money back|reimburse|uang(?:nya)? (?:di)?kembali(?:kan)?|pengembalian dana|kembalikan (?:uang|dana)|minta (?:uang(?:nya)? )?kembali",
            2,
        ),
        (r"返金|払い戻し|返して(?:ほしい|ください)", 2.5),
        (
            r"(?:subscription|langganan|plan|paket|プラン|サブスク).{0,40}(?:refund|返金|kembali)|(?:refund|返金).{0,40}(?:subscription|langganan|plan|paket|プラン)",
            1.5,
        ),
    ),
    "access": (
        (
            r"not (?:yet )?activ|still (?:inactive|pending|locked|unpaid|says unpaid)|(?:store|account|toko|plan|paket) (?:is )?(?:still )?(?:not|in)active|nothing (?:has been|was) activated|features? (?:are |is )?still locked|still (?:shows|says) (?:unpaid|pending|expired)",
            3,
        ),
        (
            r"(?:paid|payment (?:went through|succeeded)|renew(?:ed|al)|upgraded?)\b.{0,60}(?:but|still|yet)|after (?:paying|payment|renewing)",
            2,
        ),
        (
            r"belum (?:aktif|berubah|diproses)|tidak aktif|gak aktif|ga aktif|blm aktif|nonaktif|ga berubah|masih (?:pending|menunggu|terkunci|nonaktif|expired)|akses ditolak|tidak bisa dibuka|gabisa dibuka",
            3,
        ),
        (
            r"sudah (?:bayar|transfer|upgrade|perpanjang)|udah (?:bayar|transfer)|setelah (?:bayar|pembayaran|perpanjang)",
            1.5,
        ),
        (
            r"can'?t (?:access|reach|open)|cannot (?:access|reach|open)|unable to access|tidak bisa (?:akses|mengakses)|gak bisa (?:akses|buka)|403|forbidden|blank (?:white )?page|white page|store not found|region block|is gone",
            2.5,
        ),
        (
            r"有効(?:化)?され(?:ない|ていない|ません)|反映され(?:ない|ていません)|支払(?:い|った|いも済んだ)のに|入金済み|振り込み?ました|払ったのに|停止中|非公開|期限切れ|ロックされたまま|支払い待ち|使えない|アクセスでき(?:ない|ません|なく)|開けない|表示されない|真っ白|403",
            3,
        ),
    ),
    "account_security": (
        (
            r"hack|compromis|suspicious|unauthori[sz]ed|someone (?:else )?(?:logged|is logged|changed|has)|unknown device|new (?:device|browser)|phishing link|without my (?:consent|knowledge)|recover (?:the|my) account|account (?:was )?locked|locked out|former (?:employee|staff)",
            3,
        ),
        (
            r"can'?t (?:log ?in|sign ?in)|cannot (?:log ?in|sign ?in)|unable to (?:log ?in|sign ?in)|2fa|two[- ]factor|sms verification|verification (?:code|messages?)|sign-?in attempts|payout bank account",
            2.5,
        ),
        (r"password|reset link|otp", 1.5),
        (
            r"dibajak|diretas|dibobol|kena hack|mencurigakan|tidak (?:saya )?kenal|tanpa (?:sepengetahuan|izin)|pemulihan akun|mantan karyawan|akun (?:saya )?terkunci|sms verifikasi|kode verifikasi|tidak bisa (?:login|masuk)|gak bisa (?:login|masuk)|ga bisa (?:login|masuk)|lupa (?:password|kata sandi)|masuk ke akun saya",
            3,
        ),
        (
            r"乗っ取|不正(?:ログイン|アクセス)|不審|ログインでき(?:ない|ません)|サインインでき|ロックされ(?!たまま)|二段階認証|2段階認証|フィッシング|別の人のアカウント|退職したスタッフ|身に覚えのないログイン|パスワード|認証コード|SMSが届",
            2.5,
        ),
    ),
    "seller_order": (
        (
            r"(?:item|order|package|parcel|barang|paket|pesanan|商品|注文)[^.\n。]{0,40}(?:not|never|belum|tidak|blm|gak|ga|まだ)[^.\n。]{0,20}(?:arriv|receiv|sampai|nyampe|datang|dikirim|sent|shipped|diproses|届|発送)",
            3,
        ),
        (
            r"wrong (?:item|size|color|colour)|damaged|broken|missing from my order|item(?:s)? missing|barang (?:rusak|salah|cacat|kurang)|salah (?:kirim|ukuran|pilih|alamat)|beda (?:sm|sama|dengan)|item kurang|kurang satu|retur|tukar",
            2.5,
        ),
        (
            r"(?:i|we) (?:ordered|bought|purchased|paid (?:via|for|the))|i placed|i'?m a buyer|saya (?:sudah )?(?:beli|pesan|order|belanja)|order (?:di|baju)|sudah order|transfer ke rekening",
            3,
        ),
        (
            r"the (?:seller|shop|store) (?:never|stopped|won'?t|doesn'?t|sent|is)|penjual(?:nya)?|seller(?:nya)?|dari toko|ke tokonya|from the shop|toko itu",
            2,
        ),
        (
            r"届かない|届きません|届いていない|入っていません|注文しちゃった|注文をキャンセル|キャンセルしたい|発送され|注文しました|購入した|ショップ(?:さん)?(?:から|で)|販売者|出品者|ストアからは",
            2.5,
        ),
        (r"resi|tracking|kurir|ongkir|cod\b|配送|発送", 1),
    ),
    "complaint": (
        (
            r"complain|complaint|unacceptable|terrible|worst|useless|no human|very disappointed|formal|compensation|investigate|take it down",
            2.5,
        ),
        (
            r"keluhan|komplain|kecewa|pelayanan(?:nya)? (?:buruk|jelek)|gimana sih pelayanan|lama bgt|tidak profesional|ditindak|lapor|korban",
            2.5,
        ),
        (
            r"苦情|クレーム|抗議|誠意|ありえない|たらい回し|対応が(?:悪い|ひどい|遅い)|不誠実|納得できません|重大な問題|通報",
            2.5,
        ),
        (
            r"scam|fraud|fake|counterfeit|phishing|penipu|penipuan|ketipu|tipu|palsu|fiktif|詐欺|偽(?:物|ブランド|の)?",
            3.5,
        ),
    ),
    "support": (
        (
            r"how (?:do|can|to)|is it possible|can i|bagaimana (?:cara)?|gimana|gmn|caranya|apakah bisa|bisakah|boleh",
            1.5,
        ),
        (r"どうすれば|方法を教え|できますか|可能ですか|教えてください|使い方|どこで確認", 1.5),
        (
            r"domain|template|tema|theme|produk|product|upload|integrat|api|pembeli (?:saya|sy)|my (?:customer|buyer)|お客(?:様|さん)",
            0.8,
        ),
        # A merchant asking how to handle its own buyers' payments and refunds.
        (
            r"(?:issue|process|proses|give|kasih)\b.{0,20}refund|refund.{0,15}(?:to|ke) (?:a |the )?(?:buyer|pembeli|customer)"
            r"|返金処理|返金を求められ|(?:pembeli|buyer|customer|お客さん|購入者様)[^.。]{0,40}(?:bilang|says|said|言って|求めて|minta)",
            3.5,
        ),
    ),
}
COMPILED = {
    category: tuple((re.compile(pattern, re.IGNORECASE), weight) for pattern, weight in signals)
    for category, signals in SIGNALS.items()
}
BUYER = re.compile(
    r"(?:i|we) (?:ordered|bought|purchased|placed|paid (?:via|for|the|twice))|my (?:order|package|parcel)s?\b|i'?m a buyer"
    r"|saya (?:sudah |telah )?(?:beli|pesan|order|belanja|checkout|melakukan pembayaran)|pesanan saya|paket (?:saya|sy)|barang yang saya"
    r"|barang yg|sudah order|transfer ke rekening|dijanjikan refund oleh penjual|ke tokonya|dari tokonya|penjual(?:nya)?\b(?! saya)"
    r"|the seller sent me|package (?:arrived|came)|paket sudah (?:diterima|sampai)|(?:mem)?batalkan pesanan|salah pilih|bisa tukar|wrong size sent|items? missing"
    r"|注文をキャンセル|ショップから|ショップ側"
    r"|(?:ショップ|ストア|お店|販売者|出品者)(?:さん)?(?:から|で)(?:買|購入|注文)|購入した|注文した|注文しちゃった|注文しました|届いていません|届かない|ストアからは|買った",
    re.IGNORECASE,
)
MERCHANT = re.compile(
    r"my (?:store|shop|customer|buyer)s?|our (?:store|shop|customers)|(?:a|the) buyer on my|my customers'|to a buyer"
    r"|toko (?:saya|sy|ku|aku)|pembeli (?:saya|sy|di toko saya)|pelanggan saya|customer saya|langganan (?:saya|sy)|di sistem"
    r"|subscription|paket (?:basic|pro|business)|うちの|当店|弊社|私のストア|お客(?:様|さん)(?:から|の注文|が)|購入者様|こっちの管理画面|ストア側",
    re.IGNORECASE,
)
NO_REFUND = re.compile(
    r"(?:don'?t|do not|no) need (?:a )?refund|not (?:asking|looking) for a refund|nggak minta refund|ga(?:k)? minta refund|tidak minta refund|返金は(?:不要|いりません)",
    re.IGNORECASE,
)
FRAUD = 3.5
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
    if NO_REFUND.search(text):
        scores["refund"] = 0.0
    if buyer:
        # A buyer's refund, chargeback or double payment is the seller's to handle (S2, S12);
        # only fraud by the store stays with Catalo.id, as a complaint.
        scores["seller_order"] += 3
        reasons["seller_order"].append("a buyer writing about a store order")
        for merchant_category in ("refund", "billing_dispute", "access", "support"):
            scores[merchant_category] *= 0.3
        if scores["complaint"] >= FRAUD:
            scores["complaint"] += 3
    else:
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
    if MERCHANT.search(text):
        return False
    order_trouble = sum(bool(pattern.search(text)) for pattern, _ in COMPILED["seller_order"][:5])
    return (
        bool(BUYER.search(text))
        or order_trouble >= 2
        or (order_trouble >= 1 and storefront_in(text) is not None)
    )


def asks_for_escalation(text: str) -> bool:
    return bool(ESCALATION.search(text)) and not NO_ESCALATION.search(text)


def storefront_in(text: str) -> str | None:
    for match in STOREFRONT.finditer(text):
        slug = (match.group(1) or match.group(2)).lower()
        if slug not in NOT_STOREFRONTS:
            return slug
    return None
