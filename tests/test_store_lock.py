"""One writer per store (index/lock.py) and `rag check [--repair]` (index/check.py).

Real processes, real Chroma, the bundled MiniLM. The Chroma failure the lock prevents (two
writers, vectors gone while ids and counts look fine) is reproduced for real in
`test_check_finds_and_repairs_vectors_lost_by_two_writers`.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from index.catalog import Catalog, FileRecord
from index.check import check_store
from index.lock import LOCK_FILE, StoreLock, StoreLocked, holder
from index.pipeline import CATALOG_FILE, IndexConfig, index_paths, open_store
from index.types import Chunk
from tests.conftest import BIN, CORPUS, run_rag

HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from index.lock import StoreLock
    StoreLock(Path(sys.argv[1])).acquire()
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
    """
)


def hold_lock(store: Path, seconds: float = 60) -> subprocess.Popen:
    """Another process holding the store's write lock (prints 'held' once it has it)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(store), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def stop(proc: subprocess.Popen) -> None:
    proc.kill()
    proc.wait(timeout=10)


# --- the lock ---------------------------------------------------------------------------------


def test_a_second_writer_is_refused_with_one_line_naming_the_holder(tmp_path: Path):
    store = tmp_path / "store"
    proc = hold_lock(store)
    try:
        with pytest.raises(StoreLocked) as e:
            StoreLock(store).acquire()
        msg = str(e.value)
        assert f"pid {proc.pid} on {socket.gethostname()}" in msg and "--wait" in msg
        assert "\n" not in msg
        assert holder(store) == f"{proc.pid} {socket.gethostname()}"
        # The CLI: one line on stderr, exit 2, nothing indexed.
        docs = tmp_path / "docs"
        docs.mkdir()
        (docs / "a.txt").write_text("SenseTime makes computer vision software.\n")
        t0 = time.monotonic()
        r = run_rag("index", str(docs), "--store", str(store), check=False)
        assert r.returncode == 2
        assert r.stderr.count("\n") == 1 and f"pid {proc.pid}" in r.stderr, r.stderr
        assert not (store / CATALOG_FILE).exists()
        # --wait waits that long, then refuses, saying so.
        r = run_rag("index", str(docs), "--store", str(store), "--wait", "1.5", check=False)
        assert r.returncode == 2 and "after waiting 1.5 s" in r.stderr
        assert time.monotonic() - t0 < 60
    finally:
        stop(proc)


def test_kill_9_releases_the_lock_and_the_stale_file_is_taken_over(tmp_path: Path):
    store = tmp_path / "store"
    proc = hold_lock(store)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    # The file still names the dead process; the kernel dropped its flock.
    assert (store / LOCK_FILE).read_text().split()[0] == str(proc.pid)
    assert holder(store) is None
    with StoreLock(store) as lock:
        assert lock.stale and lock.stale.split()[0] == str(proc.pid)
        assert (store / LOCK_FILE).read_text().split()[0] == str(os.getpid())
    assert (store / LOCK_FILE).read_text() == ""  # released: nobody named


def test_wait_takes_the_lock_once_the_holder_ends(tmp_path: Path):
    store = tmp_path / "store"
    proc = hold_lock(store, seconds=1.0)
    try:
        t0 = time.monotonic()
        with StoreLock(store, wait=30):
            waited = time.monotonic() - t0
        assert 0.3 < waited < 30
    finally:
        stop(proc)


def test_readers_are_not_blocked_by_a_writer(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(
        "SenseTime is a Chinese company that makes computer vision software. "
        "It was founded in Hong Kong in 2014.\n"
    )
    store = tmp_path / "store"
    run_rag("index", str(docs), "--store", str(store))
    proc = hold_lock(store)
    try:
        st = json.loads(run_rag("status", "--store", str(store), "--json").stdout)
        assert st["chunks"] >= 1 and st["vectors_in_store"] == st["chunks"]
        ans = json.loads(
            run_rag("ask", "Where was SenseTime founded?", "--store", str(store), "--json").stdout
        )
        # The point here is that a reader is served while a writer holds the lock. (Which
        # sentence answers is the reader's business: it still prefers the sentence naming
        # SenseTime over "It was founded in Hong Kong", a known weakness noted in issue 8.)
        assert ans["citations"] and not ans["abstained"]
        assert any("Hong Kong" in s["text"] for s in ans["sources"])
    finally:
        stop(proc)


# --- rag check --------------------------------------------------------------------------------


def test_check_reports_and_repairs_from_the_catalog_without_reembedding(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for f in sorted(CORPUS.iterdir())[:2]:
        (docs / f.name).write_bytes(f.read_bytes())
    cfg = IndexConfig(store=tmp_path / "store")
    index_paths([docs], cfg, progress=False)
    assert check_store(cfg).ok
    assert run_rag("check", "--store", str(cfg.store)).returncode == 0

    catalog, chroma = open_store(cfg)
    ids = sorted(catalog.chunk_ids())
    catalog.close()
    chroma.delete(ids[:2])  # missing
    wrong = np.random.default_rng(0).standard_normal((1, 384)).astype(np.float32)
    chroma.collection.upsert(ids=[ids[5]], embeddings=wrong, documents=["x"])  # different
    chroma.collection.upsert(ids=["orphan"], embeddings=wrong, documents=["o"])  # orphan

    r = run_rag("check", "--store", str(cfg.store), "--json", check=False)
    assert r.returncode == 1
    rep = json.loads(r.stdout)
    assert (rep["missing"], rep["orphans"], rep["different"], rep["ok"]) == (2, 1, 1, False)
    assert rep["catalog_chunks"] == len(ids)
    r = run_rag("check", "--store", str(cfg.store), check=False)
    assert r.returncode == 1 and "rag check --repair" in r.stderr

    r = run_rag("check", "--store", str(cfg.store), "--repair", "--json", check=False)
    rep = json.loads(r.stdout)
    assert r.returncode == 0 and rep["ok"], r.stdout
    assert rep["repaired"]["deleted"] == 1 and rep["repaired"]["restored"] == 3
    # Repaired from the catalog's vectors: the store now holds exactly them. Read in a fresh
    # process: this one's Chroma client caches what it saw before the repair.
    probe = textwrap.dedent(
        """
        import sys, numpy as np
        from pathlib import Path
        from index.pipeline import IndexConfig, open_store
        catalog, chroma = open_store(IndexConfig(store=Path(sys.argv[1])))
        cid = sys.argv[2]
        (chunk, vec), = catalog.chunks_with_vectors([cid])
        got = chroma.collection.get(ids=[cid], include=["embeddings", "documents"])
        print(bool(np.allclose(got["embeddings"][0], vec)), got["documents"][0] == chunk.text,
              len(chroma.ids()))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, str(cfg.store), ids[5]],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        check=True,
    ).stdout.split()
    assert out == ["True", "True", str(len(ids))]


