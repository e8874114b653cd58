"""The Store seam: Chroma, embedded (PersistentClient) or a server (HttpClient).

Also how a store folder is opened: readers never write on open, and a store Chroma cannot open
for them (read-only, disk full) is searched through the catalog's own vectors.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import numpy as np

from index.catalog import CATALOG_FILE, Catalog
from index.disk import disk_full, disk_full_error
from index.errors import ConfigError, RagError, StoreError

if TYPE_CHECKING:
    from index.pipeline import IndexConfig

COLLECTION = "chunks"
# Chroma's HNSW search reads max(ef_search, n_results) candidates; at its default ef_search
# (100) the 30 nearest chunks retrieval fuses were not always the exact 30, and which one it
# missed changed from one process to the next on the same store (s32: three questions on the
# 555-chunk SQuAD store matched the exact numpy top 30 in 7 of 8 fresh processes). Asking for
# this many and keeping the best k matched it in every run measured (6 of 6). At 100k chunks
# (eval/bench_scale.py, README) ef_search 200 against 100 gave recall@30 0.85 against 0.81 for
# 1.3 against 1.1 ms a search.
SEARCH_DEPTH = 200
CHROMA_DIR = "chroma"


@dataclass(frozen=True)
class Hit:
    id: str
    score: float  # cosine similarity
    metadata: dict[str, Any]


class ChromaStore:
    """add / delete / query over one Chroma collection with cosine distance."""

    def __init__(self, path: Path | None = None, url: str | None = None):
        import chromadb
        from chromadb.config import Settings

        settings = Settings(anonymized_telemetry=False, allow_reset=True)
        try:
            if url:
                u = urlparse(url)
                if u.scheme not in ("http", "https") or not u.hostname:
                    raise ConfigError(f"--chroma-url {url!r} is not http://HOST:PORT")
                self.client = chromadb.HttpClient(
                    host=u.hostname,
                    port=u.port or (443 if u.scheme == "https" else 8000),
                    ssl=u.scheme == "https",
                    settings=settings,
                )
                self.client.heartbeat()
                self.where = url
            else:
                assert path is not None
                path.mkdir(parents=True, exist_ok=True)
                self.client = chromadb.PersistentClient(path=str(path), settings=settings)
                self.where = str(path)
        except ConfigError:
            raise
        except Exception as e:  # chroma raises many types; the user needs one message
            target = url or path
            raise StoreError(f"cannot open the Chroma store at {target}: {e}") from e
        self.collection = self._collection()

    def _collection(self):
        return self.client.get_or_create_collection(COLLECTION, metadata={"hnsw:space": "cosine"})

    def reset(self) -> None:
        try:
            self.client.delete_collection(COLLECTION)
        except Exception:  # absent already
            pass
        self.collection = self._collection()

    def add(
        self, ids: list[str], embeddings: np.ndarray, texts: list[str], metadatas: list[dict]
    ) -> None:
        if not ids:
            return
        step = 2000  # Chroma rejects very large batches
        for i in range(0, len(ids), step):
            self.collection.upsert(
                ids=ids[i : i + step],
                embeddings=embeddings[i : i + step],
                documents=texts[i : i + step],
                metadatas=metadatas[i : i + step],
            )

    def delete(self, ids: list[str]) -> None:
        step = 2000
        for i in range(0, len(ids), step):
            self.collection.delete(ids=ids[i : i + step])

    def query(self, embedding: np.ndarray, k: int, sources: list[str] | None = None) -> list[Hit]:
        """The k nearest chunks: ids and distances only. At 100k chunks, count() before each
        query cost 17 ms and metadatas 5 ms of a 2 ms search; the catalog holds the metadata
        and Chroma returns fewer than k when the collection is smaller."""
        where = {"source": {"$in": list(sources)}} if sources else None
        query = np.asarray(embedding, dtype=np.float32)
        deep = max(k, SEARCH_DEPTH)
        try:
            res = self.collection.query(
                query_embeddings=[query], n_results=deep, where=where, include=["distances"]
            )
        except Exception:  # an older Chroma server refuses k above the count
            n = self.count()
            if n == 0:
                return []
            res = self.collection.query(
                query_embeddings=[query], n_results=min(deep, n), where=where, include=["distances"]
            )
        hits = zip(res["ids"][0], res["distances"][0], strict=True)
        best = sorted(hits, key=lambda h: (h[1], h[0]))[:k]  # nearest first; ties by id
        return [Hit(id=i, score=1.0 - float(d), metadata={}) for i, d in best]

    def ids(self) -> set[str]:
        out: set[str] = set()
        offset, step = 0, 5000
        while True:
            got = self.collection.get(include=[], limit=step, offset=offset)["ids"]
            out.update(got)
            if len(got) < step:
                return out
            offset += step

    def count(self) -> int:
        return int(self.collection.count())


class CatalogVectors:
    """Dense search over the catalog's cached vectors, for a store Chroma cannot open.

    Embedded Chroma writes on open, so a read-only store (or one on a full disk) could not be
    queried at all. The catalog holds every chunk's vector, so the same cosine search runs
    here by brute force (fine at laptop scale: 100k chunks are 150 MB); writes are refused.
    """

    def __init__(self, catalog, reason: str):  # noqa: ANN001 - an index.catalog.Catalog
        self.where = f"the catalog's vectors ({reason})"
        self._catalog = catalog
        self._rows: tuple[list[str], list[dict], np.ndarray] | None = None

    def _load(self) -> tuple[list[str], list[dict], np.ndarray]:
        if self._rows is None:
            ids, metas, vecs = self._catalog.vector_rows()
            norms = np.linalg.norm(vecs, axis=1, keepdims=True) if len(ids) else 1.0
            self._rows = ids, metas, vecs / np.maximum(norms, 1e-12)
        return self._rows

    def query(self, embedding: np.ndarray, k: int, sources: list[str] | None = None) -> list[Hit]:
        ids, metas, vecs = self._load()
        if not ids:
            return []
        q = np.asarray(embedding, dtype=np.float32)
        scores = vecs @ (q / max(float(np.linalg.norm(q)), 1e-12))
        if sources:
            keep = set(sources)
            scores = np.where([m["source"] in keep for m in metas], scores, -np.inf)
        order = np.argsort(-scores, kind="stable")[:k]
        return [Hit(ids[i], float(scores[i]), dict(metas[i])) for i in order if scores[i] > -np.inf]

    def ids(self) -> set[str]:
        return set(self._load()[0])

    def count(self) -> int:
        return len(self._load()[0])

    def add(self, *args, **kwargs) -> None:
        raise StoreError(f"cannot write {self.where}")

    delete = reset = add


# ------------------------------------------------------------ opening a store (catalog + vectors)


def check_store_dir(store: Path, write: bool = False) -> None:
    """One line for a --store that cannot be a store (a file), or not written (read-only)."""
    if store.exists() and not store.is_dir():
        raise ConfigError(
            f"--store {store} is a file, not a store folder; pass a folder (rag index creates it)"
        )
    if write and store.exists() and not os.access(store, os.W_OK | os.X_OK):
        raise StoreError(
            f"the store {store} is read-only; `rag index` and `rag check` need write access "
            "to it (`rag ask` and `rag status` can still read it)"
        )


def open_store(cfg: IndexConfig, write: bool = False) -> tuple[Catalog, ChromaStore]:
    """The catalog and the vector store. Readers (`write=False`) never write on open: when
    embedded Chroma cannot be opened (a read-only store, a full disk), dense search falls back
    to the catalog's own vectors."""
    check_store_dir(cfg.store, write)
    catalog = Catalog(cfg.store / CATALOG_FILE)
    try:
        chroma = ChromaStore(
            path=None if cfg.chroma_url else cfg.store / CHROMA_DIR, url=cfg.chroma_url
        )
    except StoreError as e:
        full = disk_full(e, cfg.store)
        if not write and cfg.chroma_url is None and (catalog.readonly or full):
            return catalog, CatalogVectors(catalog, "disk full" if full else "read-only store")
        catalog.close()
        if full:
            raise disk_full_error(cfg.store) from None
        raise
    return catalog, chroma


def write_error(e: BaseException, store: Path) -> Exception:
    """A one-line RagError for a failed write to the store (disk full, read-only, gone)."""
    if disk_full(e, store):
        return disk_full_error(store)
    if isinstance(e, RagError):
        return e
    if isinstance(e, PermissionError) or "readonly" in str(e):
        return StoreError(f"cannot write the store {store}: permission denied (read-only?)")
    if isinstance(e, OSError):
        return StoreError(f"cannot write the store {store}: {e.strerror or e}")
    return StoreError(f"cannot write the catalog in {store}: {e}")
