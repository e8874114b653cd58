"""A watched folder (index/watch.py): `rag index PATH --watch` and the UI's watch thread.

The coalescing and retry logic is tested with scripted events (no watcher, no timing); the
rest runs the real watcher, real Chroma and the bundled MiniLM, with bounded polls.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from index.catalog import FileRecord
from index.pipeline import CATALOG_FILE, IndexConfig
from index.watch import Watcher, WatchThread, coalesce, describe

from .conftest import BIN, run_rag
from .test_store_lock import hold_lock
from .test_store_lock import stop as stop_holder

ADDED, MODIFIED, DELETED = 1, 2, 3  # watchfiles.Change

ZEBRAS = (
    "# Zebras\n\nPlains zebras migrate across the Serengeti and the Masai Mara every year, "
    "following the rains and fresh grass.\n"
)
MORE = (
    "\nThe Grevy's zebra lives in the dry scrublands of northern Kenya and southern "
    "Ethiopia, where it drinks at waterholes dug by elephants.\n"
)


def wait_for(what: Callable[[], object], timeout: float, step: float = 0.1):
    """Poll `what` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        got = what()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout} s (last: {got!r})")
        time.sleep(step)


def catalog_files(store: Path) -> dict[str, tuple[str, int]]:
    """{source: (content hash, chunks)} read through a read-only connection: safe while the
    watcher writes (WAL), and it never takes the store's write lock."""
    path = store / CATALOG_FILE
    if not path.exists():
        return {}
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT source, content_hash, n_chunks FROM files").fetchall()
    finally:
        db.close()
    return {s: (h, n) for s, h, n in rows}


def changed(files: dict, source: str, old_hash: str | None) -> dict | None:
    """`files` once `source` is there with another content hash than `old_hash`."""
    return files if source in files and files[source][0] != old_hash else None


def in_order(lines: list[str], prefixes: list[str]) -> bool:
    """Each prefix starts some line, in this order (a batch may split an edit in two)."""
    it = iter(lines)
    return all(any(x.startswith(p) for x in it) for p in prefixes)


# --- coalescing: scripted events, no watcher -----------------------------------------------------


def test_a_burst_of_events_coalesces_to_the_paths_the_walker_reads(tmp_path: Path):
    root = tmp_path / "docs"
    (root / "sub").mkdir(parents=True)
    (root / "moved_in").mkdir()
    (root / "a.md").write_text("a")
    store = root / "store"  # a store inside the watched folder, not hidden
    roots, st = [str(root)], str(store)
    known = [str(root / "gone" / "x.md"), str(root / "a.md")]
    raw = {
        # An editor's save: a hidden swap file comes and goes, the file is written thrice.
        (ADDED, str(root / ".a.md.swp")),
        (MODIFIED, str(root / ".a.md.swp")),
        (DELETED, str(root / ".a.md.swp")),
        (MODIFIED, str(root / "a.md")),
        (ADDED, str(root / "a.md~")),  # a backup copy: unsupported suffix
        (MODIFIED, str(root / "sub")),  # a folder's own change: its files raise their own
        (ADDED, str(root / "moved_in")),  # a folder moved in raises no event for its files
        (DELETED, str(root / "gone")),  # a folder moved out: the catalog has sources under it
        (DELETED, str(root / "never.bin")),  # gone and unknown: nothing to do
        (DELETED, str(root / "b.txt")),  # a supported file deleted: the run drops its chunks
        (ADDED, str(store / "catalog.sqlite")),  # the watcher's own writes
        (MODIFIED, str(store / "chroma" / "data.bin")),
        (ADDED, str(root / ".git" / "index.md")),  # inside a hidden folder
        (ADDED, str(tmp_path / "elsewhere.md")),  # outside the watched folder
    }
    assert coalesce(raw, roots, st, known) == {
        str(root / "a.md"),
        str(root / "moved_in"),
        str(root / "gone"),
        str(root / "b.txt"),
    }
    # Only the watcher's own writes: no batch at all, so a store inside PATH cannot loop.
    assert coalesce({(MODIFIED, str(store / "catalog.sqlite"))}, roots, st, known) == set()


