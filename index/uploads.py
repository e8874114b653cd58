"""Uploaded files: one place where a client's bytes become an indexed document.

Shared by the HTTP API (`rag serve`) and the Gradio page (`rag ui`), so both follow the same
rules:

- The client's file name is data, not a path: `safe_name` keeps only its last component, drops
  control characters and leading dots, so nothing lands outside `<store>/uploads`.
- A name that exists is never overwritten: the same bytes again are a no-op, other bytes are
  kept apart as `name~<hash>.ext`, so both documents stay searchable (issue 14, item 8).
- Size is capped while copying (`max_bytes`); a file over the cap is refused, never stored.
- Bytes are written to a hidden temporary file and renamed into place, so the indexer (which
  skips hidden files) never reads a half-written upload.
- Writers are serialised: one thread at a time in this process, and the store's write lock
  (index/lock.py) against other processes. `lock_wait` in IndexConfig says how long to wait.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

from index.compressed import GZ, inner_name
from index.errors import RagError
from index.loaders import unsupported
from index.lock import StoreLock
from index.pipeline import IndexConfig, index_paths, open_store

UPLOADS_DIR = "uploads"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # a laptop-sized default; `--max-upload-mb` raises it
MAX_NAME_BYTES = 200  # below every common file system's 255-byte limit, leaving room for ~hash
_CHUNK = 1 << 20

# One writer thread at a time in this process: the store lock is per open file, so two threads
# of one server would otherwise refuse each other instead of queueing.
_WRITER = threading.Lock()


class UploadTooLarge(RagError):
    """A file is over the upload size cap."""


@dataclass(frozen=True)
class UploadResult:
    """What happened to one uploaded file (the API returns `to_dict()` per file)."""

    name: str  # the sanitised name the client sent
    status: str  # "added" | "updated" | "unchanged" | "error"
    detail: str = ""
    stored_as: str | None = None  # the file name inside <store>/uploads, when stored
    source: str | None = None  # the indexed path (the document's source)
    id: str | None = None  # document_id(source)
    chunks: int = 0  # chunks embedded for it by this upload

    def to_dict(self) -> dict:
        return asdict(self)


def document_id(source: str) -> str:
    """A stable, URL-safe id for an indexed source path."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


