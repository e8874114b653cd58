"""What the HTTP routes do, without HTTP: one shared pipeline, documents, uploads, status.

Readers share one open `Pipeline` (loaded once: embedder, reader model, backend); questions
run concurrently in the server's worker threads. Writers (uploads, deletes) go through
index/uploads.py, which serialises them and holds the store's write lock; a question asked
meanwhile reads the catalog's last committed state (SQLite WAL), never a half-written file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from index import uploads
from index.errors import RagError
from index.lock import holder
from index.pipeline import CATALOG_FILE, store_status
from rag.answer import Answer
from rag.pipeline import AskConfig, Pipeline, PipelineCache


class NotFound(RagError):
    """No indexed document has this id."""


@dataclass(frozen=True)
class ServeConfig:
    ask: AskConfig
    max_upload_bytes: int = uploads.DEFAULT_MAX_BYTES


# The page mounted at /ui and the API share one cache (ui.app.Pipelines extends it).
OpenPipelines = PipelineCache


class Service:
    def __init__(self, cfg: ServeConfig, pipelines=None):
        self.cfg = cfg
        self.pipelines = pipelines if pipelines is not None else OpenPipelines()

    @property
    def index(self):
        return self.cfg.ask.index

    def pipeline(self) -> Pipeline:
        return self.pipelines.get(self.cfg.ask)

    # --- questions -----------------------------------------------------------------------

    def ask(self, question: str, history=None, sources: list[str] | None = None) -> Answer:
        return self.pipeline().ask(question, history, self.sources_filter(sources))

    def stream(self, question: str, history=None, sources: list[str] | None = None):
        return self.pipeline().stream(question, history, self.sources_filter(sources))

    def sources_filter(self, sources: list[str] | None) -> list[str] | None:
        """Document ids or source paths -> source paths; an unknown one is an error."""
        if not sources:
            return None
        known = self._files()
        by_id = {uploads.document_id(s): s for s in known}
        out = []
        for s in sources:
            if s in known:
                out.append(s)
            elif s in by_id:
                out.append(by_id[s])
            else:
                raise NotFound(f"no indexed document {s!r}; list them with GET /v1/documents")
        return out

    # --- documents -----------------------------------------------------------------------

    def _has_store(self) -> bool:
        return self.index.chroma_url is not None or (self.index.store / CATALOG_FILE).exists()

    def _files(self) -> dict:
        if not self._has_store():
            return {}
        return self.pipeline().reader.catalog.files()

    def documents(self) -> list[dict]:
        folder = uploads.uploads_dir(self.index).resolve()
        out = []
        for source, rec in sorted(self._files().items()):
            out.append(
                {
                    "id": uploads.document_id(source),
                    "source": source,
                    "title": rec.title,
                    "chunks": rec.n_chunks,
                    "size": rec.size,
                    "uploaded": _parent(source) == str(folder),
                }
            )
        return out

    def resolve(self, doc_id: str) -> str:
        for source in self._files():
            if uploads.document_id(source) == doc_id:
                return source
        raise NotFound(f"no indexed document with id {doc_id!r}; list them with GET /v1/documents")

    def source_text(self, doc_id: str) -> dict:
        """The cleaned text of an indexed document (citation offsets point into it).

        Only what the catalog holds is served: an id is looked up among indexed documents, and
        the text comes from the catalog, never from the file system.
        """
        source = self.resolve(doc_id)
        reader = self.pipeline().reader
        rec = reader.catalog.files().get(source)
        text = reader.doc_text(source)
        if rec is None or text is None:  # deleted meanwhile
            raise NotFound(f"the document {doc_id!r} was removed; list them with GET /v1/documents")
        return {"id": doc_id, "source": source, "title": rec.title, "text": text}

    def upload(self, data: BinaryIO, name: str | None) -> uploads.UploadResult:
        return uploads.store_upload(data, name, self.index, self.cfg.max_upload_bytes)

    def delete(self, doc_id: str) -> dict:
        source = self.resolve(doc_id)
        return {"id": doc_id, **uploads.remove_document(source, self.index)}

    # --- status --------------------------------------------------------------------------

    def status(self) -> dict:
        writing = holder(self.index.store)
        out = {
            "store": str(self.index.store.resolve()),
            "backend": self.cfg.ask.llm.backend,
            "indexing": writing is not None,
            "indexing_by": writing,
            "max_upload_bytes": self.cfg.max_upload_bytes,
        }
        if not self._has_store():
            return {**out, "documents": 0, "chunks": 0, "ready": False}
        return {**out, **store_status(self.index), "ready": True}


def _parent(source: str) -> str:
    from pathlib import Path

    return str(Path(source).parent.resolve())