def test_describe_reports_renames_updates_removals_and_errors():
    def rec(source, digest, n=2):
        return FileRecord(source, digest, 10, 1, "t", n)

    before = {"/d/a.md": rec("/d/a.md", "h1"), "/d/b.md": rec("/d/b.md", "h2")}
    before["/d/c.md"] = rec("/d/c.md", "h3")
    after = {"/d/x/a2.md": rec("/d/x/a2.md", "h1"), "/d/b.md": rec("/d/b.md", "h2b", 3)}
    after["/d/new.md"] = rec("/d/new.md", "h4", 1)
    errors = [
        {"source": "/d/gone.md", "error": "no such file or directory"},  # deleted meanwhile
        {"source": "/d/bad.pdf", "error": "not a PDF"},
    ]
    changes = describe(
        before, after, ["/d/x/a2.md", "/d/b.md", "/d/new.md"], errors, asked=["/d/gone.md"]
    )
    lines = [c.line(["/d"]) for c in changes]
    assert lines == [
        "renamed a.md -> x/a2.md",
        "updated b.md (3 chunks)",
        "added new.md (1 chunk)",
        "removed c.md",
        "error bad.pdf: not a PDF",
    ]
    assert changes[0].to_dict() == {
        "kind": "renamed",
        "source": "/d/x/a2.md",
        "chunks": 2,
        "old": "/d/a.md",
    }


def test_the_loop_batches_retries_a_busy_store_and_stops(tmp_path, monkeypatch):
    """The watch loop with scripted event sets: a catch-up pass over the roots first, events
    merged per batch, a batch refused by a busy store kept and retried at the next wake-up
    (an empty set: a timeout), and nothing after `stop`."""
    import watchfiles

    root = tmp_path / "docs"
    root.mkdir()
    a, b = str(root / "a.md"), str(root / "b.md")
    stop = threading.Event()
    # Timeouts (empty sets) are the wake-ups at which a refused batch is retried.
    script = [set(), {(ADDED, a), (MODIFIED, a)}, set(), {(MODIFIED, b)}, set(), {(ADDED, a)}]

    def fake_watch(*paths, stop_event, **kw):
        assert list(paths) == [str(root)] and kw["watch_filter"] is None
        yield from script
        stop_event.set()
        yield {(MODIFIED, b)}  # after stop: never indexed

    monkeypatch.setattr(watchfiles, "watch", fake_watch)
    calls: list[set[str]] = []
    busy = {2, 3}  # the store is busy for the first two tries of the second batch

    def fake_batch(paths):
        calls.append(set(paths))
        return None if len(calls) in busy else object()

    notes: list[str] = []
    w = Watcher([root], IndexConfig(store=tmp_path / "store"), lambda c: None, note=notes.append)
    monkeypatch.setattr(w, "run_batch", fake_batch)
    w.watch(stop)
    # catch-up over the root; {a} refused, retried at a wake-up, refused again, then merged
    # with the next event; an empty wake-up does nothing; stop ends it.
    assert calls == [{str(root)}, {a}, {a}, {a, b}, {a}]
    assert notes and notes[0].startswith(f"watching {root}")


# --- the real watcher ------------------------------------------------------------------------


