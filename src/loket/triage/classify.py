"""What a message is about (POLICY.md S1, S2, S11): its category with a confidence and the
words that decided it, whether a buyer wrote it about a seller's order (then the seller, not
Catalo.id, handles the payment), and whether it asks for escalation. Pure: no Django.

The words are matched on a plain form of the message: lower case, full-width characters made
ASCII (NFKC), and Indonesian chat shorthand written out ("ga bisa" -> "tidak bisa", "udh" ->
"sudah", "sy" -> "saya"), so that one word list serves the way people really type."""

import re
import unicodedata
from dataclasses import dataclass

from loket.triage.evidence import ORDER as SELLER_ORDER_REFERENCE

# Indonesian (and a little English) chat shorthand, as typed on WhatsApp, and its plain word.
SHORTHAND = {
    **dict.fromkeys(("ga", "gak", "gk", "ngga", "nggak", "enggak", "engga", "tdk", "ndak", "kagak"), "tidak"),
    **dict.fromkeys(("udh", "udah", "sdh", "dah", "uda"), "sudah"),
    **dict.fromkeys(("blm", "blom", "belom"), "belum"),
    **dict.fromkeys(("sy", "aku", "ak", "gw", "gue", "gua", "ane"), "saya"),
    **dict.fromkeys(("bs", "bsa"), "bisa"),
    **dict.fromkeys(("gabisa", "gbs", "gakbisa", "gabsa"), "tidak bisa"),
    **dict.fromkeys(("msh", "masi"), "masih"),
    **dict.fromkeys(("tp", "tpi"), "tapi"),
    **dict.fromkeys(("gmn", "gimana", "gmna", "gmana"), "bagaimana"),
    **dict.fromkeys(("kalo", "klo", "kl"), "kalau"),
    **dict.fromkeys(("trs", "trus"), "terus"),
    **dict.fromkeys(("nyampe", "nyampai", "smpe", "sampe"), "sampai"),
    **dict.fromkeys(("balikin", "kembaliin"), "kembalikan"),
    **dict.fromkeys(("pesen",), "pesan"),
    **dict.fromkeys(("yg",), "yang"),
    **dict.fromkeys(("dgn", "dg"), "dengan"),
    **dict.fromkeys(("krn", "karna"), "karena"),
    **dict.fromkeys(("pake",), "pakai"),
    **dict.fromkeys(("skrg",), "sekarang"),
    **dict.fromkeys(("tgl",), "tanggal"),
    **dict.fromkeys(("brg",), "barang"),
    **dict.fromkeys(("dtg", "dateng"), "datang"),
    **dict.fromkeys(("duit",), "uang"),
    **dict.fromkeys(("tlg", "tolongin"), "tolong"),
    **dict.fromkeys(("knp", "napa"), "kenapa"),
    **dict.fromkeys(("bgt",), "banget"),
    **dict.fromkeys(("utk",), "untuk"),
    **dict.fromkeys(("cant", "cannot"), "can't"),
    **dict.fromkeys(("dont",), "don't"),
    **dict.fromkeys(("pls", "plz"), "please"),
    **dict.fromkeys(("acct",), "account"),
}  # fmt: skip
# Chat Indonesian writes a repeated word with a 2 ("dikirim2", "kebuka2" for "dikirim-kirim"):
# the plain word carries the meaning.
REDUPLICATION = re.compile(r"(?<![\w-])([a-z]{3,})2(?![\w-])")
# A dot inside a word ("catalo.id", "rp 1.188.000") does not end a sentence, and the word
# lists read a dot as the end of one: it becomes a one-dot leader, which looks the same in
# the reasons shown to agents.
IN_WORD_DOT = re.compile(r"(?<=\w)\.(?=\w)")
SHORTHAND_WORD = re.compile(
    r"(?<![\w-])(?:" + "|".join(sorted(SHORTHAND, key=len, reverse=True)) + r")(?![\w'-])"
)

