"""The manifest part of the catalog: files and chunks with their content hashes, each
document's cleaned text, and its pages (spans and OCR word boxes)."""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from index.catalog.lexical import lexical_tokens
from index.types import Chunk, Page, WordBox


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


class Manifest:
    """Files, chunks and pages: a part of the Catalog (index/catalog/__init__.py)."""

    db: sqlite3.Connection
    _pages_table: bool | None
    _code_table: bool | None

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

    def chunk_texts(self) -> list[str]:
        """Every chunk's text, by chunk id (eval/bench_ask.py makes questions of them)."""
        return [r[0] for r in self.db.execute("SELECT text FROM chunks ORDER BY id")]

    def distinct_chunk_texts(self) -> list[str]:
        """Each distinct chunk text once, in the order first written: what was embedded."""
        rows = self.db.execute(
            "SELECT text FROM chunks WHERE rowid IN "
            "(SELECT min(rowid) FROM chunks GROUP BY text_hash) ORDER BY rowid"
        )
        return [r[0] for r in rows]

    def touch(self, source: str, mtime_ns: int, size: int) -> None:
        """A new mtime and size for a file whose content did not change. A statement of its own
        (no transaction): one row, and losing it to a crash costs the next run one hash."""
        self.db.execute(
            "UPDATE files SET mtime_ns=?, size=? WHERE source=?", (mtime_ns, size, source)
        )

    # -- writes (call inside a transaction) -----------------------------------------------
    def remove_file(self, source: str) -> None:
        self.db.execute(
            "DELETE FROM lex WHERE rowid IN (SELECT rowid FROM chunks WHERE source=?)", (source,)
        )
        self.db.execute("DELETE FROM chunks WHERE source=?", (source,))
        self.db.execute("DELETE FROM files WHERE source=?", (source,))
        self.db.execute("DELETE FROM pages WHERE source=?", (source,))
        self.db.execute("DELETE FROM code WHERE source=?", (source,))

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
        code: Iterable[tuple[int, int]] = (),
    ) -> None:
        self.remove_file(rec.source)
        self.db.executemany(
            'INSERT INTO code (source, start, "end") VALUES (?, ?, ?)',
            ((rec.source, a, b) for a, b in code),
        )
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

    def _has_code(self) -> bool:
        """Whether the store has the code table (a read-only store written before it may not)."""
        if self._code_table is None:
            q = "SELECT 1 FROM sqlite_master WHERE type='table' AND name='code'"
            self._code_table = self.db.execute(q).fetchone() is not None
        return self._code_table

    def code_in(self, source: str, start: int, end: int) -> list[tuple[int, int]]:
        """The code blocks of `source` overlapping [start, end) of its cleaned text."""
        if not self._has_code():
            return []
        q = 'SELECT start, "end" FROM code WHERE source=? AND start<? AND "end">? ORDER BY start'
        return [(a, b) for a, b in self.db.execute(q, (source, end, start))]

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


def _words_json(words: Iterable[WordBox]) -> str | None:
    rows = [
        [w.text, w.start, w.end, *(round(v, 4) for v in (w.x0, w.y0, w.x1, w.y1))] for w in words
    ]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":")) if rows else None
