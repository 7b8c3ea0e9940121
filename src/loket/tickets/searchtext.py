"""How ticket text is cut into search terms, the same way for what is indexed and for what an
agent types. Pure: no Django.

Japanese has no spaces between words, and the substring an agent looks for is often two
characters (返金 inside 返金依頼): a trigram index cannot find a two-character string. So runs of
Han, Hiragana and Katakana become overlapping bigrams (返金依頼 -> 返金 金依 依頼), as Lucene's
CJK analyzer does, and a query for 返金依頼 is the phrase "返金 金依 依頼". Other scripts
(Indonesian, English) are words, searched by prefix. Text is NFKC-normalised (full-width
letters and digits, half-width katakana) and case-folded first, so a full-width OTP finds otp.
"""

import re
import unicodedata

# Han (with the iteration mark), Hiragana, Katakana (with the prolonged sound mark).
CJK = r"\u3005\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
TOKEN = re.compile(rf"[{CJK}]+|[^\W_{CJK}]+")
CJK_RUN = re.compile(rf"^[{CJK}]+$")
# Enough of a long message to find it; the rest of a 1 MB paste adds nothing to a search.
MAX_INDEXED = 64 * 1024
MAX_QUERY_TERMS = 12


def normalised(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def index_terms(text: str) -> str:
    """The text as the index keeps it: words and CJK bigrams, separated by spaces."""
    terms: list[str] = []
    for token in TOKEN.findall(normalised(text[:MAX_INDEXED])):
        terms.extend(bigrams(token) if CJK_RUN.match(token) else [token])
    return " ".join(terms)


def query_groups(query: str) -> list[list[str]]:
    """What the agent typed, as groups that must all match: a word is one term (matched as a
    prefix), a CJK run the phrase of its bigrams (a single character, a prefix)."""
    groups = []
    for token in TOKEN.findall(normalised(query))[:MAX_QUERY_TERMS]:
        groups.append(bigrams(token) if CJK_RUN.match(token) else [token])
    return groups


def fts5_query(query: str) -> str:
    """SQLite FTS5 syntax: "返金 金依" AND "refund"*. Terms are word characters only, quoted."""
    parts = []
    for group in query_groups(query):
        phrase = " ".join(group)
        prefix = len(group) == 1 and (len(group[0]) == 1 or not CJK_RUN.match(group[0]))
        parts.append(f'"{phrase}"' + ("*" if prefix else ""))
    return " AND ".join(parts)


def tsquery(query: str) -> str:
    """PostgreSQL to_tsquery('simple', ...): 返金 <-> 金依 & refund:*."""
    parts = []
    for group in query_groups(query):
        quoted = [term.replace("'", "") for term in group]
        if len(group) == 1 and (len(group[0]) == 1 or not CJK_RUN.match(group[0])):
            parts.append(f"'{quoted[0]}':*")
        else:
            parts.append("(" + " <-> ".join(f"'{term}'" for term in quoted) + ")")
    return " & ".join(parts)
