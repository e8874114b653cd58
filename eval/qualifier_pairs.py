"""Traded-qualifier pairs derived from SQuAD 2.0 articles, to measure rag.roles.check_qualifiers
on text the rule was not written against (issue 9).

In a paragraph where one noun stands with two different one-word qualifiers in two different
sentences ("the northern shore" ... "the southern shore"), the clauses holding them are joined
("S1-clause, and S2-clause."): that claim is supported by the paragraph; the same claim with
the two qualifiers traded is not. Only a qualifier after a stopword (not "to" or a modal) and a
noun followed by punctuation or a stopword are taken: without a part-of-speech tagger that is
what keeps verb + object ("to build houses") and longer compounds ("comb plate cilia") out.

    python -m eval.qualifier_pairs [../shared/data/squad2-dev] [--baseline]

prints a few pairs, then swaps caught and supported kept with the rule off and on (--baseline
adds the rule's effect on the SQuAD-derived pairs of eval/support_pairs.py and on
../shared/eval/llm_answers_dev.jsonl).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from index.text import is_stopword, sentence_spans, stem
from rag.lexicon import FUNCTION_WORDS

# The word before the qualifier is a stopword, so the qualifier starts the phrase; "to" and the
# modals are left out: after them the pair is a verb and its object ("to build houses").
_NOT_BEFORE = {"to", "will", "would", "can", "could", "may", "might", "must", "shall", "should"}
_WORD = re.compile(r"[a-z][a-z-]*[a-z]")
_NOUN = re.compile(r"([a-z][a-z-]*[a-z])[,.;:)]*")
# Words that follow "the" without qualifying a kind ("the same city", "the other bank").
_NOT_QUALIFIERS = {
    "same", "other", "own", "only", "such", "many", "most", "more", "less", "few", "much",
    "very", "whole", "entire", "certain", "various", "following", "latter", "former", "last",
    "next", "previous", "above", "below", "total", "overall", "new",
}  # fmt: skip
# A clause ends at a semicolon or colon, or at a comma before one of these words.
_CLAUSE_END = re.compile(
    r"[;:]\s+|,\s+(?=(?:and|but|while|whereas|although|though|which|who|where|when|because|"
    r"so|yet|since|with)\b)"
)
_DEPENDENT = re.compile(r"^(?:which|who|whom|whose|where|when|with)\b")
_LEAD = re.compile(r"^(?:and|but|while|whereas|although|though|because|so|yet|since)\s+")
_MIN_WORDS = 5


def _qualifier(word: str) -> bool:
    w = word.lower()
    return not (is_stopword(w) or w in FUNCTION_WORDS or w in _NOT_QUALIFIERS or w.endswith("ly"))


def _clause(sent: str, at: int) -> tuple[int, int]:
    """[start, end) of the clause of `sent` holding offset `at`; a relative clause or a stub
    runs on from the clause before it, so the piece reads as a sentence."""
    cuts = [0] + [m.end() for m in _CLAUSE_END.finditer(sent)] + [len(sent)]
    k = max(i for i in range(len(cuts) - 1) if cuts[i] <= at)
    a, b = cuts[k], cuts[k + 1]
    while k > 0 and (_DEPENDENT.match(sent[a:]) or len(sent[a:b].split()) < _MIN_WORDS):
        k -= 1
        a = cuts[k]
    m = _LEAD.match(sent[a:])
    return (a + m.end() if m else a), b


def _article(det: str, qual: str) -> str:
    """The word before `qual` where `det` stood before another word: a/an agree, case kept."""
    if det.lower() not in {"a", "an"}:
        return det
    new = "an" if qual[0] in "aeiou" else "a"
    return new.capitalize() if det[0].isupper() else new


def _lower_first(text: str, para: str) -> str:
    """`text` opening a second clause: its first word lowercased unless the paragraph writes it
    capitalised inside a sentence (a name)."""
    first = text.split(" ", 1)[0]
    if first[:1].isupper() and not re.search(rf"\w[,;:]? {re.escape(first)}\b", para):
        return text[0].lower() + text[1:]
    return text


def _phrases(para: str) -> list[tuple[int, int, int, str, str, str]]:
    """(sentence, start, end, before-word, qualifier, noun) of every qualified noun, offsets
    into the sentence (start at the before-word, end after the noun)."""
    out = []
    for k, (a, b) in enumerate(sentence_spans(para)):
        toks = list(re.finditer(r"\S+", para[a:b]))
        for i in range(len(toks) - 2):
            det, qual, noun = (t.group() for t in toks[i : i + 3])
            m = _NOUN.fullmatch(noun)
            before = det.lower()
            if not is_stopword(before) or before in _NOT_BEFORE or not _WORD.fullmatch(qual):
                continue
            if not m:
                continue
            if len(qual) < 3 or not _qualifier(qual) or is_stopword(m.group(1)):
                continue
            if m.group(1).endswith("ly") or len(m.group(1)) < 3:
                continue
            if m.end(1) == len(noun) and i + 3 < len(toks):
                nxt = toks[i + 3].group()
                if _WORD.fullmatch(nxt.rstrip(",.;:)")) and not is_stopword(nxt.rstrip(",.;:)")):
                    continue  # "the comb plate cilia": the noun goes on
            start, end = toks[i].start(), toks[i + 2].start() + m.end(1)
            out.append((k, start, end, det, qual, m.group(1)))
    return out


def paragraph_pairs(para: str, doc: str = "") -> list[dict]:
    """One supported and one traded claim per noun qualified two ways in two sentences."""
    spans = sentence_spans(para)
    sents = [para[a:b] for a, b in spans]
    found = _phrases(para)
    out: list[dict] = []
    seen: set[str] = set()
    for i, (s1, a1, e1, d1, q1, n) in enumerate(found):
        for s2, a2, e2, d2, q2, n2 in found[i + 1 :]:
            key = f"{stem(n)} {min(stem(q1), stem(q2))} {max(stem(q1), stem(q2))}"
            if stem(n2) != stem(n) or s2 == s1 or key in seen or stem(q1) == stem(q2):
                continue
            # Each qualifier said only in its own sentence: traded, the claim is then false.
            w1, w2 = re.compile(rf"\b{q1}\b", re.I), re.compile(rf"\b{q2}\b", re.I)
            if w1.search(sents[s2]) or w2.search(sents[s1]):
                continue
            c1a, c1b = _clause(sents[s1], a1)
            c2a, c2b = _clause(sents[s2], a2)
            if not (c1a <= a1 and e1 <= c1b and c2a <= a2 and e2 <= c2b):
                continue
            t1, t2 = sents[s1], sents[s2]
            swap1 = t1[:a1] + f"{_article(d1, q2)} {q2} {n}" + t1[e1:]
            swap2 = t2[:a2] + f"{_article(d2, q1)} {q1} {n2}" + t2[e2:]
            shift1 = len(swap1) - len(t1)
            shift2 = len(swap2) - len(t2)

            def join(x: str, y: str) -> str:
                x = x.rstrip(" ,;:.")
                return f"{x[0].upper()}{x[1:]}, and {_lower_first(y.rstrip(' ,;:.'), para)}."

            good = join(t1[c1a:c1b], t2[c2a:c2b])
            bad = join(swap1[c1a : c1b + shift1], swap2[c2a : c2b + shift2])
            if any(x.count("(") != x.count(")") for x in (t1[c1a:c1b], t2[c2a:c2b])):
                continue  # a bracket cut in two reads as garbage
            seen.add(key)
            base = {"passage": para, "group": doc, "noun": n, "qualifiers": [q1, q2]}
            out.append(base | {"claim": good, "supported": True, "kind": "qualifier-kept"})
            out.append(base | {"claim": bad, "supported": False, "kind": "qualifier-traded"})
    return out


def article_paragraphs(path: Path) -> list[str]:
    """The blank-line paragraphs of one corpus article, its title line left out."""
    blocks = [b.strip() for b in path.read_text(encoding="utf-8").split("\n\n")]
    return [b for b in blocks[1:] if len(sentence_spans(b)) > 1]


def qualifier_pairs(data_dir: Path, articles: list[str] | None = None) -> list[dict]:
    """Derived pairs of every article of `data_dir`/corpus (or only those named)."""
    out: list[dict] = []
    for path in sorted((data_dir / "corpus").glob("*.txt")):
        if articles is None or path.name in articles:
            for para in article_paragraphs(path):
                out.extend(paragraph_pairs(para, path.name))
    return out


@contextmanager
def rule_off() -> Iterator[None]:
    """The support scorer without check_qualifiers (patched at its call site)."""
    with mock.patch("rag.support.check_qualifiers", lambda *a: None):
        yield


def verdicts(pairs: list[dict]) -> list[bool]:
    """The verdicts eval/grounding.py gives: the verifier's scorer at its default threshold."""
    from eval.grounding import _verdicts
    from rag.support import DEFAULT_THRESHOLD

    return _verdicts(pairs, DEFAULT_THRESHOLD)