def test_check_refuses_a_store_that_does_not_exist(tmp_path: Path):
    r = run_rag("check", "--store", str(tmp_path / "none"), check=False)
    assert r.returncode == 2 and "no store at" in r.stderr and "\n" == r.stderr[-1]
    assert not (tmp_path / "none").exists()


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from index.catalog import Catalog
    from index.pipeline import IndexConfig, open_store
    store, src = Path(sys.argv[1]), sys.argv[2]
    catalog, chroma = open_store(IndexConfig(store=store))
    ids = sorted(catalog.chunk_ids(src))
    # Small batches, as the Indexer writes them, interleaved with the other writer's.
    for i in range(0, len(ids), 50):
        rows = catalog.chunks_with_vectors(ids[i : i + 50])
        import numpy as np
        chroma.add([c.id for c, _ in rows], np.stack([v for _, v in rows]),
                   [c.text for c, _ in rows], [{"source": c.source} for c, _ in rows])
    """
)


def _synthetic_store(store: Path, n: int) -> None:
    """A catalog of 2 x n chunks with cached vectors (random: this tests the store, not MiniLM)."""
    catalog = Catalog(store / CATALOG_FILE)
    rng = np.random.default_rng(1)
    for name in ("a", "b"):
        src = f"/synthetic/{name}.txt"
        chunks = [Chunk(src, "", i, i + 1, f"{name} chunk {i}") for i in range(n)]
        vecs = rng.standard_normal((n, 384)).astype(np.float32)
        ids = [f"{name}-{i:05d}" for i in range(n)]
        with catalog.transaction():
            catalog.put_file(
                FileRecord(src, name, 1, 1, name, n),
                "text",
                chunks,
                ids,
                [f"{name}{i}" for i in range(n)],
                vecs,
                name,
            )
    catalog.close()


@pytest.mark.slow
def test_check_finds_and_repairs_vectors_lost_by_two_writers(tmp_path: Path):
    """The failure behind the lock: two unlocked writers lose vectors that ids still list."""
    repo = Path(__file__).resolve().parents[1]
    found = None
    for attempt in range(6):
        store = tmp_path / f"store{attempt}"
        _synthetic_store(store, 1500)
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", WRITER, str(store), f"/synthetic/{name}.txt"],
                cwd=repo,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name in ("a", "b")
        ]
        for p in procs:
            err = p.communicate(timeout=300)[1]
            # Two unlocked writers may also trip over each other's database lock, or both run
            # Chroma's schema set-up at once ("table collections already exists"): both seen in
            # CI under load, the same collision the lock exists for, not a bug here.
            collided = "locked" in err or "cannot open the Chroma store" in err
            assert p.returncode == 0 or collided, err[-2000:]
        cfg = IndexConfig(store=store)
        report = check_store(cfg)
        if not report.ok:
            found = report
            break
    if found is None:
        pytest.skip("the two writers happened not to collide in 6 attempts")
    # Seen: one writer's ids all gone, or vectors gone while ids and counts (all that
    # `rag status` shows) still agree, or (once, a clean clone on 2026-12-03: "unreadable 6,
    # different 2") vectors that read back other than the catalog's. All three are losses the
    # check names and the repair rewrites from the catalog; a vector the catalog does not know is
    # not one of them.
    assert not found.orphans, found.summary()
    if found.unreadable:
        assert found.vectors_in_store == found.catalog_chunks == 3000
    fixed = check_store(cfg, repair=True)
    lost = len(found.unreadable) + len(found.missing) + len(found.different)
    assert fixed.ok and fixed.repaired["restored"] == lost, fixed.summary()
    assert check_store(cfg).ok


@pytest.mark.slow
def test_two_concurrent_index_runs_leave_the_store_consistent(tmp_path: Path):
    """Acceptance: 10 x two `rag index` over different folders into one store at once."""
    files = sorted(CORPUS.iterdir())
    a, b = tmp_path / "a", tmp_path / "b"
    for folder, part in ((a, files[:3]), (b, files[3:])):
        folder.mkdir()
        for f in part:
            (folder / f.name).write_bytes(f.read_bytes())
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    outcomes = []
    for rep in range(10):
        store = tmp_path / f"store{rep}"
        # Even repetitions refuse at once (the default), odd ones wait for the other writer.
        wait = ["--wait", "300"] if rep % 2 else []
        procs = [
            subprocess.Popen(
                [str(BIN / "rag"), "index", str(d), "--store", str(store), "--json", *wait],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            for d in (a, b)
        ]
        results = [(p.wait(timeout=600), *p.communicate()) for p in procs]
        ok = [json.loads(out) for rc, out, _ in results if rc == 0]
        refused = [err for rc, _, err in results if rc != 0]
        for err in refused:
            # "by pid N", or "by another process (it is starting up)" when the other run holds
            # the lock but has not written its pid yet (seen in CI under load).
            assert err.count("\n") == 1 and "is being written by " in err, err
        assert ok, results
        check = run_rag("check", "--store", str(store), "--json", check=False)
        rep_json = json.loads(check.stdout)
        assert check.returncode == 0 and rep_json["ok"], check.stdout
        # Each successful run's files are in, and nothing else.
        expected = sum(r["added"] for r in ok)
        st = json.loads(run_rag("status", "--store", str(store), "--json").stdout)
        assert st["documents"] == expected and st["chunks"] == rep_json["catalog_chunks"]
        if wait:
            assert len(ok) == 2 and expected == len(files)
        outcomes.append("both" if len(ok) == 2 else "refused")
    print("outcomes:", outcomes)
