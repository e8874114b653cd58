"""Lexical (BM25) query building; the tokens themselves come from the text toolkit.

The BM25 index itself is an SQLite FTS5 table inside the catalog, written in the same
transaction as the manifest, so the lexical index can never drift from it.
"""

from __future__ import annotations

from index.text import LEXICAL_VERSION, tokens
from index.text import tokens as lexical_tokens  # the name older callers use

__all__ = ["LEXICAL_VERSION", "fts_query", "lexical_tokens", "tokens"]


def fts_query(query: str) -> str | None:
    """An FTS5 MATCH expression: any query token, quoted so none is read as syntax."""
    toks = sorted(set(tokens(query)))
    if not toks:
        return None
    return " OR ".join('"' + t.replace('"', "") + '"' for t in toks)
