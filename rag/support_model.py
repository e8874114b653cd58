"""The fitted support scorer: P(passage supports claim) from the rule scorer plus what it misses.

`rag.support.support` is a set of hard rules over word overlap; it is kept unchanged (the reader
uses its scores as a feature). This module is a layer on top, fitted on labelled pairs by
`python -m eval.fit_support` (weights, split and held-out figures in rag/models/support.json):

- the rule scorer's lexical score, missing numbers/dates, missing names (not counting a name the
  passage has in another form: "Swedish"/"Sweden", "U.S."/"US", a capitalised sentence opener),
  negation, a number tied to other words, and other conflicts, each counted apart;
- where the claim's words sit: recall of its content words in the best single passage sentence
  and the best pair of adjacent sentences (a claim built from the question's words plus a name
  taken from another sentence is spread out), words found nowhere, capitalised ones apart;
- order: claim word pairs that occur reversed in the passage ("X succeeded Y" vs "Y succeeded
  X") and the discordance of matched words in the best-aligned window;
- meaning: the bundled MiniLM's cosine of the claim with the passage's sentence centroid and
  with its closest sentence.

A logistic model over these gives a probability; the verdict is probability >= the threshold
chosen by the fitting script on out-of-fold predictions. Deterministic for a given model file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from index.errors import ConfigError
from index.text import STOPWORDS, sentence_spans
from rag.claims import Doc, analyze
from rag.support import _FAILED_FACTOR, Support
from rag.support import support as rule_support

MODEL_PATH = Path(__file__).parent / "models" / "support.json"
# The cross-encoder's combination with the rules (eval/fit_support.py --encoder SCORES).
COMBINED_PATH = MODEL_PATH.with_name("support_encoder.json")
Embed = Callable[[list[str]], np.ndarray]

FEATURES = (
    "lexical",
    "miss_item",
    "miss_name",
    "conflict_neg",
    "conflict_bind",
    "conflict_other",
    "rec_all",
    "rec_sent",
    "rec_pair",
    "novel",
    "novel_cap",
    "rev_bigram",
    "disorder",
    "cos_passage",
    "cos_sent",
    "log_len",
)


@dataclass(frozen=True)
class SupportModel:
    version: str
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float

    def probability(self, x: Sequence[float]) -> float:
        z = self.intercept
        for v, m, s, w in zip(x, self.mean, self.scale, self.coef, strict=True):
            z += w * (v - m) / s
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH, expected: tuple[str, ...] = FEATURES) -> SupportModel:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        m = raw["model"]
        model = SupportModel(
            version=str(raw["version"]),
            features=tuple(m["features"]),
            mean=tuple(m["mean"]),
            scale=tuple(m["scale"]),
            coef=tuple(m["coef"]),
            intercept=float(m["intercept"]),
            threshold=float(raw["threshold"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ConfigError(
            f"support model {path} is unreadable ({e}); refit it with python -m eval.fit_support"
        ) from None
    if model.features != expected:
        raise ConfigError(
            f"support model {path} was fitted on other features; refit it with "
            "python -m eval.fit_support"
        )
    return model


@lru_cache(maxsize=1)
def default_embed() -> Embed:
    """The bundled MiniLM with a text -> vector cache (chunks recur across answer sentences)."""
    from index.embedders import EmbedderConfig, get_embedder
    from rag.vector_cache import VectorCache

    return VectorCache(get_embedder(EmbedderConfig(name="minilm")).embed, max_items=20_000)


# --- features --------------------------------------------------------------------------------


def _content(doc: Doc) -> list[int]:
    """Content positions of a text that are not numbers or dates (the rules judge those)."""
    return [i for i in range(len(doc.stems)) if not doc.is_item[i]]


def _is_cap(doc: Doc, i: int) -> bool:
    w = doc.words[doc.tok_word[i]]
    return w.raw[:1].isupper() and not doc.sentence_start[doc.tok_word[i]]


def _windows(p: Doc) -> tuple[list[set[str]], list[set[str]]]:
    sents: list[set[str]] = []
    for i, s in enumerate(p.stems):
        k = p.tok_sentence[i]
        while len(sents) <= k:
            sents.append(set())
        sents[k].add(s)
    sents = [s for s in sents if s] or [set()]
    pairs = [a | b for a, b in zip(sents, sents[1:], strict=False)] or sents
    return sents, pairs


def _recall(stems: list[str], window: set[str]) -> float:
    return sum(s in window for s in stems) / len(stems) if stems else 1.0


def _order(c: Doc, p: Doc, plain: list[int], best: set[str]) -> tuple[int, float]:
    """(claim bigrams found only reversed in the passage, discordance of matched words)."""
    seq = [c.stems[i] for i in plain]
    rev = 0
    for a, b in zip(seq, seq[1:], strict=False):
        if a != b and (b, a) in p.bigrams and (a, b) not in p.bigrams:
            rev += 1
    pos = [p.positions[s][0] for s in dict.fromkeys(seq) if s in best and s in p.positions]
    pairs = discord = 0
    for i in range(len(pos)):
        for j in range(i + 1, len(pos)):
            pairs += 1
            discord += pos[j] < pos[i]
    return min(rev, 3), discord / pairs if pairs else 0.0


def passage_sentences(passage: str) -> list[str]:
    """The sentences whose vectors are compared with the claim (at most 40: a long chunk)."""
    return [passage[a:b] for a, b in sentence_spans(passage)][:40] or [passage]


def _cosines(claim: str, passage: str, embed: Embed) -> tuple[float, float]:
    """(claim vs the passage's sentence centroid, claim vs its closest sentence): sentence
    vectors only, because the reader has already embedded the sentences of retrieved chunks."""
    vecs = embed([claim, *passage_sentences(passage)])
    centroid = vecs[1:].mean(0)
    norm = float(np.linalg.norm(centroid)) or 1.0
    return float(centroid @ vecs[0]) / norm, float((vecs[1:] @ vecs[0]).max())


def _name_found(name: str, p: Doc) -> bool:
    """A name the rules call missing that the passage still has in another form: a sentence
    opener ("Together"), a demonym or derived form ("Swedish"/"Sweden", "Victorian"), "US"."""
    for w in name.split():
        low = w.lower().replace(".", "")
        if low in STOPWORDS or low in _US and _US & set(p.word_stems.split()):
            continue
        if any(len(x) >= 4 and x[:4] == low[:4] for x in p.word_stems.split()):
            continue
        return False
    return True


_US = {"us", "u.s", "america", "american", "unit"}


def rule_features(claim: str, passage: str) -> tuple[list[float], Support]:
    """The rule scorer's signals (RULE_FEATURES order) and its verdict: lexical score before
    the failure penalty, missing numbers/dates, missing names, and conflicts by type."""
    rule = rule_support(claim, passage)
    p = analyze(passage)
    items = [m for m in rule.missing if any(ch.isdigit() for ch in m)]
    names = [m for m in rule.missing if m not in items and not _name_found(m, p)]
    negs = sum("negates" in x for x in rule.conflicts)
    binds = sum("belongs to" in x for x in rule.conflicts)
    failed = bool(rule.missing or rule.conflicts)
    x = [
        min(1.0, rule.score / _FAILED_FACTOR) if failed else rule.score,
        min(len(items), 3),
        min(len(names), 3),
        min(negs, 2),
        min(binds, 2),
        min(len(rule.conflicts) - negs - binds, 2),
    ]
    return x, rule


RULE_FEATURES = FEATURES[:6]


def features(claim: str, passage: str, embed: Embed | None = None) -> tuple[list[float], Support]:
    """The feature vector (in FEATURES order) and the rule scorer's verdict it includes."""
    head, rule = rule_features(claim, passage)
    c, p = analyze(claim), analyze(passage)
    plain = _content(c)
    stems = [c.stems[i] for i in plain]
    sents, pairs = _windows(p)
    everything = set(p.positions)
    rec_sent = max(_recall(stems, w) for w in sents)
    best = max(pairs, key=lambda w: _recall(stems, w))
    novel = [i for i in plain if c.stems[i] not in everything]
    caps = [i for i in novel if _is_cap(c, i) and not _name_found(c.words[c.tok_word[i]].raw, p)]
    rev, disorder = _order(c, p, plain, best)
    cos_p, cos_s = _cosines(claim, passage, embed or default_embed())
    x = [
        *head,
        _recall(stems, everything),
        rec_sent,
        _recall(stems, best),
        min(len(novel) - len(caps), 6),
        min(len(caps), 3),
        rev,
        disorder,
        cos_p,
        cos_s,
        math.log1p(len(plain)),
    ]
    return x, rule


def novel_words(claim: str, passage: str, limit: int = 4) -> list[str]:
    """Claim words found nowhere in the passage (for the reason shown to users)."""
    c, p = analyze(claim), analyze(passage)
    out = [c.words[c.tok_word[i]].raw for i in _content(c) if c.stems[i] not in p.positions]
    return list(dict.fromkeys(out))[:limit]


def score(
    claim: str, passage: str, embed: Embed | None = None, model: SupportModel | None = None
) -> Support:
    """Fitted verdict on one pair; `score` is P(supported), `missing`/`conflicts` as the rules
    found them (plus, when the model rejects an otherwise clean claim, its unmatched words)."""
    m = model or load_model()
    x, rule = features(claim, passage, embed)
    prob = m.probability(x)
    ok = prob >= m.threshold
    missing = rule.missing
    if not ok and not missing and not rule.conflicts:
        missing = tuple(novel_words(claim, passage))
    return Support(round(prob, 4), ok, missing, rule.conflicts)


ENCODER_FEATURES = ("encoder", *RULE_FEATURES)


def combined_score(claim: str, passage: str, model: SupportModel | None = None) -> Support:
    """The cross-encoder's logit (rag/support_encoder.py) with the rule scorer's hard signals,
    combined by the logistic layer in rag/models/support_encoder.json; fields as `score`."""
    from rag.support_encoder import logit

    m = model or load_model(COMBINED_PATH, ENCODER_FEATURES)
    x, rule = rule_features(claim, passage)
    prob = m.probability([logit(claim, passage), *x])
    ok = prob >= m.threshold
    missing = rule.missing
    if not ok and not missing and not rule.conflicts:
        missing = tuple(novel_words(claim, passage))
    return Support(round(prob, 4), ok, missing, rule.conflicts)
