"""Read access to a store: dense and lexical search, chunks and document texts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index import unit_vectors
from index.catalog import Catalog, StoredChunk
from index.embedders import Embedder, embedder_name, get_embedder
from index.errors import RagError
from index.pipeline import CATALOG_FILE, IndexConfig, check_embedder, open_store
from index.types import WordBox


@dataclass(frozen=True)
class ScoredId:
    id: str
    score: float


class IndexReader:
    def __init__(self, cfg: IndexConfig):
        if not (cfg.store / CATALOG_FILE).exists():
            raise RagError(
                f"no index at {cfg.store}: run `rag index PATH --store {cfg.store}` first "
                "(or set RAG_STORE)"
            )
        self.cfg = cfg
        self.catalog: Catalog
        self.catalog, self.chroma = open_store(cfg)
        check_embedder(self.catalog, embedder_name(cfg.embedder), cfg.store)
        self._embedder: Embedder | None = None

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = get_embedder(self.cfg.embedder)
        return self._embedder

    def close(self) -> None:
        self.catalog.close()

    def embed_query(self, text: str) -> np.ndarray:
        return self.embedder.embed([text])[0]

    def dense(
        self, query_vec: np.ndarray, k: int, sources: list[str] | None = None
    ) -> list[ScoredId]:
        return [ScoredId(h.id, h.score) for h in self.chroma.query(query_vec, k, sources)]

    def lexical(self, query: str, k: int, sources: list[str] | None = None) -> list[ScoredId]:
        return [ScoredId(i, s) for i, s in self.catalog.lexical_search(query, k, sources)]

    def unit_vectors(self, sources) -> dict[str, np.ndarray]:
        """Stored sentence vectors of retrieved chunks, by sentence text (index/unit_vectors.py)."""
        return unit_vectors.lookup(self.catalog, sources)

    def chunks(self, ids: list[str]) -> dict[str, StoredChunk]:
        return self.catalog.chunks_by_id(ids)

    def doc_text(self, source: str) -> str | None:
        return self.catalog.doc_text(source)

    def page_at(self, source: str, offset: int) -> int | None:
        """The page holding `offset` of `source`'s cleaned text; None when the store has no
        page spans for it (not a paged format, or indexed before spans were kept)."""
        return self.catalog.page_at(source, offset)

    def code_in(self, source: str, start: int, end: int) -> list[tuple[int, int]]:
        """The code blocks of `source` overlapping [start, end) of its cleaned text (none for a
        store indexed before they were kept)."""
        return self.catalog.code_in(source, start, end)

    def page_words(self, source: str, page: int) -> tuple[WordBox, ...]:
        """Page `page`'s stored OCR word boxes (empty for a text page or an older store)."""
        return self.catalog.page_words(source, page)

    def sources(self) -> list[str]:
        return sorted(self.catalog.files())

    def is_empty(self) -> bool:
        return self.catalog.count_chunks() == 0