def safe_name(name: str | None) -> str:
    """The last path component of a client's file name, safe to create inside uploads/."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Control characters (newlines included) would break one-line messages and listings.
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()  # no hidden files, no ".."
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        suffix = "".join(Path(name).suffixes[-2:])[:20]
        stem = name[: len(name) - len(suffix)]
        while len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES:
            stem = stem[:-1]
        name = stem + suffix
    return name or "upload"


def uploads_dir(cfg: IndexConfig) -> Path:
    return cfg.store / UPLOADS_DIR


def _copy_capped(data: BinaryIO, folder: Path, max_bytes: int) -> tuple[Path, str]:
    """Copy `data` into a hidden temporary file in `folder`; returns (path, sha256)."""
    fd, tmp = tempfile.mkstemp(prefix=".upload-", dir=folder)
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as out:
            while block := data.read(_CHUNK):
                size += len(block)
                if size > max_bytes:
                    raise UploadTooLarge(
                        f"the file is over the upload limit of {max_bytes / 1e6:g} MB; "
                        "split it, or ask the operator to raise --max-upload-mb"
                    )
                digest.update(block)
                out.write(block)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp), digest.hexdigest()


def _sha_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _place(tmp: Path, digest: str, name: str, folder: Path) -> tuple[Path, bool]:
    """Rename `tmp` to `name` in `folder`, or next to a same-name file; (path, already_there).

    Never replaces a file: the same content already there is reused (the temporary is removed).
    """
    path = Path(name)
    # The hash goes before every suffix that names the type ('manual~hash.pdf.gz',
    # 'page~hash.rst.txt'): 'manual.pdf~hash.gz' would no longer be read as a PDF.
    parts = 1 + (path.suffix.lower() == GZ) + inner_name(name).lower().endswith(".rst.txt")
    suffix = "".join(path.suffixes[-parts:])
    stem = name[: len(name) - len(suffix)] if suffix else name
    candidates = [name] + [f"{stem}~{digest[:n]}{suffix}" for n in (8, 16, 64)]
    for candidate in candidates:
        dest = folder / candidate
        # Defence in depth: a sanitised name cannot escape, and this proves it.
        if dest.resolve().parent != folder.resolve():
            raise RagError(f"upload name {name!r} resolves outside {folder}; rename the file")
        if dest.exists():
            if dest.is_file() and _sha_file(dest) == digest:
                tmp.unlink(missing_ok=True)
                return dest, True
            continue
        try:
            os.link(tmp, dest)  # fails if the name appeared meanwhile: never overwrites
        except FileExistsError:
            continue
        tmp.unlink(missing_ok=True)
        return dest, False
    tmp.unlink(missing_ok=True)
    raise RagError(f"cannot find a free name for {name!r} in {folder}; rename the file")


def store_upload(
    data: BinaryIO | str | Path,
    name: str | None,
    cfg: IndexConfig,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> UploadResult:
    """Store one upload in <store>/uploads/ and index it; never raises for a bad file.

    `data` is a readable binary stream or the path of a file (Gradio's temporary copy).
    Errors a user can act on (type, size, a file the index refuses, the store busy beyond
    `cfg.lock_wait`) come back as status "error" with a one-line detail.
    """
    if isinstance(data, str | Path):
        name = name if name is not None else Path(data).name
    safe = safe_name(name)
    if problem := unsupported(safe):
        return UploadResult(safe, "error", problem)
    try:
        if isinstance(data, str | Path):
            if os.path.getsize(data) > max_bytes:  # refuse before reading a huge file
                raise UploadTooLarge(
                    f"the file is over the upload limit of {max_bytes / 1e6:g} MB; "
                    "split it, or ask the operator to raise --max-upload-mb"
                )
            with open(data, "rb") as f:
                return _store(f, safe, cfg, max_bytes)
        return _store(data, safe, cfg, max_bytes)
    except OSError as e:
        return UploadResult(safe, "error", f"cannot store the file: {e.strerror or e}")
    except RagError as e:
        return UploadResult(safe, "error", str(e))


def _store(data: BinaryIO, safe: str, cfg: IndexConfig, max_bytes: int) -> UploadResult:
    folder = uploads_dir(cfg)
    folder.mkdir(parents=True, exist_ok=True)
    tmp, digest = _copy_capped(data, folder, max_bytes)
    with _WRITER:
        dest, existed = _place(tmp, digest, safe, folder)
        try:
            report = index_paths([dest], cfg, progress=False)
        except BaseException:
            if not existed:
                dest.unlink(missing_ok=True)
            raise
    source = os.path.abspath(dest)
    if report.errors:
        if not existed:  # a file the index refused would only confuse a later re-index
            dest.unlink(missing_ok=True)
        detail = "; ".join(e["error"] for e in report.errors)
        return UploadResult(safe, "error", detail)
    status = "added" if report.added else "updated" if report.updated else "unchanged"
    n = report.embedded
    if status == "unchanged":
        detail = "the same file is already indexed"
    else:
        detail = f"{n} chunk{'' if n == 1 else 's'} embedded" if n else "indexed (no new chunks)"
    if dest.name != safe:
        detail += f"; a different file named {safe!r} exists, so this one is {dest.name!r}"
    return UploadResult(safe, status, detail, dest.name, source, document_id(source), n)


def remove_document(source: str, cfg: IndexConfig) -> dict:
    """Drop one indexed document from the store; its file is deleted only if it is an upload.

    Takes the same locks as indexing. Returns {"source", "chunks", "file_deleted"}; a source
    the catalog does not hold raises RagError.
    """
    with _WRITER, StoreLock(cfg.store, cfg.lock_wait, "delete"):
        catalog, chroma = open_store(cfg)
        try:
            if source not in catalog.files():
                raise RagError(f"no indexed document {source!r}; list them with GET /v1/documents")
            ids = sorted(catalog.chunk_ids(source))
            # Catalog first: a kill between the two leaves orphan vectors, which the next
            # writer's reconcile deletes; the reverse would leave chunks without vectors.
            with catalog.transaction():
                catalog.remove_file(source)
                catalog.drop_unused_vectors()
            chroma.delete(ids)
        finally:
            catalog.close()
        path = Path(source)
        deleted = False
        if path.parent.resolve() == uploads_dir(cfg).resolve():
            path.unlink(missing_ok=True)
            deleted = True
    return {"source": source, "chunks": len(ids), "file_deleted": deleted}