# Words that point at each category, in en, id and ja, with a weight; matched on the plain form.
SIGNALS: dict[str, tuple[tuple[str, float], ...]] = {
    "billing_dispute": (
        (
            r"charged twice|double[- ]?charged?|duplicate (?:charge|invoice|payment)|charged (?:me )?(?:two|2|3|three) times|charged 2x|\b(?:two|2|3|three) charges|two invoices|dua tagihan|double (?:billing|invoice)",
            3,
        ),
        (
            r"wrong (?:amount|charge|price)|overcharged?|charged (?:more|too much|full price|the (?:old|full|wrong))|incorrect (?:charge|amount)|got charged rp|charged rp|full price|(?:old|previous) (?:price|amount|rate)",
            2.5,
        ),
        (r"chargeback|charge ?back|sengketa|dispute|チャージバック|異議申し立て", 3),
        (
            r"ditagih (?:dua|2|tiga|3) ?(?:kali|x)|tagihan (?:ganda|dobel|double)|(?:terpotong|kepotong|terdebit|ke-?charge|kena charge) (?:dua|2|tiga|3) ?(?:kali|x)|kepotong (?:dua|2)|dua tagihan|tagihan (?:auto-?debit )?dua kali",
            3,
        ),
        (
            r"tagihan salah|salah tagih|kelebihan (?:tagih|bayar)|tidak diterapkan|tidak (?:kepake|terpakai)|dihitung (?:dua kali|salah)|harusnya (?:rp|cuma)|harga lama|harga penuh|(?:promo|diskon|voucher|kupon)[^.?!]{0,30}tidak (?:masuk|berlaku|dipakai|terpakai)",
            2.5,
        ),
        (
            r"二重(?:請求|引き落とし|決済|課金)?|(?:2|二|3|三)回(?:引かれ|請求|課金|引き落とされ)|(?:2|3)件あり|請求が(?:二|2)回|誤請求|(?:金額|請求額)が(?:違|間違|おかしい|高い|多)|高い金額|多く請求|適用されて(?:いない|いません)|二回計上|二重計上|旧(?:プランの)?(?:料金|金額|価格)|も引き落とされ|も請求され|換算",
            3,
        ),
        (
            r"unrecognized charge|unknown charge|身に覚えのない請求|tidak (?:kenal|dikenal) (?:tagihan|transaksi)",
            2,
        ),
        # Still billed after cancelling, downgrading or during a trial, or for the same period.
        (
            r"(?:still|masih|また|今月も)\s*(?:charged|ditagih|請求され|課金され)|charged (?:during|in) (?:the |my )?(?:free )?trial|masa trial|無料期間中|trial.{0,20}(?:charged|di-?charge|ditagih)|cancel+ed.{0,30}(?:still|but).{0,10}charged|解約したのに.{0,10}請求|berhenti.{0,30}(?:masih|tetap) ditagih"
            r"|(?:downgrad|ダウングレード|turun (?:ke )?paket)[^.。]{0,60}(?:charg|amount|price|tagih|harga|請求|金額|料金)"
            r"|same (?:period|month)|(?:periode|bulan) yang sama|同じ(?:期間|月)|(?:also|juga) (?:charged|ditagih|terpotong)",
            3,
        ),
        (r"\bvat\b|\bppn\b|消費税|pajak|exchange rate|\bkurs\b", 1),
        # The same charge counted twice, whatever the verb or the thing counted.
        (
            r"(?:charged|billed|debited|invoiced|applied|counted|added|deducted|taken) (?:me )?(?:twice|two times|double)"
            r"|tagihan(?: \w+){1,3} (?:ganda|dobel|double)|(?:請求|課金|引き落とし)[^。]{0,8}(?:二|2)件|(?:二|2)件(?:計上|請求)|同一の(?:ご)?請求",
            3,
        ),
        # The amount differs from what it should have been.
        (
            r"(?:amount|charge|price|total|invoice)[^.]{0,20}\b(?:is|was|looks) (?:wrong|incorrect|too high)|instead of (?:the )?(?:rp|\$|usd|idr|¥)"
            r"|(?:invoice|bill|statement|charge)[^.]{0,20}(?:shows|says)[^.]{0,12}\d[^.]{0,30}\bbut\b"
            r"|(?:seharusnya|harusnya)[^.]{0,30}(?:tapi|namun|malah)|はずが[^。]{0,25}(?:請求|引き落と|課金)|(?:上位|別の|高い)プランの(?:金額|料金)",
            2.5,
        ),
        # Billed although the subscription was ended ("解約したはずなのに", "berhenti langganan
        # ... tetap ada auto-debit", "charged me after I cancelled").
        (
            r"(?:charg|bill|debit)\w*[^.]{0,20}after (?:i |we )?(?:cancel|unsubscrib|stopp|end)|(?:charged|billed|debited) (?:me |us )?again"
            r"|(?:cancel+(?:ed)?|stopped|ended)\b[^.]{0,40}\b(?:charged|billed|debited|invoiced)"
            r"|(?:berhenti|batal|membatalkan|stop)[^.]{0,40}(?:masih|tetap)[^.]{0,20}(?:ditagih|auto-?debit|terpotong|dipotong|tagihan|didebet)"
            r"|(?:解約|退会|キャンセル)[^。]{0,20}のに[^。]{0,40}(?:請求|課金|引き落と)|(?:また|今月も|再び)[^。]{0,12}(?:請求|課金|引き落と)され",
            3,
        ),
        # A charge for a service the writer never signed up to, or does not recognise.
        (
            r"(?:charge|transaction|payment|debit)[^.]{0,60}(?:never|didn't|did not) (?:authori[sz]e|recogni[sz]e|sign up|subscribe)"
            r"|never (?:subscribed|signed up)|tidak pernah (?:berlangganan|mendaftar|daftar|subscribe)"
            r"|(?:tagihan|transaksi|potongan|charge)[^.]{0,40}tidak (?:saya )?(?:kenal|kenali)"
            r"|覚えのない[^。]{0,15}(?:請求|課金|引き落とし|決済)|(?:契約|登録|申し込)(?:んだ|した)覚えが(?:ない|ありません)",
            3,
        ),
        (
            r"(?:please )?correct (?:it|the (?:invoice|charge|amount))|betulkan tagihan|請求[^。]{0,6}訂正",
            1.5,
        ),
    ),
    "refund": (
        (
            r"refund|money back|reimburse|uang(?:nya)? (?:di)?kembali(?:kan)?|pengembalian dana|kembalikan (?:uang|dana)|minta (?:uang(?:nya)? )?kembali|prorat",
            2,
        ),
        (r"返金|払い戻し|返して(?:ほしい|ください)", 2.5),
        (
            r"(?:get|have|want) (?:my|the|our) [\w ]{0,20}(?:fee|money|payment|charge)s? back|(?:biaya|uang)[\w ]{0,20} kembali",
            2.5,
        ),
        (
            r"(?:subscription|langganan|plan|paket|プラン|サブスク).{0,60}(?:refund|返金|kembali)|(?:refund|返金).{0,40}(?:subscription|langganan|plan|paket|プラン|months|bulan)",
            1.5,
        ),
    ),
    "access": (
        (
            r"not (?:yet )?activ|still (?:inactive|pending|locked|unpaid|says unpaid|shows (?:the )?(?:trial|free|unpaid|expired))|(?:store|account|toko|plan|paket) (?:is )?(?:still )?(?:not|in)active|nothing (?:has been|was) activated|features? (?:are |is )?still locked|still (?:shows|says) (?:unpaid|pending|expired)",
            3,
        ),
        (
            r"(?:paid|payment (?:went through|succeeded)|renew(?:ed|al)|upgraded?)\b.{0,60}(?:but|still|yet)|after (?:paying|payment|renewing)",
            2,
        ),
        (
            r"belum (?:aktif|berubah|diproses)|tidak aktif|nonaktif|tidak berubah|masih (?:pending|menunggu|terkunci|nonaktif|expired|kedaluwarsa|kadaluarsa|belum)|akses ditolak|tidak bisa dibuka|(?:mode|status) (?:kedaluwarsa|kadaluarsa|expired)|(?:akses|fitur)[^.]{0,40}hilang",
            3,
        ),
        (
            r"sudah (?:bayar|transfer|upgrade|perpanjang)|setelah (?:bayar|pembayaran|perpanjang)|(?:pembayaran|bayar)[^.]{0,30}(?:berhasil|sukses)",
            1.5,
        ),
        (
            r"can't (?:access|reach|open)|unable to access|tidak bisa (?:akses|mengakses|buka|membuka)|(?<!\d)403(?!\d)|forbidden|blank (?:white )?page|white page|store not found|region block|is gone",
            2.5,
        ),
        (
            r"有効(?:化)?(?:され|に(?:なっ|なら|なり))(?:て)?(?:い|おり)?(?:ない|ません)|有効化[^。]{0,20}(?:終わ|完了し|進ま)(?:らない|りません|ない|ません)|反映され(?:ない|ていません)|支払(?:い|った|いも済んだ)のに|(?:支払|入金|決済)[^。]{0,6}(?:完了|済)[^。]{0,6}のに|入金済み|振り込み?ました|払ったのに|停止中|非公開|ロックされたまま|支払い待ち|使え(?:ない|ません)|アクセスでき(?:ない|ません|なく)|開け(?:ない|ません)|表示され(?:ない|ません)|真っ白|ストアが見つかりません|(?:プラン|ストア|アカウント)[^。]{0,10}期限切れ",
            3,
        ),
        # The page does not open or load, in any wording ("ga kebuka2", "won't load",
        # "接続できません", a spinner that never stops).
        (
            r"(?:tidak|belum) (?:ke|ter)buka|tidak bisa (?:diakses|dibuka|dimuat)|loading terus|tidak (?:mau )?loading"
            r"|spinning|spinner|loading (?:forever|screen)|keeps loading|(?:won't|doesn't|does not|will not) (?:load|open)|not loading"
            r"|入れ(?:ない|ません)|接続でき(?:ない|ません)|つながら(?:ない|ません)|読み込(?:めない|めません|まない|みません|みが終わら)|ぐるぐる",
            2.5,
        ),
        # The page still shows the plan as ended or unpaid after a payment or renewal.
        (
            r"(?:store|account|plan|dashboard|subscription|status)[^.]{0,40}(?:shows|says|showing|displays|reads) ['\"]?(?:unpaid|pending|expired|inactive|payment required)"
            r"|(?:menampilkan|muncul|tertulis|bilang|statusnya?)[^.]{0,20}(?:berakhir|expired|nonaktif|belum (?:bayar|dibayar|lunas)|kedaluwarsa|kadaluarsa|inactive)"
            r"|(?:支払|入金|決済|振込|振り込)[^。]{0,25}(?:完了|済)[^。]{0,12}(?:が|のに)|(?:お支払いが必要|未払い|期限切れ)(?:です)?」?と表示",
            2.5,
        ),
        (
            r"sudah di(?:perpanjang|bayar|upgrade)|(?:sudah )?(?:sukses|berhasil|lunas) (?:tapi|namun)|activation|aktivasi|有効化|アクティベーション",
            1.5,
        ),
    ),
    "account_security": (
        (
            r"hack|compromis|suspicious|unauthori[sz]ed|someone (?:else )?(?:logged|is logged|changed|has|got into|accessed)|unknown device|new (?:device|browser)|phishing|without my (?:consent|knowledge)|recover (?:the|my) account|account (?:was )?locked|locked out|former (?:employee|staff)|ex-?(?:employee|staff)|tamper|claiming to be|pretending to be|is (?:this|it) legit|unfamiliar (?:login|sign)|login (?:alert|notification) from",
            3,
        ),
        (
            r"can't (?:log ?in|sign ?in)|unable to (?:log ?in|sign ?in)|2fa|two[- ]factor|sms verification|verification (?:code|messages?)|sign-?in attempts|payout bank account|sign in with (?:google|apple|facebook)|account not found|reset (?:my )?password|password reset",
            2.5,
        ),
        (r"password|reset link|\botp\b", 1.5),
        (
            r"dibajak|diretas|dibobol|kena hack|mencurigakan|tidak (?:saya )?kenal|tanpa (?:sepengetahuan|izin)|pemulihan akun|mantan (?:karyawan|staf|admin|pegawai)|akun (?:saya )?terkunci|sms verifikasi|kode verifikasi|tidak bisa (?:login|masuk|log in)|lupa (?:password|kata sandi|sandi)|masuk ke akun saya|mengaku (?:dari|sebagai)|atur ulang (?:kata )?sandi|reset (?:kata )?sandi|akun tidak ditemukan",
            3,
        ),
        (
            r"乗っ取|不正(?:ログイン|アクセス)|不審|ログインでき(?:ない|ません)|サインインでき|ロックされ(?!たまま)|二段階認証|2段階認証|フィッシング|なりすまし|を名乗る|別の人のアカウント|退職した(?:スタッフ|社員|従業員)|元(?:従業員|社員|スタッフ)|(?:身|見)に?覚えのない(?:ログイン|アクセス)|見覚えのない|海外からの(?:ログイン|アクセス)|知らない(?:場所|端末|デバイス)から|誰か(?:が|に)[^。]{0,15}(?:ログイン|入って|アクセス|変更)|パスワード(?:の)?再設定|パスワード|認証コード|smsが届",
            2.5,
        ),
        # A change to the account nobody on it made: a login from an unknown place, a payout
        # account, key or user that appeared ("I never created", "tidak pernah mengubahnya").
        (
            r"(?:i|we) never (?:created|added|made|changed|set up|requested)|tidak pernah (?:mengubah|membuat|menambah|mengganti)|(?:作成|変更|追加|設定)した覚え"
            r"|rekening (?:pencairan|penarikan)|payout (?:account|details|bank)|振込先(?:口座)?が|出金先"
            r"|(?:notifikasi|notif|pemberitahuan|peringatan|email) (?:login|masuk)|ログイン(?:通知|履歴)|(?:login|sign-?in) (?:alert|notification|attempt)"
            r"|覚えのない[^。]{0,10}(?:ip|ログイン|アクセス|端末|デバイス|操作)|api key",
            3,
        ),
        (
            r"authenticator|autentikator|認証アプリ|lost my phone|(?:hp|ponsel) (?:saya )?hilang|スマホを(?:なくし|紛失)",
            2.5,
        ),
    ),
    "seller_order": (
        (
            r"(?:item|order|package|parcel|barang|paket|pesanan|商品|注文)[^.\n。]{0,40}(?:not|never|belum|tidak|まだ)[^.\n。]{0,20}(?:arriv|receiv|sampai|datang|dikirim|sent|shipped|diproses|届|発送)",
            3,
        ),
        (
            r"wrong (?:item|size|color|colour)|damaged|broken|missing from my order|item(?:s)? missing|not as described|barang (?:rusak|salah|cacat|kurang)|salah (?:kirim|ukuran|pilih|alamat)|beda (?:sama|dengan)|item kurang|kurang satu|tidak sesuai (?:foto|gambar|deskripsi|pesanan)|berjamur|retur|tukar|diganti|写真と[^。]{0,6}違|サイズ交換|交換",
            2.5,
        ),
        (
            r"(?:i|we) (?:ordered|bought|purchased|paid (?:via|for (?:my|the|an?) (?:order|item)|the (?:order|item|seller|store)))|i placed|i'?m a buyer|saya (?:sudah )?(?:beli|pesan|order|belanja)|saya pembeli|order (?:di|baju)|sudah order|transfer ke rekening|checkout di toko|(?:at|during) checkout (?:on|at)|paid twice|never (?:got|received) (?:it|them|my)",
            3,
        ),
        (
            r"the (?:seller|shop|store) (?:never|stopped|won't|doesn't|sent|is|says|said)|penjual(?:nya)?|seller(?:nya)?|dari toko|ke tokonya|tokonya|from (?:the|a) (?:shop|store|seller)|oleh (?:toko|penjual)|by the (?:shop|store|seller)|toko itu|toko (?:tidak|belum) (?:mengembalikan|kirim|mengirim|membalas)|this (?:shop|store)",
            2,
        ),
        (
            r"届かない|届きません|届いていない|届いた商品|入っていません|注文しちゃった|注文をキャンセル|キャンセルしたい|発送され|注文しました|購入した|ショップ(?:さん)?(?:から|で)|このショップ|お店から|販売者|出品者|ストアからは|商品代金|注文確認",
            2.5,
        ),
        (r"\bresi\b|tracking|kurir|ongkir|\bcod\b|配送|発送", 1),
    ),
    "complaint": (
        (
            r"complain|complaint|unacceptable|terrible|worst|useless|no human|very disappointed|formal|compensation|investigate|take it down|unprofessional|without (?:any )?(?:notice|warning)|nobody (?:has )?(?:explained|replied|answered|responded)|no one (?:has )?(?:explained|replied|answered|responded)|proper explanation|i expect",
            2.5,
        ),
        (
            r"keluhan|komplain|kecewa|pelayanan(?:nya)? (?:buruk|jelek)|bagaimana sih pelayanan|lama banget|tidak profesional|ditindak|\blapor(?!an)|melaporkan|korban|tanpa pemberitahuan|tidak ada (?:penjelasan|yang membalas|respon)",
            2.5,
        ),
        (
            r"苦情|クレーム|抗議|誠意|ありえない|たらい回し|対応が(?:悪|ひど|遅)|不誠実|納得でき(?:ません|ない)|重大な問題|通報|予告なく|無断で|説明(?:が|も)(?:ない|ありません)|被害",
            2.5,
        ),
        (
            r"(?:storefront|store|shop|toko|ストア|ショップ)[^.。]{0,40}(?:phishing|scam|fraud|penipu|詐欺|フィッシング)|\b(?:scam\w*|fraud\w*|fake|counterfeit|penipu\w*|ketipu|(?:di)?tipu|palsu|fiktif|kabur)\b|詐欺|騙|だまされ|お金だけ取|偽(?:物|ブランド|の)?"
            r"|(?:store|shop|seller|toko|penjual|店主|ストア|ショップ|販売者|出品者)[^\n]{0,80}(?:phishing|フィッシング)",
            3.5,
        ),
        # How Catalo.id's staff treated the writer, and a service that cost them.
        (
            r"\brude|disrespectful|exhausting|insult|hung up|\bkasar|tidak sopan|失礼|無礼|横柄|不愉快|不快|不親切|いい加減|切られ"
            r"|pelayanan macam apa|macam apa ini|\b(?:cs|support|admin|agent)(?:nya)? (?:cuma|hanya|just|only) (?:bilang|jawab|said|told)|マニュアルを読んで|一言だけ"
            r"|losing (?:sales|money|customers|orders)|lost (?:sales|money|customers)|not the service|\brugi\b|kerugian|損失|損害|再発防止|(?:説明|補償)を求め"
            r"|penjelasan resmi|minta (?:penjelasan|kompensasi|ganti rugi)|ganti rugi",
            2.5,
        ),
        # Waiting on Catalo.id, changes without warning, mail that does not stop, being misled.
        (
            r"(?:waited|waiting) [\w ]{1,15} (?:days|weeks|hours)|still no (?:reply|answer|response)|no (?:reply|response) (?:for|after|yet)|how this was handled"
            r"|(?:返事|返信|回答)が(?:ない|ありません|来ない)|一切(?:返事|返信|連絡)|(?:返信|返事|回答)が遅|belum (?:ada )?(?:balasan|respon|jawaban)|tidak (?:ada )?(?:balasan|dibalas)"
            r"|tanpa (?:pengumuman|informasi|kabar)|事前(?:の)?(?:告知|通知|連絡|案内)(?:も)?なく|without (?:any )?announcement"
            r"|(?:marketing|promo(?:tional)?|sales|newsletter) (?:emails?|messages)|営業メール|メルマガ|広告メール|email (?:promosi|marketing)|配信停止"
            r"|(?:emails?|newsletter)[^.]{0,40}unsubscrib|unsubscrib[^.]{0,40}(?:emails?|newsletter)"
            r"|dibohongi|\bbohong|misleading|menyesatkan|deceiv|just venting|ご意見として",
            2.5,
        ),
    ),
    "support": (
        (
            r"how (?:do|can|to)|is it possible|can i|bagaimana (?:cara)?|caranya|apakah bisa|bisakah|boleh",
            1.5,
        ),
        (r"どうすれば|方法を教え|できますか|可能ですか|教えてください|使い方|どこで確認", 1.5),
        (
            r"domain|template|\btema\b|theme|produk|product|upload|integrat|\bapi\b|pembeli saya|my (?:customer|buyer)|お客(?:様|さん)",
            0.8,
        ),
        # A merchant asking how to handle its own buyers' payments and refunds.
        (
            r"(?:issue|process|proses|give|kasih)\b.{0,20}refund|refund.{0,15}(?:to|ke) (?:a |the )?(?:buyer|pembeli|customer)"
            r"|返金処理|返金を求められ|(?:pembeli|pelanggan|buyer|customer|お客さん|購入者)[^.。]{0,40}(?:bilang|says|said|言って|求めて|minta|meminta|asked|requested|filed|opened|wants|mengajukan|申請)",
            3.5,
        ),
    ),
}
COMPILED = {
    category: tuple((re.compile(pattern), weight) for pattern, weight in signals)
    for category, signals in SIGNALS.items()
}
# Who is writing (S2): a buyer of a seller's store, or a merchant about its own store and its
# Catalo.id subscription. Each side's words add up; the stronger side wins.
BUYER_WORDS = (
    (
        r"(?:i|we) (?:ordered|bought|purchased|placed)|my (?:order|package|parcel|item)s?\b|i'?m a buyer|as a (?:buyer|customer)|refunded me|(?:i|we) paid twice|the same order|(?:at|during) checkout (?:on|at)|from a (?:shop|store|seller)|(?:paid|pay) (?:for|via)? ?(?:my|the|an?) (?:order|item|product)|(?:for|on) (?:one|an?|my) order (?:at|from|on)",
        2,
    ),
    (
        r"saya (?:sudah |telah )?(?:beli|pesan|order|belanja|checkout|melakukan pembayaran)|saya pembeli|pembeli di|pesanan ?(?:saya|ku)\b"
        r"|(?:transfer|bayar|membayar)[^.]{0,30}(?:buat|untuk) pesanan|pembayaran pesanan|paket saya(?! (?:basic|pro|business|bisnis))|barang yang saya|sudah order|checkout di toko|transfer ke rekening|oleh (?:toko|penjual)",
        2,
    ),
    (r"uang saya|dana (?:saya )?belum dikembalikan", 1),
    (
        r"the (?:seller|shop|store) (?:never|stopped|won't|doesn't|sent|is|says|said|refund)|this (?:shop|store)|penjual(?:nya)?\b(?! saya)|tokonya|toko (?:itu|ini|tersebut)|toko (?:tidak|belum) (?:mengembalikan|kirim|mengirim|membalas)",
        2,
    ),
    (
        r"(?:mem)?batalkan pesanan|salah pilih|bisa tukar|wrong size sent|items? missing|yang datang|package (?:arrived|came)|paket sudah (?:diterima|sampai)|not as described",
        1.5,
    ),
    (
        r"注文をキャンセル|ショップ(?:から|側)|このショップ|お店(?:から|に|が)|(?:ショップ|ストア|お店|販売者|出品者)(?:さん)?(?:から|で)(?:買|購入|注文)|購入した|注文した|注文しちゃった|注文しました|届いた商品|商品(?:代金|が届)|ストアからは|買った|購入者です"
        r"|買い物をした|(?:ショップ|ストア|お店)(?:さん)?(?:[(][^)]{0,60}[)])?\s*(?:から|で|にて)(?:買|購入|注文)|にて注文|(?:注文|購入)(?:し|いたし)(?:た|ました)|代金を(?:支)?払",
        2,
    ),
)
MERCHANT_WORDS = (
    # A merchant talking about its own store's orders is never a buyer.
    (
        r"my (?:store|shop|customer|buyer)s?|our (?:store|shop|customers|business)|(?:a|the) buyer on my|my customers'|to a buyer|toko ?(?:saya|ku|aku)\b"
        r"|(?:as|sebagai) (?:the |a )?(?:seller|penjual|merchant)|出店者|販売者として|pembeli (?:saya|di toko saya)|pelanggan saya|customer saya|usaha saya|di sistem|うちの(?:ストア|店|お客)|当店|弊社|私のストア|お客(?:様|さん)(?:から|の注文|が)|購入者様|こっちの管理画面|ストア側",
        10,
    ),
    (r"subscription|langganan|サブスク", 3),
    # A named Catalo.id plan is what was bought ("the Pro upgrade I bought", "paket Business
    # yg baru sy beli"), and exporting or importing orders is the store's own work.
    (
        r"\b(?:basic|pro|business|bisnis) (?:plan|paket|upgrade)|(?:plan|paket) (?:saya )?(?:basic|pro|business|bisnis)\b"
        r"|\bexport|\bekspor|\bimport|\bcsv\b|\bbulk\b|エクスポート|一括",
        4,
    ),
    (
        r"\b(?:basic|pro|business|bisnis) (?:plan|paket)|(?:plan|paket) (?:saya )?(?:basic|pro|business|bisnis)|(?:paid|bayar|upgrade[d]? to|downgrade[d]? to|pay) (?:for )?(?:the )?(?:basic|pro|business|annual|monthly|yearly)\b|annual plan|\btrial\b|renewal|perpanjangan|prorat|remaining months|closing the business|プラン|年払い|月額|自動更新|更新料",
        2,
    ),
    (r"\binv-\d|invoice|dashboard|請求書|管理画面|ダッシュボード", 2),
)
# Someone who has not bought yet ("thinking of buying", "購入の流れを知りたい") asks a general
# question: there is no order for a seller to handle.
PROSPECTIVE_BUYER = re.compile(
    r"thinking of (?:buying|ordering)|(?:plan|want|going) to (?:buy|order)|before (?:i )?(?:buy|order)|can i buy|if something goes wrong"
    r"|(?:mau|ingin|berencana|sebelum) (?:beli|membeli|pesan|order)|kalau (?:nanti )?ada masalah"
    r"|買うことはできますか|購入(?:の流れ|前|を検討|しようと)|注文する前"
)
BUYER_SIDE = tuple((re.compile(pattern), weight) for pattern, weight in BUYER_WORDS)
MERCHANT_SIDE = tuple((re.compile(pattern), weight) for pattern, weight in MERCHANT_WORDS)
NO_REFUND = re.compile(
    r"(?:don't|do not|no) need (?:a )?refund|not (?:asking|looking) for a refund|tidak minta refund|返金は(?:不要|いりません)"
)
# A merchant passing on what its own buyer complained about is not complaining itself.
RELAYED_COMPLAINT = re.compile(
    r"((?:pembeli|pelanggan|customer|buyer)s?(?: saya| kami| di toko saya)?) (?:komplain|complain(?:ed|s)?|mengeluh)"
    r"|(お客(?:様|さん)(?:から|が)[^。]{0,10})(?:クレーム|苦情)"
)
FRAUD = 3.5
ESCALATION = re.compile(
    r"escalat|supervisor|manager|someone (?:more )?senior|higher (?:level|up)"
    r"|eskalasi|dieskalasi|atasan|manajer|pihak yang lebih tinggi"
    r"|エスカレーション|上長|上司|責任者|上の方"
)
# Declining an escalation names what is declined: the escalation or the person it would reach.
NO_ESCALATION = re.compile(
    r"(?:no need|not (?:asking|requesting|looking)|(?:don't|do not) (?:need|want))(?: to| for)? (?:an? |the |your )?"
    r"(?:escalat|manager|supervisor|someone (?:more )?senior)|don't escalat"
    r"|(?:tidak|tak|nggak) (?:perlu|usah|minta) (?:di|ke )?(?:eskalasi|atasan|manajer)|jangan (?:di)?eskalasi|tanpa eskalasi"
    r"|(?:上司|責任者|上長)(?:の方)?(?:に|へ)?(?:は)?(?:不要|いりません|伝えなくて)"
    r"|エスカレーション(?:は|の必要は)?(?:不要|ありません|いりません|しなくて|しないで)"
    r"|上の方(?:に|へ)?(?:は)?(?:伝えなくて|不要)"
)
# The writer's own boss ("my manager asked me", "atasan saya minta", "上司に相談して") is
# someone the writer answers to, not someone the writer asks Catalo.id to bring in.
OWN_BOSS_BEFORE = re.compile(r"(?:\bmy|\bour|私の|うちの|弊社の)\s*$")
OWN_BOSS_AFTER = re.compile(
    r"^(?:\s*(?:saya|kami|asked|wants|told|said|minta|bilang|menyuruh|suruh)\b|(?:に|と)相談|が(?:言|確認|気に))"
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
    plain = plain_form(text)
    # "My buyer complains the parcel is late" is the merchant asking for help, not a complaint.
    scores, reasons = score(RELAYED_COMPLAINT.sub(relayed, plain), categories)
    storefront = storefront_in(text)
    # A store's address and a store's order reference each point at a store order.
    store_named = (storefront is not None) + (SELLER_ORDER_REFERENCE.search(text) is not None)
    buyer = is_buyer(plain, scores, store_named=store_named)
    if NO_REFUND.search(plain):
        scores["refund"] = 0.0
    if buyer:
        # A buyer's refund, chargeback or double payment is the seller's to handle (S2, S12);
        # only fraud or abuse by the store stays with Catalo.id, as a complaint.
        scores["seller_order"] += 3
        reasons["seller_order"].append("a buyer writing about a store order")
        for merchant_category in ("refund", "billing_dispute", "access", "support"):
            scores[merchant_category] *= 0.3
        if scores["complaint"] >= FRAUD:
            scores["complaint"] += scores["seller_order"]
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
        escalation_request=asks_for_escalation(plain),
        storefront=storefront,
    )


