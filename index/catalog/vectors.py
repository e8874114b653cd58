"""The vector part of the catalog: the cache of chunk vectors keyed by chunk-text hash (so
renamed files and unchanged chunks are never re-embedded) and the optional unit vectors."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

import numpy as np

from index.catalog.manifest import StoredChunk


class Vectors:
    """Cached vectors: a part of the Catalog (index/catalog/__init__.py)."""

    db: sqlite3.Connection  # and chunks_by_id, from the Manifest part

    def cached_vectors(self, hashes: list[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(hashes), 500):
            part = hashes[i : i + 500]
            marks = ",".join("?" * len(part))
            q = f"SELECT text_hash, vec FROM vectors WHERE text_hash IN ({marks})"
            for h, blob in self.db.execute(q, part):
                out[h] = np.frombuffer(blob, dtype=np.float32)
        return out

    def drop_unused_vectors(self) -> None:
        self.db.execute("DELETE FROM vectors WHERE text_hash NOT IN (SELECT text_hash FROM chunks)")
        self.db.execute(
            "DELETE FROM unit_vectors WHERE text_hash NOT IN (SELECT text_hash FROM chunks)"
        )

    def chunks_without_unit_vectors(self, limit: int) -> list[tuple[str, str]]:
        """Up to `limit` (text hash, text) of distinct chunk texts without unit vectors."""
        q = (
            "SELECT c.text_hash, min(c.text) FROM chunks c LEFT JOIN unit_vectors u"
            " ON u.text_hash = c.text_hash WHERE u.text_hash IS NULL GROUP BY c.text_hash LIMIT ?"
        )
        return [(h, t) for h, t in self.db.execute(q, (limit,))]

    def drop_unit_vectors(self) -> None:
        self.db.execute("DELETE FROM unit_vectors")

    def put_unit_vectors(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        """(chunk-text hash, units x dim matrix) pairs; call inside a transaction."""
        self.db.executemany(
            "INSERT OR REPLACE INTO unit_vectors VALUES (?, ?)",
            ((h, np.asarray(m, dtype=np.float16).tobytes()) for h, m in items),
        )

    def unit_vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Chunk id -> its stored unit vectors (float16, flat: the caller knows the units);
        chunks without them are absent, as is everything on a store written before them."""
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            q = (
                "SELECT c.id, u.vecs FROM chunks c JOIN unit_vectors u ON u.text_hash = c.text_hash"
                f" WHERE c.id IN ({','.join('?' * len(part))})"
            )
            try:
                rows = self.db.execute(q, part).fetchall()
            except sqlite3.OperationalError:  # a read-only store older than the table
                return {}
            out.update((cid, np.frombuffer(blob, dtype=np.float16)) for cid, blob in rows)
        return out

    def vector_rows(self) -> tuple[list[str], list[dict], np.ndarray]:
        """Every chunk's id, Chroma-style metadata and cached vector (read-only stores)."""
        rows = self.db.execute(
            'SELECT c.id, c.source, c.title, c.doc_title, c.start, c."end", c.page, v.vec '
            "FROM chunks c JOIN vectors v ON v.text_hash = c.text_hash ORDER BY c.rowid"
        ).fetchall()
        keys = ("source", "title", "doc_title", "start", "end", "page")
        metas = [{k: x for k, x in zip(keys, r[1:7], strict=True) if x is not None} for r in rows]
        vecs = [np.frombuffer(r[7], dtype=np.float32) for r in rows]
        return [r[0] for r in rows], metas, np.stack(vecs) if vecs else np.zeros((0, 1), "f4")

    def chunks_with_vectors(self, ids: list[str]) -> list[tuple[StoredChunk, np.ndarray]]:
        found = self.chunks_by_id(ids)
        rows = (
            self.db.execute(
                f"SELECT id, text_hash FROM chunks WHERE id IN ({','.join('?' * len(ids))})", ids
            ).fetchall()
            if ids
            else []
        )
        vecs = self.cached_vectors([h for _, h in rows])
        return [(found[i], vecs[h]) for i, h in rows if h in vecs]
