"""`rag check`: does Chroma hold exactly the catalog's chunks, with the catalog's vectors?

Ids and counts alone can look healthy while vectors are gone: two writers on one embedded
Chroma store lose index entries, yet `count()` and the id list (read from Chroma's SQLite) still
show every chunk. So besides ids and counts this reads the vectors back (all, or a sample) and
compares them with the catalog's cached vectors; a vector Chroma cannot return is "unreadable".
`repair=True` fixes everything from the catalog (`reconcile`), never re-embedding.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field

import numpy as np

from index.catalog import Catalog
from index.errors import ConfigError
from index.lock import StoreLock
from index.pipeline import CATALOG_FILE, IndexConfig, open_store, reconcile
from index.store import ChromaStore, check_store_dir

READ_BATCH = 256
TOLERANCE = 1e-4  # float32 round trips change nothing; a wrong vector differs by far more
EXAMPLES = 5


@dataclass
class CheckReport:
    store: str
    chroma: str
    catalog_chunks: int = 0
    vectors_in_store: int = 0  # Chroma's own count
    checked_vectors: int = 0
    missing: list[str] = field(default_factory=list)  # in the catalog, not in Chroma
    orphans: list[str] = field(default_factory=list)  # in Chroma, not in the catalog
    unreadable: list[str] = field(default_factory=list)  # listed by Chroma, vector gone
    different: list[str] = field(default_factory=list)  # vector differs from the catalog's
    uncached: list[str] = field(default_factory=list)  # no cached vector: needs re-embedding
    repaired: dict | None = None

    @property
    def problems(self) -> int:
        wrong = self.missing, self.orphans, self.unreadable, self.different, self.uncached
        n = sum(len(x) for x in wrong)
        if not n and self.vectors_in_store != self.catalog_chunks:
            n = 1  # counts disagree although every id matched: still not clean
        return n

    @property
    def ok(self) -> bool:
        return self.problems == 0

    def to_dict(self) -> dict:
        d = asdict(self)
        kinds = ("missing", "orphans", "unreadable", "different", "uncached")
        d["examples"] = {k: d[k][:EXAMPLES] for k in kinds if d[k]}
        for k in kinds:
            d[k] = len(d[k])
        d["ok"] = self.ok
        return d

    def summary(self) -> str:
        kinds = ("missing", "orphans", "unreadable", "different", "uncached")
        found = [f"{k} {len(getattr(self, k))}" for k in kinds if getattr(self, k)]
        if not found and not self.ok:
            found = [f"Chroma counts {self.vectors_in_store}, the catalog {self.catalog_chunks}"]
        return ", ".join(found) or "none"


def check_store(cfg: IndexConfig, repair: bool = False, sample: int = 0) -> CheckReport:
    """Compare catalog and Chroma (vectors: all when `sample` is 0); repair from the catalog.

    Holds the store's write lock, so it never judges a store halfway through an index run.
    """
    # Chroma writes when it opens, so even a check without --repair needs a writable store.
    check_store_dir(cfg.store, write=True)
    if cfg.chroma_url is None and not (cfg.store / CATALOG_FILE).is_file():
        raise ConfigError(
            f"no store at {cfg.store} (no {CATALOG_FILE}); pass the --store that `rag index` "
            "wrote, or index documents first"
        )
    with StoreLock(cfg.store, cfg.lock_wait, "check"):
        catalog, chroma = open_store(cfg, write=True)
        try:
            report = _check(cfg, catalog, chroma, sample)
            if repair and not report.ok:
                deleted, restored = reconcile(
                    catalog, chroma, rewrite=report.unreadable + report.different
                )
                after = _check(cfg, catalog, chroma, sample=0)  # all: prove the repair
                after.repaired = {
                    "deleted": deleted,
                    "restored": restored,
                    "before": report.summary(),
                }
                report = after
            return report
        finally:
            catalog.close()


def _check(cfg: IndexConfig, catalog: Catalog, chroma: ChromaStore, sample: int) -> CheckReport:
    report = CheckReport(store=str(cfg.store.resolve()), chroma=chroma.where)
    in_catalog = catalog.chunk_ids()
    in_store = chroma.ids()
    report.catalog_chunks = len(in_catalog)
    report.vectors_in_store = chroma.count()
    report.missing = sorted(in_catalog - in_store)
    report.orphans = sorted(in_store - in_catalog)
    both = sorted(in_catalog & in_store)
    if sample and sample < len(both):
        both = sorted(random.sample(both, sample))
    for i in range(0, len(both), READ_BATCH):
        part = both[i : i + READ_BATCH]
        expected = {c.id: v for c, v in catalog.chunks_with_vectors(part)}
        report.uncached += [x for x in part if x not in expected]
        got = _read_vectors(chroma, part)
        report.checked_vectors += len(part)
        for cid in part:
            vec = got.get(cid)
            if vec is None:
                report.unreadable.append(cid)
            elif cid in expected and not _same(vec, expected[cid]):
                report.different.append(cid)
    return report


def _read_vectors(chroma: ChromaStore, ids: list[str]) -> dict[str, np.ndarray]:
    """The stored vectors of `ids`; ids whose vector Chroma cannot return are left out.

    Chroma fails a whole read when one vector is gone, so a failing batch is halved until the
    broken ids are isolated (a few broken ids cost O(k log n) reads, not n).
    """
    try:
        res = chroma.collection.get(ids=ids, include=["embeddings"])
    except Exception:
        if len(ids) == 1:
            return {}
        mid = len(ids) // 2
        return {**_read_vectors(chroma, ids[:mid]), **_read_vectors(chroma, ids[mid:])}
    embs = res.get("embeddings")
    if embs is None:
        return {}
    return {
        cid: np.asarray(e, dtype=np.float32)
        for cid, e in zip(res["ids"], embs, strict=True)
        if e is not None
    }


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and float(np.max(np.abs(a - b), initial=0.0)) <= TOLERANCE
