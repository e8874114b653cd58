"""Sentence vectors at index time (opt-in): the extractive reader's question-time work, moved.

A warm extractive answer spends most of its time embedding the sentences (reading units,
index/units.py) of the chunks it retrieved: 1,017 of 1,147 ms per answer on the Python docs
(`python -m eval.bench ask`, cProfile of 30 answers). With `rag index --sentence-vectors`
the indexer embeds every chunk's units once and the catalog keeps them (float16: 768 bytes a
unit for MiniLM's 384 dimensions), so the reader only looks them up.

Measured with `python -m eval.bench ask --limit-files 60` and `bench index --limit-files 60
--sentence-vectors` (1,063 Python-docs chunks, 14,304 units; one run each, load 2-6): answer
p50 83 ms with the stored vectors vs 577 ms embedding at question time (6.9x, the same answer
to all 100 questions); indexing 2.1x the bare encoder's time on the chunks (the units hold the
same tokens again), which puts `rag index` level with plain llama-index instead of 2.3x faster;
disk 11.0 MB on top of a 21 MB store (10 KB a chunk). So it is a choice a store makes, not the
default: a folder indexed once and asked often gains, a large folder asked rarely does not.

The setting is kept in the catalog, so `rag index`,
`rag watch` and uploads all keep it; `--no-sentence-vectors` drops the stored vectors.

Filling runs after the files of a run are committed, in batches of chunk texts that lack
vectors, each batch its own transaction: an interrupted fill loses nothing and the next run
(even one with no changed file) completes it. The vectors are keyed by chunk-text hash like
the chunk vectors, and pruned with them.
"""

from __future__ import annotations

import numpy as np

from index.catalog import Catalog
from index.units import reading_units

SETTING = "sentence_vectors"  # catalog meta key: "on" when the store keeps unit vectors
BATCH_CHUNKS = 128  # chunk texts per transaction (~1,800 units of prose: one embed call)


def enabled(catalog: Catalog) -> bool:
    return catalog.get_meta(SETTING) == "on"


def configure(catalog: Catalog, want: bool | None) -> None:
    """Record the store's choice: True turns it on, False off (vectors dropped), None keeps."""
    if want is None or want == enabled(catalog):
        return
    with catalog.transaction():
        catalog.set_meta(SETTING, "on" if want else "off")
        if not want:
            catalog.drop_unit_vectors()


def fill(catalog: Catalog, embed, progress: bool = False) -> int:
    """Embed the units of every chunk text that has none stored; returns the units embedded."""
    from tqdm import tqdm

    done = 0
    bar = None
    while todo := catalog.chunks_without_unit_vectors(BATCH_CHUNKS):
        if bar is None:
            bar = tqdm(unit="chunk", disable=not progress, desc="sentence vectors")
        units = [[t[a:b] for a, b in reading_units(t)] for _, t in todo]
        flat = [u for us in units for u in us]
        vecs = embed(flat) if flat else np.zeros((0, 0), dtype=np.float32)
        rows, k = [], 0
        for (h, _), us in zip(todo, units, strict=True):
            rows.append((h, vecs[k : k + len(us)]))
            k += len(us)
        with catalog.transaction():
            catalog.put_unit_vectors(rows)
        done += len(flat)
        bar.update(len(todo))
    if bar is not None:
        bar.close()
    return done


def lookup(catalog: Catalog, sources) -> dict[str, np.ndarray]:
    """Unit text -> stored vector (float32) for the retrieved `sources` that have them. A
    chunk whose stored rows do not match its units (a splitter changed since) is skipped:
    its units are embedded at question time as before."""
    if not enabled(catalog):  # the default: no query beyond this one meta read
        return {}
    dim = int(catalog.get_meta("dim") or 0)
    stored = catalog.unit_vectors([s.chunk_id for s in sources])
    out: dict[str, np.ndarray] = {}
    for s in sources:
        flat = stored.get(s.chunk_id)
        if flat is None:
            continue
        spans = reading_units(s.text)
        if dim <= 0 or flat.size != len(spans) * dim:
            continue
        mat = flat.reshape(len(spans), dim).astype(np.float32)
        for (a, b), v in zip(spans, mat, strict=True):
            out[s.text[a:b]] = v
    return out
