"""Sentence vectors by text, computed once: the reader and the paraphrase check embed the same
retrieved sentences question after question."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np


class VectorCache:
    """Sentence vectors by text, bounded (LRU): retrieved chunks recur across questions, and
    embedding their sentences is most of a warm extractive answer's time otherwise. Shared by
    the threads of `rag serve`: a vector is read once under the lock, so another thread evicting
    it meanwhile cannot fail this call; embedding runs outside the lock."""

    def __init__(self, embed: Callable[[list[str]], np.ndarray], max_items: int = 50_000):
        self.embed = embed
        self.max_items = max_items
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def vectors(self) -> dict[str, np.ndarray]:
        with self._lock:
            return dict(self._items)

    def add(self, vectors: dict[str, np.ndarray]) -> None:
        """Vectors computed elsewhere (stored at index time), trusted as this embedder's."""
        with self._lock:
            for t, v in vectors.items():
                if t not in self._items:
                    self._items[t] = v
            self._evict()

    def __call__(self, texts: list[str]) -> np.ndarray:
        wanted = list(dict.fromkeys(texts))
        with self._lock:
            have = {t: self._items[t] for t in wanted if t in self._items}
        todo = [t for t in wanted if t not in have]
        fresh = dict(zip(todo, self.embed(todo), strict=True)) if todo else {}
        with self._lock:
            self._items.update(fresh)
            for t in wanted:
                if t in self._items:
                    self._items.move_to_end(t)
            self._evict()
        vecs = have | fresh
        return np.stack([vecs[t] for t in texts]) if texts else np.zeros((0, 0), dtype=np.float32)

    def _evict(self) -> None:
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)
