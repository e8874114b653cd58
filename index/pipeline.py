"""Incremental indexing: files -> Documents -> Chunks -> vectors + BM25, only what changed.

Crash safety: each batch of changed files is one catalog transaction; the vector store is
written before the catalog commits (new ids) and pruned after (stale ids). Whatever a kill
leaves behind is repaired by `reconcile` at the start of the next run, which makes the vector
store hold exactly the catalog's chunks. Parsing runs ahead of the encoder: index/ingest.py.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from index import unit_vectors
from index.catalog import CATALOG_FILE, Catalog, FileRecord
from index.disk import disk_full, disk_full_error
from index.embedders import Embedder, EmbedderConfig, embedder_name, get_embedder
from index.errors import ConfigError, EmbedderMismatch, StoreError
from index.limits import Limits
from index.lock import StoreLock
from index.ocr import OcrConfig
from index.store import CHROMA_DIR, ChromaStore, check_store_dir, open_store, write_error
from index.walk import not_regular, walk

__all__ = [
    "CATALOG_FILE", "CHROMA_DIR", "IndexConfig", "IndexReport", "index_paths", "open_store",
    "store_status", "walk",
]  # fmt: skip


@dataclass(frozen=True)
class IndexConfig:
    store: Path
    chroma_url: str | None = None
    embedder: EmbedderConfig = field(default_factory=EmbedderConfig)
    rebuild: bool = False
    batch_chunks: int = 256
    overlap_tokens: int = 32
    lock_wait: float = 0.0  # seconds a writer waits for another writer of the store; 0: refuse
    limits: Limits = field(default_factory=Limits)
    ocr: OcrConfig = field(default_factory=OcrConfig)  # which PDF pages OCR reads
    workers: int = 1  # 1: files are parsed in one background thread; N > 1: N processes
    queue_files: int = 4  # parsed files that may wait for the encoder (bounds memory)
    # Store sentence vectors for the extractive reader (index/unit_vectors.py): True on,
    # False off, None: whatever the store already does (off for a new one).
    sentence_vectors: bool | None = None


@dataclass
class IndexReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    embedded: int = 0
    chunks: int = 0
    sentence_vectors: int = 0  # sentences embedded for the reader this run (opt-in)
    # Of `updated`: files whose bytes did not change, re-read because the cleaning rules did
    # (index/loaders.py CLEANING_VERSION).
    recleaned: int = 0
    errors: list[dict] = field(default_factory=list)
    # PDF pages that needed OCR and did not get it: {"source", "pages", "reason"} (with the fix)
    ocr_skipped: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def default_store() -> Path:
    return Path(os.environ.get("RAG_STORE") or ".rag-store").expanduser()


def check_embedder(catalog: Catalog, name: str, store: Path) -> None:
    stored = catalog.get_meta("embedder")
    if stored and stored != name:
        raise EmbedderMismatch(
            f"the store {store} was built with embedder {stored!r} but {name!r} was asked for; "
            f"use the same embedder, or re-index with --rebuild to switch"
        )


def sha(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def metadata(source, title, doc_title, start, end, page) -> dict:
    md = {"source": source, "title": title, "doc_title": doc_title, "start": start, "end": end}
    if page is not None:
        md["page"] = page
    return md


def reconcile(
    catalog: Catalog, chroma: ChromaStore, rewrite: Sequence[str] = ()
) -> tuple[int, int]:
    """Make the vector store hold exactly the catalog's chunks. Returns (deleted, restored).

    `rewrite`: ids present in both whose stored vector is wrong or unreadable (`rag check`
    finds them); they are written again from the catalog's cached vectors, never re-embedded.
    """
    in_store = chroma.ids()
    in_catalog = catalog.chunk_ids()
    orphans = sorted(in_store - in_catalog)
    missing = sorted(in_catalog - in_store)
    if orphans:
        chroma.delete(orphans)
    todo = sorted(set(missing) | (set(rewrite) & in_catalog))
    if todo:
        rows = catalog.chunks_with_vectors(todo)
        # An upsert re-inserts the vector into Chroma's index even when the id is known.
        chroma.add(
            [c.id for c, _ in rows],
            np.stack([v for _, v in rows]) if rows else np.zeros((0, 1), np.float32),
            [c.text for c, _ in rows],
            [metadata(c.source, c.title, c.doc_title, c.start, c.end, c.page) for c, _ in rows],
        )
    return len(orphans), len(todo)


class Indexer:
    def __init__(
        self, cfg: IndexConfig, progress: bool | None = None, embedder: Embedder | None = None
    ):
        """`embedder`: an already loaded one (tests pass fakes); else loaded when needed."""
        self.cfg = cfg
        self.name = embedder_name(cfg.embedder)
        self.progress = sys.stderr.isatty() if progress is None else progress
        self._embedder = embedder
        if cfg.workers < 1:
            raise ConfigError(f"--workers must be 1 or more, not {cfg.workers}")
        # One writer per store (see index/lock.py); held until close(). Readers never take it.
        check_store_dir(cfg.store, write=True)
        try:
            self._lock = StoreLock(cfg.store, cfg.lock_wait, "index").acquire()
        except OSError as e:
            raise write_error(e, cfg.store) from None
        try:
            self.catalog, self.chroma = open_store(cfg, write=True)
            if cfg.rebuild:
                self.chroma.reset()
                self.catalog.clear()
            check_embedder(self.catalog, self.name, cfg.store)
            unit_vectors.configure(self.catalog, cfg.sentence_vectors)
        except BaseException:
            self._lock.release()
            raise

    @property
    def embedder(self) -> Embedder:
        # Loaded only when a file needs chunking, so an unchanged re-run costs no model load.
        if self._embedder is None:
            self._embedder = get_embedder(self.cfg.embedder)
        return self._embedder

    def close(self) -> None:
        try:
            self.catalog.close()
        finally:
            self._lock.release()

    def run(self, paths: Sequence[str | Path], on_file: Callable[[str], None] | None = None):
        try:
            return self._run(paths, on_file)
        except Exception as e:  # Chroma's own errors: a full disk reads "Failed to apply logs"
            if disk_full(e, self.cfg.store):
                raise disk_full_error(self.cfg.store) from None
            if isinstance(e, sqlite3.Error):
                raise StoreError(f"cannot write the catalog in {self.cfg.store}: {e}") from None
            raise

    def _run(self, paths: Sequence[str | Path], on_file: Callable[[str], None] | None = None):
        # Here, not at the top: the query path imports this module, not the format readers.
        from index.loaders import bytes_hash, cleaned_now, document_suffix, file_hash, unsupported

        report = IndexReport()
        reconcile(self.catalog, self.chroma)
        known = self.catalog.files()
        roots = [os.path.abspath(Path(p).expanduser()) for p in paths]
        todo: list[tuple[Path, FileRecord, str]] = []
        seen: set[str] = set()
        unreadable: list[str] = []  # folders that could not be listed: keep what came from them
        for f in walk(paths, report.errors, unreadable):
            # abspath, not resolve: a symlink is indexed under its own name.
            src = os.path.abspath(f)
            seen.add(src)
            if problem := unsupported(f):
                report.errors.append({"source": src, "error": problem})
                continue
            try:
                st = f.stat()
                if problem := not_regular(st):
                    # Replaced by a FIFO or the like since the walk: do not open it.
                    report.errors.append({"source": src, "error": problem})
                    continue
                if problem := self.cfg.limits.file_problem(document_suffix(f), st.st_size):
                    # Checked before reading: a huge file must not cost its size in memory.
                    # (A .gz is checked again as it is decompressed, index/compressed.py.)
                    report.errors.append({"source": src, "error": problem})
                    continue
                rec = known.get(src)
                # A record written by another cleaning version never takes the shortcut: its
                # hash cannot match below, so the file is re-cleaned (and counted as updated).
                if (
                    rec
                    and cleaned_now(rec.content_hash)
                    and rec.size == st.st_size
                    and rec.mtime_ns == st.st_mtime_ns
                ):
                    report.unchanged += 1
                    continue
                digest = file_hash(f.read_bytes())
            except OSError as e:
                report.errors.append({"source": src, "error": f"cannot read: {e.strerror or e}"})
                continue
            if rec and rec.content_hash == digest:
                # Touched but not changed: remember the new mtime so the next run skips hashing.
                self.catalog.touch(src, st.st_mtime_ns, st.st_size)
                report.unchanged += 1
                continue
            kind = "updated" if rec else "added"
            if rec and bytes_hash(rec.content_hash) == bytes_hash(digest):
                report.recleaned += 1  # same bytes: only the cleaning rules changed
            todo.append((f, FileRecord(src, digest, st.st_size, st.st_mtime_ns, "", 0), kind))

        self._process(todo, report, on_file)

        removed = [
            s
            for s in known
            if s not in seen
            and any(_under(s, r) for r in roots)
            and not any(_under(s, d) for d in unreadable)
        ]
        for src in removed:
            ids = sorted(self.catalog.chunk_ids(src))
            with self.catalog.transaction():
                self.catalog.remove_file(src)
            self.chroma.delete(ids)
            report.removed += 1
        with self.catalog.transaction():
            self.catalog.drop_unused_vectors()
        if unit_vectors.enabled(self.catalog):
            # A lambda: the model loads only if some chunk lacks its vectors (a no-op run).
            report.sentence_vectors = unit_vectors.fill(
                self.catalog, lambda texts: self.embedder.embed(texts), self.progress
            )
        report.chunks = self.catalog.count_chunks()
        return report

    def _process(self, todo, report: IndexReport, on_file) -> None:
        if not todo:
            return
        from index.ingest import Ingest

        ingest = Ingest(
            self.cfg, self.catalog, self.chroma, self.embedder, self.name, self.progress
        )
        ingest.run(ingest.jobs(todo), report, on_file)


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def index_paths(
    paths: Sequence[str | Path],
    cfg: IndexConfig,
    progress: bool | None = None,
    on_file: Callable[[str], None] | None = None,
) -> IndexReport:
    """Index `paths` incrementally; `on_file(source)` is called as each file is committed."""
    indexer = Indexer(cfg, progress=progress)
    try:
        return indexer.run(paths, on_file)
    finally:
        indexer.close()


def store_status(cfg: IndexConfig) -> dict:
    catalog, chroma = open_store(cfg)
    try:
        size = (
            sum(f.stat().st_size for f in cfg.store.rglob("*") if f.is_file())
            if cfg.store.exists()
            else 0
        )
        return {
            "store": str(cfg.store.resolve()),
            "chroma": chroma.where,
            "documents": len(catalog.files()),
            "chunks": catalog.count_chunks(),
            "vectors_in_store": chroma.count(),
            "embedder": catalog.get_meta("embedder"),
            "dim": int(catalog.get_meta("dim") or 0),
            "sentence_vectors": unit_vectors.enabled(catalog),
            "size_bytes": size,
        }
    finally:
        catalog.close()
