"""A question's misspelt words, read as the retrieved passages spell them.

People mistype ("constuction", "pleurbrachia", "vBSN" for "vBNS"). A misspelt word is in no
retrieved passage, so the reader counts it as a question word the passages do not cover, and an
answerable question can abstain. A question word is read as a passage word when:

- no retrieved passage holds it; and
- a word of the passages has the same letters but for diacritics ("Lodz" for "Łódź", "cafe" for
  "café"); or it is no whole word of the bundled embedder's vocabulary (30,522 WordPiece
  entries), so a real word is never "corrected" into another ("present" stays, though the
  passage says "prevent"), and exactly one word of the passages is one edit away (a letter
  added, dropped or changed, or two neighbours swapped), both at least five letters long, or
  four for a swap ("vBSN"/"vBNS").

The corrected question is what the reader analyses; the user's own words stay everywhere else
(retrieval, the model's prompt, the messages).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from index.text import fold_diacritics as fold
from index.text import stem

_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|-(?=[^\W\d_]))*")
_MIN_LEN = 5
_MIN_SWAP_LEN = 4


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    """Whole words of the bundled MiniLM's WordPiece vocabulary (lowercase)."""
    from index.embedders import bundled_minilm_path

    try:
        lines = (bundled_minilm_path() / "vocab.txt").read_text(encoding="utf-8").splitlines()
    except OSError:  # no bundled model: every word counts as a possible misspelling
        return frozenset()
    return frozenset(w for w in lines if w.isalpha())


def one_edit(a: str, b: str) -> bool:
    """a and b differ by one added, dropped or changed letter, or two swapped neighbours."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i, j = (diff + [0, 0])[:2]
        return len(diff) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long = sorted((a, b), key=len)
    k = 0
    while k < len(short) and short[k] == long[k]:
        k += 1
    return short[k:] == long[k + 1 :]


def _swapped(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 2


def spelled_as_passages(question: str, passages: Sequence[str]) -> str:
    """The question with each misspelt word replaced by the passages' spelling (see above)."""
    vocab = _vocabulary()
    seen: dict[str, str] = {}  # folded spelling -> the passages' own
    exact: set[str] = set()
    for text in passages:
        for w in _WORD.findall(text):
            exact.add(w.lower())
            seen.setdefault(fold(w), w)
    out = question
    for word in dict.fromkeys(_WORD.findall(question)):
        low, key = word.lower(), fold(word)
        if low in exact:
            continue
        if key in seen:  # the same letters but for diacritics ("Wesola" for "Wesoła", "cafe")
            near = [key]
        elif low in vocab or _inflected(low, vocab) or len(low) < _MIN_SWAP_LEN:
            continue
        else:
            near = [k for k in seen if one_edit(key, k) and _long_enough(key, k)]
        if len(near) == 1 and stem(low) != stem(seen[near[0]].lower()):
            # (a word the stemmer already matches to the passage's needs no correcting: "parses")
            spelt = seen[near[0]]
            if word.islower() and spelt[:1].isupper() and spelt[1:].islower():
                spelt = spelt.lower()  # capitalised only because it opens a passage sentence
            out = re.sub(rf"(?<![\w-]){re.escape(word)}(?![\w-])", spelt, out)
    return out


# The vocabulary holds few inflected forms ("disable", not "disables"): a known word with an
# inflection is no misspelling, and the reader's stemmer already matches it to the passage's
# form. Without this, "disables" was read as the passage's "Disable".
_INFLECTIONS = ("s", "es", "ed", "d", "ing", "ly")


def _inflected(low: str, vocab: frozenset[str]) -> bool:
    """Is `low` a known word's inflection ("disables": the vocabulary has "disabled")?"""
    for suffix in _INFLECTIONS:
        stem = low.removesuffix(suffix)
        if stem == low or len(stem) < 3:
            continue
        bases = (stem, stem + "e", stem.removesuffix("e"))
        if any(b + end in vocab for b in bases for end in ("", *_INFLECTIONS)):
            return True
    return False


def is_common_word(word: str) -> bool:
    """A whole word of the bundled MiniLM's vocabulary, or an inflection of one: plain English
    ("worried", "wrapping"), not a term of art ("dataclass", "minimatch", "zstandard")."""
    low = word.lower()
    vocab = _vocabulary()
    return low in vocab or _inflected(low, vocab)


def _long_enough(a: str, b: str) -> bool:
    return min(len(a), len(b)) >= _MIN_LEN or _swapped(a, b)
