"""The catalog: one SQLite file beside the vector store, and the only place that speaks SQL.

It holds the manifest (files and chunks with content hashes), the BM25 index (FTS5), a cache
of vectors keyed by chunk-text hash (so renamed files and unchanged chunks are never
re-embedded), and each document's cleaned text (for exact highlighting). Each file's change
is one transaction across all four, so the catalog is always self-consistent; the vector
store is reconciled against it at the start of every run.

One `Catalog` made of parts by concern: schema.py (the file, its schema, the migration of
older stores, meta, transactions), manifest.py (files, chunks, pages), vectors.py (the vector
cache and unit vectors) and lexical.py (BM25 over the FTS5 table).
"""

from __future__ import annotations

from index.catalog.lexical import LEXICAL_VERSION, Lexical, lexical_tokens
from index.catalog.manifest import FileRecord, Manifest, StoredChunk
from index.catalog.schema import CATALOG_FILE, SCHEMA, CatalogFile, catalog_error
from index.catalog.vectors import Vectors

__all__ = [
    "CATALOG_FILE",
    "LEXICAL_VERSION",
    "SCHEMA",
    "Catalog",
    "FileRecord",
    "StoredChunk",
    "catalog_error",
    "lexical_tokens",
]


class Catalog(CatalogFile, Manifest, Vectors, Lexical):
    """The catalog at `path`: opened (and migrated) by CatalogFile, read and written through
    the other parts' methods."""
