"""Pipelined ingestion: files are read, cleaned, chunked and tokenised while the encoder runs.

Stages (index/pipeline.py decides which files changed and hands the list here):

  parse   a background thread (`workers=1`), or a process pool (`workers>1`, for machines
          with cores to spare): load_document, chunk_document (which tokenises to count), chunk
          hashes. Parsed files wait in a queue of at most `queue_files`, so however large the
          folder, only a few parsed files exist at once (each one is bounded by the size limits).
  encode  the calling thread: vectors cached in the catalog are reused; new chunk texts gather
          until `batch_chunks`, then are embedded in one call, which sorts them by length
          (index/onnx_embedder.py) so that a batch of the model carries little padding.
  write   the calling thread: per batch of files, one Chroma upsert, then one catalog
          transaction, then stale ids pruned. The catalog is only ever touched here.

Crash safety is pipeline.py's contract, unchanged: vectors go to Chroma before the catalog
commits (orphans at worst, which `reconcile` removes at the next run), stale ids leave Chroma
only after it. A kill loses at most the batch in progress; the files of a batch commit
together or not at all. A file that cannot be parsed, for whatever reason, is reported with
its error and the rest is indexed.
"""

from __future__ import annotations

import copy
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from index.catalog import Catalog, FileRecord
from index.chunking import chunk_document
from index.errors import LoadError
from index.limits import Limits
from index.loaders import load_document
from index.ocr import OcrConfig
from index.pdf import PdfResult
from index.pipeline import metadata, sha
from index.types import Chunk, Document

# Workers start from a fresh interpreter: forking a process that runs ONNX Runtime's and
# Chroma's threads can copy a held lock into the child and hang it.
MP_CONTEXT = "spawn"
CountTokens = Callable[[list[str]], list[int]]


# ---------------------------------------------------------------- parse (thread or process)


@dataclass(frozen=True)
class ParseJob:
    path: str
    record: FileRecord  # title and n_chunks still empty
    kind: str  # "added" or "updated"
    ocr: OcrConfig
    overlap_tokens: int
    limits: Limits  # the chunk length, and how far a .gz may decompress


@dataclass
class Parsed:
    job: ParseJob
    doc: Document | None = None
    chunks: list[Chunk] | None = None
    hashes: list[str] | None = None
    error: str | None = None
    ocr_skipped: dict | None = None


# Set in each pool worker by _init_worker; the thread stage passes the embedder's own.
_WORKER_TOKENS: tuple[CountTokens, int] | None = None


def parse_file(job: ParseJob, tokens: tuple[CountTokens, int] | None = None) -> Parsed:
    """Read, clean and chunk one file. `tokens`: (count_tokens, budget) of the embedder."""
    count, budget = tokens or _WORKER_TOKENS
    pdf = PdfResult()
    try:
        doc = load_document(job.path, job.ocr, pdf, job.limits)
    except LoadError as e:
        return Parsed(job, error=e.reason)
    skipped = None
    if pdf.ocr_skipped:
        skipped = {"source": job.record.source, "pages": pdf.ocr_skipped, "reason": pdf.ocr_why}
    doc.source = job.record.source
    chunks = chunk_document(
        doc, count, budget, job.overlap_tokens, max_chars=job.limits.max_chunk_chars
    )
    if not chunks:
        return Parsed(job, error="no text left after cleaning", ocr_skipped=skipped)
    return Parsed(job, doc, chunks, [sha(c.text) for c in chunks], ocr_skipped=skipped)


def _safe_parse(parse: Callable, job: ParseJob, *args) -> Parsed:
    try:
        return parse(job, *args)
    except Exception as e:  # one file's bug in a reader must not abort the whole run
        return Parsed(job, error=_crash(e))


def _crash(e: BaseException) -> str:
    what = " ".join(str(e).split())[:300]
    return (
        f"the reader failed on this file ({type(e).__name__}: {what}); the rest was indexed, "
        "please report it with the file"
    )


def token_spec(embedder) -> tuple:
    """What a pool worker needs to count tokens exactly as `embedder` does, picklable."""
    loaded = getattr(embedder, "_m", None)  # ONNX MiniLM: a `tokenizers` counter, no model
    if loaded is not None and hasattr(loaded, "counter"):
        return ("tokenizers", loaded.counter.to_str(), embedder.budget)
    tokenizer = getattr(embedder, "tokenizer", None)  # sentence-transformers: its tokenizer
    if tokenizer is not None:
        return ("transformers", tokenizer, embedder.budget)
    return ("rough", None, embedder.budget)  # the Embedder base class's estimate


