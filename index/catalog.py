"""The catalog: one SQLite file beside the vector store.

It holds the manifest (files and chunks with content hashes), the BM25 index (FTS5), a cache
of vectors keyed by chunk-text hash (so renamed files and unchanged chunks are never
re-embedded), and each document's cleaned text (for exact highlighting). Each file's change
is one transaction across all four, so the catalog is always self-consistent; the vector
store is reconciled against it at the start of every run.
"""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import numpy as np

from index import lexical
from index.disk import disk_full, disk_full_error
from index.errors import StoreError
from index.lexical import LEXICAL_VERSION, lexical_tokens
from index.types import Chunk, Page, WordBox

CATALOG_FILE = "catalog.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    source TEXT PRIMARY KEY, content_hash TEXT NOT NULL, size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL, title TEXT NOT NULL, n_chunks INTEGER NOT NULL,
    text BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS files_hash ON files(content_hash);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, source TEXT NOT NULL,
    text_hash TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    title TEXT NOT NULL, doc_title TEXT NOT NULL, page INTEGER, text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_source ON chunks(source);
CREATE INDEX IF NOT EXISTS chunks_hash ON chunks(text_hash);
CREATE TABLE IF NOT EXISTS vectors (text_hash TEXT PRIMARY KEY, vec BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS unit_vectors (text_hash TEXT PRIMARY KEY, vecs BLOB NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS lex USING fts5(tokens, tokenize='unicode61 remove_diacritics 0');
CREATE TABLE IF NOT EXISTS pages (
    source TEXT NOT NULL, number INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    words TEXT, PRIMARY KEY (source, number)
);
"""
# `unit_vectors` (opt-in, `rag index --sentence-vectors`): for a chunk text, the vectors of its
# reading units (index/units.py) in order, float16, row after row: the extractive reader's
# question-time embedding moved to index time. Keyed like `vectors`, pruned with them.
# `pages` came later: opening an older store for writing adds it empty, and a file without page
# rows cites its chunk's first page until re-indexed (read-only, the table may lack: _has_pages).
# `words`: the OCR word boxes, compact JSON [[text, start, end, x0, y0, x1, y1], ...] (fractions
# rounded to 1/10,000 of the page: under a pixel at any render size).


def catalog_error(path: Path, e: sqlite3.Error) -> StoreError:
    """One line for a catalog that cannot be opened, naming the file and the fix."""
    text = str(e)
    if disk_full(e, path):
        return disk_full_error(path)
    if path.exists() and not os.access(path, os.R_OK):
        return StoreError(f"cannot read {path}: permission denied; make it readable (chmod +r)")
    if isinstance(e, sqlite3.DatabaseError) and "not a database" in text or "malformed" in text:
        return StoreError(
            f"{path} is not a readable catalog ({text}); move it away and re-index with "
            f"`rag index PATH --store {path.parent} --rebuild`"
        )
    if "readonly" in text or "read-only" in text:
        return StoreError(f"the store {path.parent} is read-only; rag index needs write access")
    return StoreError(f"cannot open the catalog {path} ({text})")


@dataclass(frozen=True)
class FileRecord:
    source: str
    content_hash: str
    size: int
    mtime_ns: int
    title: str
    n_chunks: int


@dataclass(frozen=True)
class StoredChunk:
    id: str
    source: str
    title: str
    doc_title: str
    start: int
    end: int
    page: int | None
    text: str


class Catalog:
    def __init__(self, path: Path):
        self.path = path
        self._pages_table: bool | None = None
        # A store the user cannot write (a read-only mount, a shared folder) is still
        # queryable: it is opened without a single write (no schema, no journal-mode change).
        self.readonly = path.exists() and not (
            os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
        )
        try:
            self.db = self._connect()
            if self.readonly:
                self.get_meta("lexical_version")  # fails here, not later, on a damaged file
            else:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
                self.db.executescript(SCHEMA)
                if self.get_meta("lexical_version") != LEXICAL_VERSION:
                    self._retokenise()
        except sqlite3.Error as e:
            if getattr(self, "db", None) is not None:
                self.db.close()
            if self.readonly or not path.exists() or not disk_full(e, path):
                raise catalog_error(path, e) from None
            # A full disk: SQLite cannot even create its -wal/-shm files. Still readable as is
            # (a writer fails at its first write and says so).
            self.readonly = True
            try:
                self.db = self._connect()
                self.get_meta("lexical_version")
            except sqlite3.Error as e2:
                raise catalog_error(path, e2) from None

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: we open transactions explicitly, one per file.
        kw = {"isolation_level": None, "check_same_thread": False}
        if not self.readonly:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return sqlite3.connect(str(self.path), **kw)
        uri = "file:" + quote(str(self.path.resolve()))
        db = sqlite3.connect(uri + "?mode=ro", uri=True, **kw)
        try:
            db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
            return db
        except sqlite3.OperationalError:
            # A WAL database cannot be read with mode=ro when its -shm file cannot be created
            # (the folder is read-only). Nobody can be writing such a store: read it as is.
            db.close()
            return sqlite3.connect(uri + "?immutable=1", uri=True, **kw)

    def _retokenise(self) -> None:
        """Rebuild the BM25 index with today's tokens: a store written by an older version
        (another stemmer) would otherwise stop matching the queries tokenised today."""
        with self.transaction():
            self.db.execute("DELETE FROM lex")
            rows = self.db.execute("SELECT rowid, text FROM chunks").fetchall()
            self.db.executemany(
                "INSERT INTO lex (rowid, tokens) VALUES (?, ?)",
                ((rowid, " ".join(lexical_tokens(text))) for rowid, text in rows),
            )
            self.set_meta("lexical_version", LEXICAL_VERSION)

    def close(self) -> None:
        self.db.close()

    # -- meta -----------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def clear(self) -> None:
        with self.transaction():
            for table in ("meta", "files", "chunks", "vectors", "lex", "pages"):
                self.db.execute(f"DELETE FROM {table}")
            self.set_meta("lexical_version", LEXICAL_VERSION)

    def transaction(self):
        return _Txn(self.db)

    # -- manifest -------------------------------------------------------------------------
    def files(self) -> dict[str, FileRecord]:
        rows = self.db.execute(
            "SELECT source, content_hash, size, mtime_ns, title, n_chunks FROM files"
        )
        return {r[0]: FileRecord(*r) for r in rows}

    def chunk_ids(self, source: str | None = None) -> set[str]:
        if source is None:
            return {r[0] for r in self.db.execute("SELECT id FROM chunks")}
        return {r[0] for r in self.db.execute("SELECT id FROM chunks WHERE source=?", (source,))}

    def sources_of(self, ids: Iterable[str]) -> set[str]:
        out: set[str] = set()
        ids = list(ids)
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            q = f"SELECT DISTINCT source FROM chunks WHERE id IN ({','.join('?' * len(part))})"
            out.update(r[0] for r in self.db.execute(q, part))
        return out

    def doc_text(self, source: str) -> str | None:
        row = self.db.execute("SELECT text FROM files WHERE source=?", (source,)).fetchone()
        return zlib.decompress(row[0]).decode("utf-8") if row else None

    def count_chunks(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM chunks").fetchone()[0])

    # -- vectors cache --------------------------------------------------------------------
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

    # -- writes (call inside a transaction) -----------------------------------------------
    def remove_file(self, source: str) -> None:
        self.db.execute(
            "DELETE FROM lex WHERE rowid IN (SELECT rowid FROM chunks WHERE source=?)", (source,)
        )
        self.db.execute("DELETE FROM chunks WHERE source=?", (source,))
        self.db.execute("DELETE FROM files WHERE source=?", (source,))
        self.db.execute("DELETE FROM pages WHERE source=?", (source,))

    def put_file(
        self,
        rec: FileRecord,
        text: str,
        chunks: list[Chunk],
        ids: list[str],
        hashes: list[str],
        vectors: np.ndarray,
        doc_title: str,
        pages: Iterable[Page] = (),
    ) -> None:
        self.remove_file(rec.source)
        self.db.executemany(
            'INSERT INTO pages (source, number, start, "end", words) VALUES (?, ?, ?, ?, ?)',
            ((rec.source, p.number, p.start, p.end, _words_json(p.words)) for p in pages),
        )
        self.db.execute(
            "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                rec.source,
                rec.content_hash,
                rec.size,
                rec.mtime_ns,
                rec.title,
                rec.n_chunks,
                zlib.compress(text.encode("utf-8"), 3),
            ),
        )
        for c, cid, h, v in zip(chunks, ids, hashes, vectors, strict=True):
            cur = self.db.execute(
                'INSERT INTO chunks (id, source, text_hash, start, "end", title, doc_title, page,'
                " text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (cid, c.source, h, c.start, c.end, c.title, doc_title, c.page, c.text),
            )
            self.db.execute(
                "INSERT INTO lex (rowid, tokens) VALUES (?, ?)",
                (cur.lastrowid, " ".join(lexical_tokens(c.text))),
            )
            self.db.execute(
                "INSERT OR IGNORE INTO vectors VALUES (?, ?)",
                (h, np.asarray(v, dtype=np.float32).tobytes()),
            )

    # -- reads ------------------------------------------------------------------------------
    def _has_pages(self) -> bool:
        """Whether the store has the pages table (a read-only store written before it may not)."""
        if self._pages_table is None:
            q = "SELECT 1 FROM sqlite_master WHERE type='table' AND name='pages'"
            self._pages_table = self.db.execute(q).fetchone() is not None
        return self._pages_table

    def page_at(self, source: str, offset: int) -> int | None:
        """The page of `source` holding character `offset` of its cleaned text (an offset between
        two pages' spans belongs to the page before); None when no stored page starts by it."""
        q = "SELECT number FROM pages WHERE source=? AND start<=? ORDER BY start DESC, number DESC"
        row = self.db.execute(q, (source, offset)).fetchone() if self._has_pages() else None
        return row[0] if row else None

    def page_words(self, source: str, number: int) -> tuple[WordBox, ...]:
        """Page `number`'s OCR word boxes; () for a text page or a store without them."""
        if not self._has_pages():
            return ()
        row = self.db.execute(
            "SELECT words FROM pages WHERE source=? AND number=?", (source, number)
        ).fetchone()
        if not row or not row[0]:
            return ()
        return tuple(WordBox(*w) for w in json.loads(row[0]))

    def chunks_by_id(self, ids: list[str]) -> dict[str, StoredChunk]:
        out: dict[str, StoredChunk] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            q = (
                'SELECT id, source, title, doc_title, start, "end", page, text FROM chunks '
                f"WHERE id IN ({','.join('?' * len(part))})"
            )
            for r in self.db.execute(q, part):
                out[r[0]] = StoredChunk(*r)
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

    def lexical_search(
        self, query: str, k: int, sources: list[str] | None = None, exhaustive: bool = False
    ) -> list[tuple[str, float]]:
        """BM25 over chunk tokens: (chunk id, score), best first (index/lexical.py)."""
        return lexical.search(self.db, query, k, sources, exhaustive)


def _words_json(words: Iterable[WordBox]) -> str | None:
    rows = [
        [w.text, w.start, w.end, *(round(v, 4) for v in (w.x0, w.y0, w.x1, w.y1))] for w in words
    ]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":")) if rows else None


class _Txn:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb):
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")
        return False
