"""The words of the generated tickets: small pools of subjects and message bodies in Japanese,
Indonesian and English, composed once from phrases and indexed once (`index_terms`), so that
millions of rows reuse a few thousand texts. Pure: no Django.

Refund requests are common, as on a marketplace's desk: 返金 appears in Japanese refund and
billing texts (返金依頼, 返金して), pengembalian in Indonesian ones (pengembalian dana).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from loket.tickets.searchtext import index_terms

LANGUAGES = ("ja", "id", "en")

# Per language: category -> what a requester says about it (the topic of the ticket).
TOPICS: dict[str, dict[str, tuple[str, ...]]] = {
    "ja": {
        "refund": (
            "注文した商品が届かないので返金をお願いします。",
            "二重に請求されていました。返金依頼を出したいです。",
            "サブスクリプションを解約したので、残りの期間の返金は可能でしょうか。",
            "返金の手続きはいつ完了しますか。",
        ),
        "billing_dispute": (
            "請求書の金額が契約と違います。差額の返金を希望します。",
            "身に覚えのない請求がクレジットカードに来ています。",
            "今月の請求が二回引き落とされました。",
        ),
        "access": (
            "ログインできません。パスワードを再設定してもエラーになります。",
            "二段階認証のコードが届きません。",
            "アカウントがロックされてしまいました。",
        ),
        "account_security": (
            "知らない端末からログインされた通知が届きました。",
            "アカウントが乗っ取られたかもしれません。至急確認してください。",
        ),
        "support": (
            "商品ページの編集方法を教えてください。",
            "請求書のダウンロード方法がわかりません。",
            "ストアの設定画面が表示されません。",
            "配送設定を変更したいです。",
        ),
        "complaint": (
            "サポートの対応が遅すぎます。一週間も返事がありません。",
            "説明と違うサービス内容でした。",
        ),
        "seller_order": (
            "出品者から商品が届きません。注文番号を確認してください。",
            "出品者と連絡が取れません。",
        ),
    },
    "id": {
        "refund": (
            "Pesanan saya tidak sampai, mohon pengembalian dana.",
            "Saya ditagih dua kali, tolong proses pengembalian dana secepatnya.",
            "Kapan pengembalian dana saya akan selesai diproses?",
            "Saya sudah membatalkan langganan, apakah bisa pengembalian untuk sisa bulan ini?",
        ),
        "billing_dispute": (
            "Jumlah di tagihan berbeda dengan kontrak, saya minta pengembalian selisihnya.",
            "Ada tagihan yang tidak saya kenal di kartu kredit saya.",
            "Tagihan bulan ini terpotong dua kali dari rekening saya.",
        ),
        "access": (
            "Saya tidak bisa masuk ke akun, padahal kata sandi sudah diatur ulang.",
            "Kode verifikasi tidak pernah masuk ke ponsel saya.",
            "Akun saya terkunci setelah beberapa kali mencoba masuk.",
        ),
        "account_security": (
            "Ada pemberitahuan login dari perangkat yang tidak saya kenal.",
            "Sepertinya akun saya diretas, mohon segera diperiksa.",
        ),
        "support": (
            "Bagaimana cara mengubah halaman produk di toko saya?",
            "Saya tidak menemukan tombol untuk mengunduh faktur.",
            "Halaman pengaturan toko tidak bisa dibuka.",
            "Saya ingin mengganti pengaturan pengiriman.",
        ),
        "complaint": (
            "Layanan dukungan sangat lambat, sudah seminggu tidak ada balasan.",
            "Layanan yang saya terima tidak sesuai dengan penjelasan.",
        ),
        "seller_order": (
            "Barang dari penjual belum sampai, tolong cek nomor pesanan saya.",
            "Penjual tidak bisa dihubungi sama sekali.",
        ),
    },
    "en": {
        "refund": (
            "My order never arrived, please refund me.",
            "I was charged twice, I would like a refund for the duplicate payment.",
            "When will my refund be completed?",
        ),
        "billing_dispute": (
            "The invoice amount does not match my plan, please correct it.",
            "There is a charge on my card that I do not recognise.",
        ),
        "access": (
            "I cannot log in even after resetting my password.",
            "The verification code never arrives on my phone.",
        ),
        "account_security": (
            "I got a login alert from a device I do not know.",
            "I think my account was taken over, please check it urgently.",
        ),
        "support": (
            "How do I edit the product page of my store?",
            "I cannot find where to download my invoices.",
            "The store settings page does not load.",
        ),
        "complaint": (
            "Support is far too slow, nobody answered for a week.",
            "The service was not what your page described.",
        ),
        "seller_order": (
            "The seller never shipped my item, please check my order number.",
            "I cannot reach the seller at all.",
        ),
    },
}

GREETINGS: dict[str, tuple[str, ...]] = {
    "ja": ("お世話になっております。", "こんにちは。", "いつもありがとうございます。"),
    "id": ("Selamat pagi,", "Halo tim dukungan,", "Selamat siang,"),
    "en": ("Hello,", "Hi team,", "Good morning,"),
}
DETAILS = {
    "ja": (
        "注文番号は {number} です。",
        "スクリーンショットを添付します。",
        "先週から同じ問題が続いています。",
        "スマートフォンのアプリでも同じでした。",
        "登録しているメールアドレスはこのアドレスです。",
    ),
    "id": (
        "Nomor pesanan saya {number}.",
        "Saya lampirkan tangkapan layar.",
        "Masalah ini sudah terjadi sejak minggu lalu.",
        "Di aplikasi ponsel juga sama saja.",
        "Email yang terdaftar adalah alamat ini.",
    ),
    "en": (
        "My order number is {number}.",
        "I attached a screenshot.",
        "This has been going on since last week.",
        "The phone app shows the same thing.",
        "The e-mail on my account is this address.",
    ),
}
CLOSINGS = {
    "ja": ("よろしくお願いいたします。", "ご確認をお願いします。"),
    "id": ("Terima kasih.", "Mohon bantuannya, terima kasih."),
    "en": ("Thanks.", "Kind regards."),
}
REPLIES = {
    "ja": (
        "お問い合わせありがとうございます。担当部署で確認しております。",
        "ご不便をおかけして申し訳ございません。もう少々お待ちください。",
        "確認のため、ご登録のメールアドレスを教えていただけますか。",
        "対応が完了しました。ほかにご不明な点があればお知らせください。",
    ),
    "id": (
        "Terima kasih sudah menghubungi kami. Tim kami sedang memeriksanya.",
        "Mohon maaf atas ketidaknyamanannya. Mohon ditunggu sebentar lagi.",
        "Untuk verifikasi, boleh kami minta alamat email akun Anda?",
        "Permintaan Anda sudah kami selesaikan. Kabari kami jika ada pertanyaan lain.",
    ),
    "en": (
        "Thank you for contacting us. Our team is looking into it.",
        "We are sorry for the trouble. Please bear with us a little longer.",
        "To verify, could you tell us the e-mail address on your account?",
        "This is done now. Let us know if there is anything else.",
    ),
}
NOTES = (
    "Checked billing: invoice matches the plan.",
    "Asked finance about the duplicate charge.",
    "Seller contacted by phone, waiting for the tracking number.",
)
SUBJECTS: dict[str, dict[str, tuple[str, ...]]] = {
    "ja": {
        "refund": ("返金依頼", "返金について", "返金の状況を教えてください"),
        "billing_dispute": ("請求金額の誤り", "二重請求について", "請求書の返金依頼"),
        "access": ("ログインできません", "認証コードが届かない"),
        "account_security": ("不審なログイン", "アカウントの乗っ取り"),
        "support": ("使い方の質問", "ストア設定について", "請求書のダウンロード"),
        "complaint": ("対応が遅い", "サービスへの苦情"),
        "seller_order": ("商品が届かない", "出品者と連絡が取れない"),
    },
    "id": {
        "refund": ("Permintaan pengembalian dana", "Pengembalian dana belum masuk", "Refund"),
        "billing_dispute": ("Tagihan ganda", "Tagihan tidak sesuai"),
        "access": ("Tidak bisa masuk", "Kode verifikasi tidak masuk"),
        "account_security": ("Login mencurigakan", "Akun diretas"),
        "support": ("Pertanyaan cara pakai", "Pengaturan toko", "Unduh faktur"),
        "complaint": ("Balasan lambat", "Keluhan layanan"),
        "seller_order": ("Barang belum sampai", "Penjual tidak merespons"),
    },
    "en": {
        "refund": ("Refund request", "Where is my refund?"),
        "billing_dispute": ("Charged twice", "Wrong invoice amount"),
        "access": ("Cannot log in", "No verification code"),
        "account_security": ("Suspicious login", "Account taken over"),
        "support": ("How do I edit my store", "Invoice download"),
        "complaint": ("Slow answers", "Complaint about the service"),
        "seller_order": ("Item not delivered", "Seller not answering"),
    },
}

# What COPY's text format must escape in a value.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


@dataclass(frozen=True)
class Text:
    """One pooled text: as stored, as COPY text, and its search terms (already COPY-safe)."""

    raw: str
    copy: str
    terms: str


def pooled(raw: str) -> Text:
    return Text(raw, raw.translate(COPY_ESCAPES), index_terms(raw))


@dataclass(frozen=True)
class Pools:
    """Subjects by (language, category); requester bodies by (language, category); agents'
    replies by language; internal notes."""

    subjects: dict[tuple[str, str], tuple[Text, ...]]
    requests: dict[tuple[str, str], tuple[Text, ...]]
    replies: dict[str, tuple[Text, ...]]
    notes: tuple[Text, ...]


def build_pools(categories: tuple[str, ...], variants: int = 40, seed: int = 12) -> Pools:
    rng = random.Random(seed)
    subjects, requests, replies = {}, {}, {}
    for language in LANGUAGES:
        replies[language] = tuple(pooled(reply_text(rng, language)) for _ in range(variants))
        for category in categories:
            topic = TOPICS[language].get(category, TOPICS[language]["support"])
            titles = SUBJECTS[language].get(category, SUBJECTS[language]["support"])
            subjects[language, category] = tuple(
                pooled(title if k < len(titles) else f"{rng.choice(titles)} {order(rng)}")
                for k, title in enumerate(titles * 3)
            )
            requests[language, category] = tuple(
                pooled(request_text(rng, language, topic)) for _ in range(variants)
            )
    return Pools(subjects, requests, replies, tuple(pooled(note) for note in NOTES))


def order(rng: random.Random) -> str:
    return f"INV-{rng.randint(100_000, 999_999)}"


def request_text(rng: random.Random, language: str, topic: tuple[str, ...]) -> str:
    """A requester's message: greeting, what is wrong, a detail or two, closing; some long
    (e-mail), some a line (WhatsApp)."""
    joiner = "" if language == "ja" else " "
    if rng.random() < 0.3:
        return rng.choice(topic)
    details = [
        d.format(number=order(rng)) for d in rng.sample(DETAILS[language], rng.randint(1, 3))
    ]
    lines = [rng.choice(GREETINGS[language]), joiner.join([rng.choice(topic), *details])]
    if rng.random() < 0.3:  # a quoted earlier message, as mail clients add
        lines.append("> " + rng.choice(topic))
    return "\n\n".join([*lines, rng.choice(CLOSINGS[language])])


def reply_text(rng: random.Random, language: str) -> str:
    joiner = "" if language == "ja" else " "
    said = rng.sample(REPLIES[language], rng.randint(1, 2))
    return "\n\n".join([joiner.join(said), rng.choice(CLOSINGS[language])])
