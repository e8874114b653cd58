"""A watched folder: `rag index PATH --watch` and `rag ui --watch PATH`.

Each batch of changes is an ordinary incremental run (`Indexer.run`) over the paths that
changed, so it keeps every guarantee of a normal run: only changed chunk texts are embedded,
a renamed file reuses its vectors, a deleted file or folder loses its chunks (the run drops
catalogued sources under a given path that the walk no longer finds), and a kill leaves the
store consistent.

- Debounce: watchfiles groups events until none arrived for `quiet_ms` (or `max_wait_ms`
  passed since the first), so an editor's save or a folder copy is one batch.
- Coalescing (`coalesce`): a batch's raw events become the set of paths to re-index; what
  the walker ignores (hidden names, unsupported suffixes, the store itself) never triggers a
  run, so writes to a store inside PATH cannot feed back into the watcher.
- Lines (`describe`): the catalog before and after the run tell what happened per file; a
  removed and an added source with the same content hash are reported as a rename.
- Locking: the store's write lock is taken per batch, never held while idle, so uploads,
  `rag check` and other writers run between batches. In one process the upload writer lock
  (index/uploads.py) serialises the watcher with the UI's uploads. A batch that finds the
  store busy is kept and retried at the next wake-up.
- Stopping: Ctrl-C (SIGINT) or SIGTERM ends the watch between batches (a batch in progress
  finishes) and the command exits 0; a second Ctrl-C interrupts the batch at once (exit 130,
  like an interrupted `rag index`: re-run to finish).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from index import uploads
from index.catalog import FileRecord
from index.errors import ConfigError, RagError, one_line
from index.loaders import SUPPORTED_SUFFIXES, bytes_hash, document_suffix
from index.lock import StoreLocked
from index.pipeline import IndexConfig, Indexer, IndexReport

PIP_WATCH = "pip install 'watchfiles>=0.21'"
FULL_RESCAN = 500  # more changed paths than this: walking the roots is cheaper than the list
MODIFIED = 2  # watchfiles.Change.modified, so coalescing needs no watchfiles import


@dataclass(frozen=True)
class WatchConfig:
    quiet_ms: int = 300  # a batch starts once no event arrived for this long ...
    max_wait_ms: int = 3000  # ... or this long after its first event (a long copy)
    wakeup_ms: int = 1000  # how often a busy store is retried and a stop noticed


@dataclass(frozen=True)
class FileChange:
    """One line of the watch: what a batch did to one file."""

    kind: str  # "added" | "updated" | "removed" | "renamed" | "error"
    source: str
    chunks: int | None = None
    old: str | None = None  # renamed: the previous source
    error: str | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}

    def line(self, roots: Sequence[str] = ()) -> str:
        name = _show(self.source, roots)
        n = f" ({self.chunks} chunk{'' if self.chunks == 1 else 's'})"
        if self.kind == "renamed":
            return one_line(f"renamed {_show(self.old or '', roots)} -> {name}")
        if self.kind == "removed":
            return one_line(f"removed {name}")
        if self.kind == "error":
            return one_line(f"error {name}: {self.error}")
        return one_line(f"{self.kind} {name}{n if self.chunks is not None else ''}")


def _show(source: str, roots: Sequence[str]) -> str:
    """A source as the user named it: relative to the watched folder holding it."""
    for r in roots:
        if source != r and _under(source, r):
            return os.path.relpath(source, r)
    return source


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _inside_other(path: str, paths: Iterable[str]) -> bool:
    return any(q != path and _under(path, q) for q in paths)


def _ignored(path: str, roots: Sequence[str], store: str) -> bool:
    """What the walker never reads: hidden names below a root, and the store itself."""
    if _under(path, store):
        return True
    for r in roots:
        if _under(path, r):
            rel = os.path.relpath(path, r)
            return rel != "." and any(part.startswith(".") for part in rel.split(os.sep))
    return True  # outside every root (an event for a path watchfiles resolved elsewhere)


def coalesce(
    raw: Iterable[tuple[int, str]],
    roots: Sequence[str],
    store: str,
    known: Iterable[str],
) -> set[str]:
    """The paths one batch must re-index, from watchfiles' raw (change, path) events.

    Events come as a set, so their order within a batch is unknown; what a path became is read
    from disk by the run, and the events only say which paths to look at. Kept: files with a
    supported suffix (added, modified or deleted), folders that appeared (a folder moved in
    raises one event, none for its files) and deleted paths the catalog holds sources under
    (a folder moved out). Dropped: hidden names, the store, unsupported suffixes, symlinked
    folders (the walk does not enter them), and a folder's own "modified" (its files raise
    their own events).
    """
    known = list(known)
    out: set[str] = set()
    for change, path in raw:
        path = os.path.abspath(path)
        if _ignored(path, roots, store):
            continue
        if os.path.isdir(path):
            if int(change) != MODIFIED and not os.path.islink(path):
                out.add(path)
            continue
        if document_suffix(path) in SUPPORTED_SUFFIXES:
            out.add(path)  # whether it still exists is the run's to find out
        elif not os.path.lexists(path) and any(_under(k, path) for k in known):
            out.add(path)
    return out


def describe(
    before: Mapping[str, FileRecord],
    after: Mapping[str, FileRecord],
    committed: Sequence[str],
    errors: Sequence[dict],
    asked: Iterable[str] = (),
) -> list[FileChange]:
    """What one run did, file by file, from the catalog before and after it.

    A source that left the catalog while one with the same content hash entered it is a rename
    (the run re-used its vectors). "No such file" for a path asked about is a deletion already
    reported as "removed", not an error.
    """
    asked = set(asked)
    added = [s for s in committed if s not in before and s in after]
    removed = sorted(s for s in before if s not in after)
    gone_by_hash: dict[str, list[str]] = {}
    # By the bytes alone: a rename in the run that re-cleans the store pairs an old record
    # with one written under the new cleaning version.
    for s in removed:
        gone_by_hash.setdefault(bytes_hash(before[s].content_hash), []).append(s)
    out: list[FileChange] = []
    renamed_from: set[str] = set()
    for s in dict.fromkeys(committed):
        if s not in after:
            continue
        rec = after[s]
        if s in added and gone_by_hash.get(bytes_hash(rec.content_hash)):
            old = gone_by_hash[bytes_hash(rec.content_hash)].pop(0)
            renamed_from.add(old)
            out.append(FileChange("renamed", s, rec.n_chunks, old=old))
        else:
            out.append(FileChange("added" if s in added else "updated", s, rec.n_chunks))
    out += [FileChange("removed", s) for s in removed if s not in renamed_from]
    for e in errors:
        if e["source"] in asked and not os.path.lexists(e["source"]):
            continue  # deleted meanwhile: its chunks went with "removed"
        out.append(FileChange("error", e["source"], error=e["error"]))
    return out


class Watcher:
    """Keeps `paths` indexed in `cfg.store`; `emit` receives each batch's FileChanges."""

    def __init__(
        self,
        paths: Sequence[str | Path],
        cfg: IndexConfig,
        emit: Callable[[FileChange], None],
        wcfg: WatchConfig = WatchConfig(),  # noqa: B008 - frozen, never mutated
        note: Callable[[str], None] = lambda _msg: None,
        errors_shown: Iterable[dict] = (),
    ) -> None:
        self.roots = [os.path.abspath(Path(p).expanduser()) for p in paths]
        missing = [p for p in self.roots if not os.path.exists(p)]
        if missing:
            raise ConfigError(
                f"cannot watch {', '.join(missing)}: no such file or folder; create it first"
            )
        # A batch never rebuilds, and never waits for another writer: it is retried instead,
        # so a stop request is noticed while the store is busy.
        self.cfg = replace(cfg, rebuild=False, lock_wait=0.0)
        self.store = os.path.abspath(cfg.store)
        self.emit = emit
        self.wcfg = wcfg
        self.note = note  # status lines that are not file changes (ready, store busy)
        self.known: set[str] = set()
        self._problem: str | None = None
        # A bad file is reported once per reason, not at every pass that walks past it.
        self._shown = {e["source"]: e["error"] for e in errors_shown}

    def run_batch(self, paths: Iterable[str]) -> IndexReport | None:
        """Index `paths` (changed files and folders) once; None when the store is busy."""
        paths = set(paths)
        full = len(paths) > FULL_RESCAN or any(p in self.roots for p in paths)
        # A file inside a folder of the batch would be walked (and reported) twice.
        targets = self.roots if full else sorted(p for p in paths if not _inside_other(p, paths))
        with uploads._WRITER:  # the UI's uploads in this process queue behind the batch
            try:
                indexer = Indexer(self.cfg, progress=False)
            except StoreLocked as e:
                self._report_problem(f"waiting: {e}")
                return None
            try:
                before = indexer.catalog.files()
                committed: list[str] = []
                report = indexer.run(targets, committed.append)
                after = indexer.catalog.files()
            finally:
                indexer.close()
        self._problem = None
        self.known = {s for s in after if any(_under(s, r) for r in self.roots)}
        errors = [e for e in report.errors if not _under(e["source"], self.store)]
        for change in describe(before, after, committed, errors, targets):
            if change.kind == "error":
                if self._shown.get(change.source) == change.error:
                    continue
                self._shown[change.source] = change.error or ""
            else:
                self._shown.pop(change.old or change.source, None)
                self._shown.pop(change.source, None)
            self.emit(change)
        return report

    def _report_problem(self, message: str) -> None:
        if message != self._problem:  # once per distinct problem, not once per retry
            self._problem = message
            self.note(message)

    def watch(self, stop: threading.Event) -> None:
        """Re-index changes until `stop` is set. The first pass after the watcher is live
        re-checks the roots, so nothing changed before it started is missed."""
        try:
            from watchfiles import watch
        except ImportError:
            raise ConfigError(f"--watch needs watchfiles: {PIP_WATCH}") from None
        pending: set[str] = set()
        first = True
        events = watch(
            *self.roots,
            watch_filter=None,  # ours is `coalesce`, which knows what the walker reads
            debounce=self.wcfg.max_wait_ms,
            step=self.wcfg.quiet_ms,
            stop_event=stop,
            rust_timeout=self.wcfg.wakeup_ms,
            yield_on_timeout=True,
        )
        for raw in events:
            if stop.is_set():
                break
            if first:
                pending.update(self.roots)
            pending |= coalesce(raw, self.roots, self.store, self.known)
            if pending:
                try:
                    done = self.run_batch(pending) is not None
                except RagError as e:  # a full disk, a store gone: keep the changes, retry
                    self._report_problem(f"error: {e}; will retry")
                    done = False
                if done:
                    pending = set()
            if first:
                first = False
                self.note(
                    f"watching {', '.join(self.roots)} for changes; Ctrl-C stops after the "
                    "batch in progress"
                )


