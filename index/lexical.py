"""Lexical tokenisation for BM25 (English stemming, CJK character bigrams).

The BM25 index itself is an SQLite FTS5 table inside the catalog, written in the same
transaction as the manifest, so the lexical index can never drift from it.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]+")

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves must may might shall also""".split()
)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def _cjk_grams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def lexical_tokens(text: str, keep_stopwords: bool = False) -> list[str]:
    """Lowercased, stemmed word tokens; CJK runs become overlapping character bigrams."""
    out: list[str] = []
    words: list[str] = []
    for m in _WORD.finditer(text.lower()):
        w = m.group()
        if _CJK.search(w):
            # A word may mix scripts ("ai模型"): split the CJK runs out of it.
            pos = 0
            for c in _CJK.finditer(w):
                if c.start() > pos:
                    words.append(w[pos : c.start()])
                out.extend(_cjk_grams(c.group()))
                pos = c.end()
            if pos < len(w):
                words.append(w[pos:])
        else:
            words.append(w)
    # A lone letter is the "s" of "Tesla's" or an initial: it matches everything.
    words = [w for w in words if len(w) > 1 or w.isdigit()]
    if not keep_stopwords:
        words = [w for w in words if w not in STOPWORDS]
    out.extend(_stemmer().stemWords(words))
    return out


def fts_query(query: str) -> str | None:
    """An FTS5 MATCH expression: any query token, quoted so none is read as syntax."""
    toks = sorted(set(lexical_tokens(query)))
    if not toks:
        return None
    return " OR ".join('"' + t.replace('"', "") + '"' for t in toks)
