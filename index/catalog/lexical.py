"""Lexical (BM25) search over the catalog's FTS5 table; the tokens come from the text toolkit.

The BM25 index itself is an SQLite FTS5 table inside the catalog, written in the same
transaction as the manifest, so the lexical index can never drift from it.

Ranking every chunk that holds any query term costs one bm25() call per match (5-25 us each),
and at 100k chunks a question's common words match half the store. So a large match is ranked
in rounds, rarest terms first (MaxScore, Turtle & Flood 1995): each round ranks the chunks that
hold the round's terms and none of the earlier rounds', by FTS5's own bm25() over all the
query's terms, so every score is the full query's (up to the order of a float sum: 1e-15). No
term adds more than idf * (k1 + 1) to a score, so once the terms left could not lift a chunk
holding only them above the k-th score found, the top k is proven exact and the rounds stop.
A budget caps the work when no proof comes (chunks holding only common terms go unranked).
"""

from __future__ import annotations

import math
import sqlite3

from index.text import LEXICAL_VERSION, tokens
from index.text import tokens as lexical_tokens  # the name older callers use

__all__ = ["LEXICAL_VERSION", "Lexical", "fts_query", "lexical_tokens", "search", "tokens"]

K1 = 1.2  # FTS5's bm25() k1 (fts5_aux.c): a term adds at most idf * (K1 + 1) to a score
# The work budget, in postings (the sum of the terms' document frequencies): a match within it
# is ranked in one bm25() pass; past it the rounds stop even unproven, which bounds latency at
# 100k chunks. A deeper list (BEIR asks for 300) gets 20 postings per result: its k-th score
# is lower, so proofs come later. Measured with python -m eval.bench scale (README).
MAX_POSTINGS = 3000
ROUND_POSTINGS = 1500  # postings of the rare terms ranked per round

TOP = "SELECT rowid, -bm25(lex) FROM lex WHERE lex MATCH ? ORDER BY bm25(lex) LIMIT ?"
# Ranking inside FTS5 before joining `chunks` halved the time of joining first (same results).
ONE_PASS = (
    "SELECT c.id, t.s FROM (SELECT rowid, -bm25(lex) AS s FROM lex WHERE lex MATCH ? "
    "ORDER BY bm25(lex) LIMIT ?) t JOIN chunks c ON c.rowid = t.rowid ORDER BY t.s DESC"
)


def phrases(query: str) -> list[str]:
    """The query's distinct tokens as FTS5 phrases, quoted so none is read as syntax."""
    quoted = {'"' + t.replace('"', "") + '"' for t in tokens(query)}
    return sorted(quoted - {'""'})


def fts_query(query: str) -> str | None:
    """An FTS5 MATCH expression: any query token."""
    return " OR ".join(phrases(query)) or None


def search(
    db: sqlite3.Connection,
    query: str,
    k: int,
    sources: list[str] | None = None,
    exhaustive: bool = False,
) -> list[tuple[str, float]]:
    """BM25 over chunk tokens: (chunk id, score), best first. `exhaustive` ranks every match
    in one pass (the reference the rounds are measured against)."""
    match = fts_query(query)
    if match is None:
        return []
    if sources:
        sql = (
            "SELECT c.id, -bm25(lex) AS s FROM lex JOIN chunks c ON c.rowid = lex.rowid "
            f"WHERE lex MATCH ? AND c.source IN ({','.join('?' * len(sources))}) "
            "ORDER BY bm25(lex) LIMIT ?"
        )
        return [(r[0], float(r[1])) for r in db.execute(sql, [match, *sources, k])]
    ranked = None if exhaustive else _rounds(db, phrases(query), k)
    if ranked is None:  # a small match: one pass, ranked inside FTS5, then joined
        return [(r[0], float(r[1])) for r in db.execute(ONE_PASS, (match, k))]
    marks = ",".join("?" * len(ranked))
    ids = dict(
        db.execute(f"SELECT rowid, id FROM chunks WHERE rowid IN ({marks})", [r for r, _ in ranked])
    )
    return [(ids[r], float(s)) for r, s in ranked if r in ids]


class Lexical:
    """BM25 search: a part of the Catalog (index/catalog/__init__.py)."""

    db: sqlite3.Connection

    def lexical_search(
        self, query: str, k: int, sources: list[str] | None = None, exhaustive: bool = False
    ) -> list[tuple[str, float]]:
        """BM25 over chunk tokens: (chunk id, score), best first (`search`)."""
        return search(self.db, query, k, sources, exhaustive)


def _rounds(db: sqlite3.Connection, terms: list[str], k: int) -> list[tuple[int, float]] | None:
    """The top k (rowid, score) by bm25() over `terms`, ranked in rounds (module docstring);
    None when the terms match so few chunks that one pass is as quick."""
    df = {
        t: db.execute("SELECT count(*) FROM lex WHERE lex MATCH ?", (t,)).fetchone()[0]
        for t in terms
    }
    terms = [t for t in terms if df[t]]  # an absent term adds nothing to any score
    budget = max(MAX_POSTINGS, 20 * k)
    if sum(df.values()) <= budget:
        return None
    # bm25()'s idf uses the table's row count; the largest rowid is at least that, and a larger
    # count only raises the bound, so the proof stays safe.
    n_rows = db.execute("SELECT max(rowid) FROM chunks").fetchone()[0] or 0

    def bound(t: str) -> float:
        idf = math.log((n_rows - df[t] + 0.5) / (df[t] + 0.5))
        return max(idf, 1e-6) * (K1 + 1) * (1 + 1e-9)  # 1e-6: bm25()'s floor for common terms

    left = sorted(terms, key=lambda t: (df[t], t))  # rarest first
    done: list[str] = []
    best: dict[int, float] = {}
    postings = 0
    while left:
        take: list[str] = []
        for t in left:
            if take and sum(df[x] for x in take) + df[t] > ROUND_POSTINGS:
                break
            take.append(t)
        left = left[len(take) :]
        # The chunks holding a term of this round and none of an earlier round's (those are
        # ranked already): scored over all their terms when they hold one of the terms left,
        # and over this round's terms alone for the rest. That score is the whole score of
        # any chunk without a term left; for the others it is below their whole score, which
        # is at most the k-th whole score found when they are not among it, so keeping the
        # larger score per chunk leaves the top k exact. (The second query leaves the common
        # terms out: bm25() reads each term's whole doclist once per query for its idf.)
        these = f"({' OR '.join(take)})" + (f" NOT ({' OR '.join(done)})" if done else "")
        queries = [f"({these}) AND ({' OR '.join(left)})"] if left else []
        for match in [*queries, these]:
            for rowid, score in db.execute(TOP, (match, k)):
                best[rowid] = max(score, best.get(rowid, score))
        done += take
        postings += sum(df[t] for t in take)
        top = sorted(best.items(), key=lambda r: (-r[1], r[0]))[:k]
        best = dict(top)
        kth = top[-1][1] if len(top) == k else 0.0
        if sum(bound(t) for t in left) < kth or postings >= budget:
            break
    return sorted(best.items(), key=lambda r: (-r[1], r[0]))
