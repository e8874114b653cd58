"""The Store seam: Chroma, embedded (PersistentClient) or a server (HttpClient)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from index.errors import ConfigError, StoreError

COLLECTION = "chunks"


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
        where = None
        if sources:
            where = {"source": {"$in": list(sources)}}
        n = self.count()
        if n == 0:
            return []
        res = self.collection.query(
            query_embeddings=[np.asarray(embedding, dtype=np.float32)],
            n_results=min(k, n),
            where=where,
            include=["metadatas", "distances"],
        )
        return [
            Hit(id=i, score=1.0 - float(d), metadata=dict(m or {}))
            for i, d, m in zip(res["ids"][0], res["distances"][0], res["metadatas"][0], strict=True)
        ]

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