def compare(pairs: list[dict]) -> dict:
    """Unsupported claims caught (the traded ones, for derived pairs) and supported claims
    kept, rule off and on."""
    with rule_off():
        off = verdicts(pairs)
    on = verdicts(pairs)
    good = [i for i, p in enumerate(pairs) if p["supported"]]
    bad = [i for i, p in enumerate(pairs) if not p["supported"]]
    return {
        "supported": len(good),
        "unsupported": len(bad),
        "unsupported caught off": sum(not off[i] for i in bad),
        "unsupported caught on": sum(not on[i] for i in bad),
        "supported kept off": sum(off[i] for i in good),
        "supported kept on": sum(on[i] for i in good),
    }


def _baseline(data_dir: Path) -> dict:
    from eval.grounding import load_pairs
    from eval.support_pairs import squad_pairs

    squad = squad_pairs(data_dir)
    dev = load_pairs(data_dir.parent.parent / "eval" / "llm_answers_dev.jsonl")
    return {"squad-derived": compare(squad), "llm_answers_dev": compare(dev)}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    data_dir = Path(next((a for a in args if not a.startswith("--")), "../shared/data/squad2-dev"))
    pairs = qualifier_pairs(data_dir)
    for p in pairs[:16:2] + pairs[1:16:2]:
        print(f"[{p['kind']}] {p['claim']}")
    print(compare(pairs))
    if "--baseline" in args:
        print(_baseline(data_dir))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