@contextlib.contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set `stop` (the batch in progress finishes); a second SIGINT raises
    KeyboardInterrupt as usual. Only the main thread can install handlers."""

    def on_signal(signum, frame) -> None:
        if signum == signal.SIGINT and stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


def run_cli(
    paths: Sequence[str], cfg: IndexConfig, as_json: bool = False, first: IndexReport | None = None
) -> int:
    """`rag index PATH --watch` after its `first` run: one stdout line per change (a JSON
    object with `as_json`) until Ctrl-C or SIGTERM; then exit code 0."""
    import json

    def emit(change: FileChange) -> None:
        text = json.dumps(change.to_dict(), ensure_ascii=False) if as_json else None
        print(text or change.line(watcher.roots), flush=True)

    def note(message: str) -> None:
        print(one_line(f"rag: {message}"), file=sys.stderr, flush=True)

    shown = first.errors if first else ()
    watcher = Watcher(paths, cfg, emit, note=note, errors_shown=shown)
    stop = threading.Event()
    with stop_on_signals(stop):
        watcher.watch(stop)
    note("stopped watching; the store is consistent")
    return 0


class WatchThread:
    """The watcher beside a server (`rag ui --watch`): the first run, then changes, in a
    background thread; `stop()` waits for the batch in progress so the store stays consistent.

    Readers need no invalidation: an open IndexReader sees each committed batch (the catalog
    is read in autocommit mode, and in-process Chroma clients share one index); the test
    `test_an_open_reader_sees_what_the_watch_thread_indexes` holds this to account.
    """

    def __init__(
        self,
        paths: Sequence[str | Path],
        cfg: IndexConfig,
        say: Callable[[str], None],
        wcfg: WatchConfig = WatchConfig(),  # noqa: B008 - frozen, never mutated
    ) -> None:
        self.watcher = Watcher(paths, cfg, lambda c: say(c.line(self.watcher.roots)), wcfg, say)
        self.say = say
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._main, name="rag-watch", daemon=True)

    def start(self) -> WatchThread:
        self.thread.start()
        return self

    def _main(self) -> None:
        try:
            # The catch-up pass of `watch` doubles as the first run: the roots are indexed once
            # the watcher is live, with a line per file.
            self.watcher.watch(self.stopping)
        except Exception as e:  # a thread's error would otherwise vanish
            self.say(one_line(f"error: the watcher stopped: {e}"))

    def stop(self, timeout: float | None = None) -> None:
        self.stopping.set()
        self.thread.join(timeout)