def plain_form(text: str) -> str:
    """Lower case, NFKC, and shorthand written out: the form every word list is written for."""
    lowered = unicodedata.normalize("NFKC", text).lower().replace("\u2019", "'")
    lowered = REDUPLICATION.sub(r"\1", IN_WORD_DOT.sub("\u2024", lowered))
    return SHORTHAND_WORD.sub(lambda match: SHORTHAND[match.group(0)], lowered)


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


def relayed(match: re.Match[str]) -> str:
    return f"{match.group(1)} says" if match.group(1) else f"{match.group(2)}連絡"


def is_buyer(text: str, scores: dict[str, float], *, store_named: int) -> bool:
    """Writes about an order placed on a seller's store, and not about their own store or
    subscription. A store's address or order reference, or trouble with goods, tips the
    balance when neither side says who it is."""
    buyer = sum(weight for pattern, weight in BUYER_SIDE if pattern.search(text))
    merchant = sum(weight for pattern, weight in MERCHANT_SIDE if pattern.search(text))
    order_trouble = sum(bool(pattern.search(text)) for pattern, _ in COMPILED["seller_order"][:5])
    buyer += order_trouble + store_named
    return buyer >= 2 and buyer > merchant and not PROSPECTIVE_BUYER.search(text)


def asks_for_escalation(text: str) -> bool:
    if NO_ESCALATION.search(text):
        return False
    for match in ESCALATION.finditer(text):
        before, after = text[max(0, match.start() - 8) : match.start()], text[match.end() :]
        if not (OWN_BOSS_BEFORE.search(before) or OWN_BOSS_AFTER.match(after[:16])):
            return True
    return False


def storefront_in(text: str) -> str | None:
    for match in STOREFRONT.finditer(text):
        slug = (match.group(1) or match.group(2)).lower()
        if slug not in NOT_STOREFRONTS:
            return slug
    return None