@pytest.mark.slow
def test_an_open_reader_sees_what_the_watch_thread_indexes(tmp_path: Path):
    """`rag ui --watch`: the UI's open pipelines need no reset to see a batch; a batch that
    finds another process writing the store is retried once it is free."""
    from index.reader import IndexReader

    docs, store = tmp_path / "docs", tmp_path / "store"
    docs.mkdir()
    (docs / "a.md").write_text("SenseTime makes computer vision software in Hong Kong.\n")
    lines: list[str] = []
    cfg = IndexConfig(store=store)
    thread = WatchThread([docs], cfg, lines.append).start()
    try:
        wait_for(lambda: any(x.startswith("watching") for x in lines), 60)
        assert "added a.md (1 chunk)" in lines
        reader = IndexReader(cfg)  # opened before the change, like a UI pipeline
        try:
            # Another process writes the store: the batch waits for it, then goes through.
            holder = hold_lock(store)
            try:
                (docs / "zebras.md").write_text(ZEBRAS)
                wait_for(lambda: any(x.startswith("waiting: the store") for x in lines), 30)
                assert str(docs / "zebras.md") not in reader.sources()
            finally:
                stop_holder(holder)
            wait_for(lambda: str(docs / "zebras.md") in reader.sources(), 30)
            qvec = reader.embed_query("Where do plains zebras migrate?")
            top = reader.dense(qvec, 1)[0].id
            assert reader.chunks([top])[top].source == str(docs / "zebras.md")
            assert reader.lexical("Serengeti", 5)
        finally:
            reader.close()
    finally:
        thread.stop(timeout=30)
    assert not thread.thread.is_alive()
    assert "added zebras.md (1 chunk)" in lines


class Lines:
    """A process's output lines, read by a thread so the pipe never blocks it."""

    def __init__(self, stream) -> None:
        self.lines: list[str] = []
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            self.lines.append(line.rstrip("\n"))

    def has(self, text: str) -> bool:
        return any(text in x for x in self.lines)


@pytest.mark.slow
def test_rag_index_watch_follows_add_edit_rename_delete_and_stops_on_sigint(tmp_path: Path):
    docs, store = tmp_path / "docs", tmp_path / "store"
    docs.mkdir()
    (docs / "skip.xyz").write_text("an unsupported file: reported once, never re-reported")
    proc = subprocess.Popen(
        [str(BIN / "rag"), "index", str(docs), "--watch", "--store", str(store)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    out, err = Lines(proc.stdout), Lines(proc.stderr)
    try:
        wait_for(lambda: err.has("rag: watching"), 60)
        a, b = str(docs / "a.md"), str(docs / "b.md")

        (docs / "a.md").write_text(ZEBRAS)
        files = wait_for(lambda: catalog_files(store), 30)
        assert list(files) == [a]
        first_hash, first_chunks = files[a]
        wait_for(lambda: out.has("added a.md ("), 5)
        st = json.loads(run_rag("status", "--store", str(store), "--json").stdout)
        assert (st["documents"], st["chunks"]) == (1, first_chunks)
        assert st["vectors_in_store"] == st["chunks"]  # readable while the watcher runs

        with (docs / "a.md").open("a") as f:
            f.write(MORE)
        files = wait_for(lambda: changed(catalog_files(store), a, first_hash), 30)
        assert list(files) == [a]
        edited_hash, _ = files[a]
        wait_for(lambda: out.has("updated a.md ("), 5)

        os.rename(docs / "a.md", docs / "b.md")
        files = wait_for(lambda: changed(catalog_files(store), b, None), 30)
        assert list(files) == [b] and files[b][0] == edited_hash
        wait_for(lambda: out.has("renamed a.md -> b.md"), 5)

        (docs / "b.md").unlink()
        wait_for(lambda: not catalog_files(store), 30)
        wait_for(lambda: out.has("removed b.md"), 5)
        st = json.loads(run_rag("status", "--store", str(store), "--json").stdout)
        assert (st["documents"], st["chunks"], st["vectors_in_store"]) == (0, 0, 0)

        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    wait_for(lambda: err.has("stopped watching"), 5)
    assert sum("skip.xyz" in x for x in out.lines + err.lines) == 1  # the first run's report
    expected = ["added a.md (", "updated a.md (", "renamed a.md -> b.md", "removed b.md"]
    lines = out.lines[1:]  # after the first run's summary
    assert in_order(lines, expected), lines
    assert all(x.startswith(tuple(expected)) for x in lines), lines  # nothing else, no errors
    report = json.loads(run_rag("check", "--store", str(store), "--json").stdout)
    assert report["ok"] and report["catalog_chunks"] == 0
