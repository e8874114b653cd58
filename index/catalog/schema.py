"""The catalog's SQLite file: its schema, opening it (writable or read-only), the migration of
older stores, the meta table and transactions."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from index.catalog.lexical import LEXICAL_VERSION, lexical_tokens
from index.disk import disk_full, disk_full_error
from index.errors import StoreError

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
CREATE TABLE IF NOT EXISTS code (
    source TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS code_source ON code(source);
"""
# `code`: [start, end) of each code block in a document's cleaned text (fenced and indented
# Markdown blocks, reStructuredText literal blocks and doctests, HTML <pre>): the reader quotes
# none of their lines as the sentence that answers ("const decoder = new StringDecoder('utf8');"
# for "which encoding does it decode as by default?"). Like `pages`, an older store gets it
# empty, and its files' code lines read as text until re-indexed.
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


class CatalogFile:
    """The connection: the part of the Catalog (index/catalog/__init__.py) that opens the file,
    migrates it, and holds the meta table and the transactions the other parts write in."""

    def __init__(self, path: Path):
        self.path = path
        self._pages_table: bool | None = None
        self._code_table: bool | None = None
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

    def set_mmap_size(self, size: int) -> None:
        """SQLite's memory-mapped I/O for this connection, in bytes (0: off); eval/bench_scale.py
        times BM25 with and without it."""
        self.db.execute(f"PRAGMA mmap_size={int(size)}")

    # -- meta -----------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def clear(self) -> None:
        with self.transaction():
            for table in ("meta", "files", "chunks", "vectors", "lex", "pages", "code"):
                self.db.execute(f"DELETE FROM {table}")
            self.set_meta("lexical_version", LEXICAL_VERSION)

    def transaction(self):
        return _Txn(self.db)


class _Txn:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb):
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")
        return False
