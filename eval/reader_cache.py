"""The span encoder's scores for the reader fit, kept on disk per adapter (eval/fit_reader.py)."""

from __future__ import annotations

import hashlib
import pickle
from collections import defaultdict
from pathlib import Path

from rag import reader as R
from rag.qa_encoder import ADAPTER_FILE, SpanEncoder


class CachedEncoder:
    """The span encoder, remembering each (question, sentence) pair: refits and the several
    passes of the fit ask for the same pairs. With `cache`, the pairs are kept on disk under
    the adapter's digest, so a refit with the same encoder reads nothing twice."""

    def __init__(self, cache: Path | None = None, adapter: Path = ADAPTER_FILE):
        self.adapter = adapter
        self._encoder = None
        self.memo: dict = {}
        self.file = None
        if cache is not None:
            digest = hashlib.sha256(adapter.read_bytes()).hexdigest()[:12]
            self.file = cache / f"qa_scores-{digest}.pkl"
            if self.file.exists():
                self.memo = pickle.loads(self.file.read_bytes())

    def save(self) -> None:
        if self.file is not None:
            self.file.write_bytes(pickle.dumps(self.memo))

    @property
    def encoder(self):
        # Loaded on first miss: a refit whose pairs are all on disk never builds the session.
        if self._encoder is None:
            self._encoder = (
                R.default_encoder() if self.adapter == ADAPTER_FILE else SpanEncoder(self.adapter)
            )
        return self._encoder

    def __call__(self, question: str, texts: list[str]) -> list:
        todo = [t for t in dict.fromkeys(texts) if (question, t) not in self.memo]
        if todo:
            for t, sc in zip(todo, self.encoder(question, todo), strict=True):
                self.memo[question, t] = sc
        return [self.memo[question, t] for t in texts]


class CrossFitEncoder:
    """Out-of-fold encoder scores for the reader fit (stacking without leakage).

    An encoder fine-tuned on an article reads that article's questions over-confidently; an
    answerability model fitted on those scores trusts the encoder too much and its threshold,
    chosen on the same articles, does not hold on new ones (measured: eval/fit_qa.py's notes).
    So a question of training part k is read by `parts[k]`, the encoder fitted without part k
    (`eval.fit_qa --without-part k/N`), and every other question (held-out articles, and the
    read path itself) by `full`."""

    def __init__(self, full: CachedEncoder, parts: list[CachedEncoder], part_of: dict[str, int]):
        self.full, self.parts, self.part_of = full, parts, part_of

    def __call__(self, question: str, texts: list[str]) -> list:
        k = self.part_of.get(question)
        return (self.full if k is None else self.parts[k])(question, texts)

    def save(self) -> None:
        for e in (self.full, *self.parts):
            e.save()


def part_of(train_articles: list[str], spec: str) -> list[str]:
    """Part K of N ("K/N") of the training articles: every Nth in sorted order from K."""
    try:
        k, n = (int(v) for v in spec.split("/"))
    except ValueError:
        k, n = -1, 0
    if not 0 <= k < n:
        raise SystemExit(f"bad part {spec!r}: write K/N with 0 <= K < N, e.g. 0/2")
    return [a for i, a in enumerate(sorted(train_articles)) if i % n == k]


def fit_encoder(cache: Path, adapter: Path, cross_fit: str, rows, train_art, article_of):
    """The span encoder's scores as the fit sees them: one encoder, or out of fold."""
    full = CachedEncoder(cache, adapter)
    if not cross_fit:
        return full
    paths = [Path(p) for p in cross_fit.split(",")]
    n = len(paths)
    part = {a: k for k in range(n) for a in part_of(train_art, f"{k}/{n}")}
    # A question text asked in two parts (or also held out) is read by the full encoder.
    seen: dict[str, set] = defaultdict(set)
    for r in rows:
        seen[r["question"]].add(part.get(article_of(r)))
    by_question = {q: next(iter(ks)) for q, ks in seen.items() if len(ks) == 1 and None not in ks}
    return CrossFitEncoder(full, [CachedEncoder(cache, p) for p in paths], by_question)
