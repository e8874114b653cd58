"""The span encoder's scores for the reader fit, kept on disk per adapter (eval/fit_reader.py)."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

from rag import reader as R
from rag.qa_encoder import ADAPTER_FILE


class CachedEncoder:
    """The span encoder, remembering each (question, sentence) pair: refits and the several
    passes of the fit ask for the same pairs. With `cache`, the pairs are kept on disk under
    the adapter's digest, so a refit with the same encoder reads nothing twice."""

    def __init__(self, cache: Path | None = None):
        self.encoder = R.default_encoder()
        self.memo: dict = {}
        self.file = None
        if cache is not None:
            digest = hashlib.sha256(ADAPTER_FILE.read_bytes()).hexdigest()[:12]
            self.file = cache / f"qa_scores-{digest}.pkl"
            if self.file.exists():
                self.memo = pickle.loads(self.file.read_bytes())

    def save(self) -> None:
        if self.file is not None:
            self.file.write_bytes(pickle.dumps(self.memo))

    def __call__(self, question: str, texts: list[str]) -> list:
        todo = [t for t in dict.fromkeys(texts) if (question, t) not in self.memo]
        if todo:
            for t, sc in zip(todo, self.encoder(question, todo), strict=True):
                self.memo[question, t] = sc
        return [self.memo[question, t] for t in texts]
