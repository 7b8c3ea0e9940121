"""A first guess at the language a message is written in, for mail that does not say.
Pure: no Django. Triage (issue 9) will refine this; the acknowledgement needs an answer now."""

import re

KANA_OR_KANJI = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\u4e00-\u9fff]")
WORD = re.compile(r"[a-z]+")


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The commonest function words of each language.
INDONESIAN = word_set(
    "yang dan di ke dari untuk dengan tidak saya kami anda ini itu ada bisa sudah belum mohon "
    "terima kasih tolong tagihan pesanan akun bagaimana apakah karena sampai juga atau pada "
    "bulan sama harus"
)
ENGLISH = word_set(
    "the and to of for with not my i we you this that is are was can have has please thank "
    "thanks account order invoice how why because until also or on month same must"
)


def guess_language(text: str, default: str) -> str:
    """ja when there is Japanese script; id or en by their commonest words; else `default`."""
    if KANA_OR_KANJI.search(text):
        return "ja"
    words = WORD.findall(text.lower()[:5000])
    indonesian = sum(word in INDONESIAN for word in words)
    english = sum(word in ENGLISH for word in words)
    if indonesian > english:
        return "id"
    if english > indonesian:
        return "en"
    return default