def _init_worker(spec: tuple) -> None:
    global _WORKER_TOKENS
    _WORKER_TOKENS = _counter(spec)


def thread_tokens(embedder) -> tuple[CountTokens, int]:
    """(count_tokens, budget) for the reader thread. sentence-transformers encodes with the
    very tokenizer it counts with, and a fast tokenizer switched between padding modes by two
    threads at once fails ("Already borrowed"): the thread counts with its own copy."""
    if getattr(embedder, "tokenizer", None) is not None:
        return _counter(token_spec(embedder))
    return embedder.count_tokens, embedder.budget


def _counter(spec: tuple) -> tuple[CountTokens, int]:
    kind, payload, budget = spec
    if kind == "tokenizers":
        from tokenizers import Tokenizer

        counter = Tokenizer.from_str(payload)

        def count(texts):
            return [len(e.ids) for e in counter.encode_batch(list(texts), add_special_tokens=False)]
    elif kind == "transformers":
        tokenizer = copy.deepcopy(payload)

        def count(texts):
            ids = tokenizer(list(texts), add_special_tokens=False)["input_ids"]
            return [len(x) for x in ids]
    else:

        def count(texts):
            return [max(1, len(t) // 4) for t in texts]

    return count, budget


def _parse_in_thread(jobs: list[ParseJob], tokens, stop: threading.Event) -> Iterator[Parsed]:
    for job in jobs:
        if stop.is_set():
            return
        yield _safe_parse(parse_file, job, tokens)


def _parse_in_pool(
    jobs: list[ParseJob], workers: int, spec: tuple, stop: threading.Event
) -> Iterator[Parsed]:
    """Results in submission order (so the store does not depend on scheduling), with at most
    2 * workers files parsed or in flight beyond the queue."""
    todo = deque(jobs)
    serial = 0  # after a worker died: jobs to re-run one at a time to find the culprit
    while todo and not stop.is_set():
        pool = ProcessPoolExecutor(
            workers, mp_context=get_context(MP_CONTEXT), initializer=_init_worker, initargs=(spec,)
        )
        window: deque = deque()
        try:
            while (todo or window) and not stop.is_set():
                limit = 1 if serial else 2 * workers
                while todo and len(window) < limit:
                    # parse_file looked up now: a test may swap it for one that fails.
                    window.append((todo[0], pool.submit(_safe_parse, parse_file, todo[0])))
                    todo.popleft()
                job, future = window[0]
                try:
                    result = future.result()
                except BrokenProcessPool:
                    if serial or len(window) == 1:
                        # Alone in the pool and it died (a crash in native code): its fault.
                        window.popleft()
                        yield Parsed(job, error=_crash(RuntimeError("the parser process died")))
                    # Re-run the others one at a time in a new pool.
                    todo.extendleft(reversed([j for j, _ in window]))
                    serial = len(window)
                    break
                window.popleft()
                serial = max(0, serial - 1)
                yield result
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


class _Done:
    pass


def _produce(source: Iterator[Parsed], out: queue.Queue, stop: threading.Event) -> None:
    """Feed parsed files into the bounded queue; end with _Done, or the exception raised."""
    end: object = _Done()
    try:
        for item in source:
            if not _put(out, item, stop):
                return
    except BaseException as e:  # noqa: BLE001 - handed to the consumer, which raises it
        end = e
    finally:
        source.close()  # a pool shuts down here, also when the consumer stopped early
    _put(out, end, stop)


def _put(out: queue.Queue, item, stop: threading.Event) -> bool:
    while not stop.is_set():
        try:
            out.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


# ---------------------------------------------------------------- encode and write


@dataclass
class _Pending:
    parsed: Parsed
    record: FileRecord
    vectors: dict[str, np.ndarray]  # cached before the batch: not embedded again


class Ingest:
    """Runs the stages over `jobs`, adding to `report` (an IndexReport)."""

    def __init__(self, cfg, catalog: Catalog, chroma, embedder, name: str, progress: bool):
        self.cfg, self.catalog, self.chroma = cfg, catalog, chroma
        self.embedder, self.name, self.progress = embedder, name, progress

    def jobs(self, todo: list[tuple[Path, FileRecord, str]]) -> list[ParseJob]:
        cfg = self.cfg
        return [
            ParseJob(str(p), rec, kind, cfg.ocr, cfg.overlap_tokens, cfg.limits)
            for p, rec, kind in todo
        ]

    def run(self, jobs: list[ParseJob], report, on_file) -> None:
        if not jobs:
            return
        from tqdm import tqdm

        stop = threading.Event()
        if self.cfg.workers > 1:
            source = _parse_in_pool(jobs, self.cfg.workers, token_spec(self.embedder), stop)
        else:
            source = _parse_in_thread(jobs, thread_tokens(self.embedder), stop)
        parsed: queue.Queue = queue.Queue(maxsize=max(1, self.cfg.queue_files))
        producer = threading.Thread(
            target=_produce, args=(source, parsed, stop), name="rag-index-parse", daemon=True
        )
        bar = tqdm(total=len(jobs), unit="file", disable=not self.progress, desc="indexing")
        self._bar, self._start, self._chunks = bar, time.perf_counter(), 0
        producer.start()
        try:
            pending: list[_Pending] = []
            need: dict[str, str] = {}
            while not isinstance(item := parsed.get(), _Done):
                if isinstance(item, BaseException):
                    raise item
                bar.update(1)
                entry = self._take(item, report)
                if entry is None:
                    continue
                for h, c in zip(item.hashes, item.chunks, strict=True):
                    if h not in entry.vectors:
                        need.setdefault(h, c.text)
                pending.append(entry)
                if len(need) >= self.cfg.batch_chunks:
                    self._flush(pending, need, report, on_file)
                    pending, need = [], {}
            self._flush(pending, need, report, on_file)
        finally:
            stop.set()  # a producer blocked on the full queue sees it within 0.1 s
            producer.join()
            bar.close()

    def _take(self, item: Parsed, report) -> _Pending | None:
        source = item.job.record.source
        if item.ocr_skipped:
            report.ocr_skipped.append(item.ocr_skipped)
        if item.error is not None:
            report.errors.append({"source": source, "error": item.error})
            return None
        rec = item.job.record
        record = FileRecord(
            source, rec.content_hash, rec.size, rec.mtime_ns, item.doc.title, len(item.chunks)
        )
        cached = self.catalog.cached_vectors(sorted(set(item.hashes)))
        return _Pending(item, record, cached)

    def _flush(self, pending: list[_Pending], need: dict[str, str], report, on_file) -> None:
        fresh: dict[str, np.ndarray] = {}
        if need:
            keys = list(need)
            vecs = self.embedder.embed([need[k] for k in keys])
            fresh = dict(zip(keys, vecs, strict=True))
            report.embedded += len(keys)
        if not pending:
            return
        rows = [_rows(p, fresh) for p in pending]
        # One vector-store write per batch (per-file writes cost ~10% of a run).
        self.chroma.add(
            [i for r in rows for i in r[0]],
            np.concatenate([r[1] for r in rows]),
            [t for r in rows for t in r[2]],
            [m for r in rows for m in r[3]],
        )
        stale: list[str] = []
        # One catalog transaction per batch: the files of a batch are committed together.
        with self.catalog.transaction():
            if self.catalog.get_meta("embedder") is None:
                self.catalog.set_meta("embedder", self.name)
                self.catalog.set_meta("dim", str(rows[0][1].shape[1]))
            for p, (ids, vectors, _, _) in zip(pending, rows, strict=True):
                doc, parsed = p.parsed.doc, p.parsed
                stale += sorted(self.catalog.chunk_ids(p.record.source) - set(ids))
                self.catalog.put_file(
                    p.record,
                    doc.text,
                    parsed.chunks,
                    ids,
                    parsed.hashes,
                    vectors,
                    doc.title,
                    doc.pages,  # page spans and OCR word boxes: a citation's own page
                    doc.code,  # code blocks: never quoted as the sentence that answers
                )
        for p in pending:
            kind = p.parsed.job.kind
            setattr(report, kind, getattr(report, kind) + 1)
            self._chunks += len(p.parsed.chunks)
            if on_file:
                on_file(p.record.source)
        if stale:
            self.chroma.delete(stale)
        rate = self._chunks / max(1e-9, time.perf_counter() - self._start)
        self._bar.set_postfix_str(f"{self._chunks} chunks, {rate:.1f} chunks/s")


def _rows(p: _Pending, fresh: dict[str, np.ndarray]):
    src, chunks, hashes = p.record.source, p.parsed.chunks, p.parsed.hashes
    vectors = np.stack([p.vectors.get(h, fresh.get(h)) for h in hashes])
    ids = [sha(f"{src}\0{c.start}\0{c.end}\0{h}")[:32] for c, h in zip(chunks, hashes, strict=True)]
    doc_title = p.parsed.doc.title
    metas = [metadata(src, c.title, doc_title, c.start, c.end, c.page) for c in chunks]
    return ids, vectors, [c.text for c in chunks], metas
