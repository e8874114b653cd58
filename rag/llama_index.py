"""Our store, hybrid retrieval and verified answers as llama-index components.

    from rag.llama_index import GroundedQueryEngine, GroundedRetriever

    retriever = GroundedRetriever.from_store(".rag-store", top_k=5)
    nodes = retriever.retrieve("Who is the CEO of Alibaba Group?")   # NodeWithScore(TextNode)
    RetrieverQueryEngine.from_args(retriever, llm=my_llm)             # llama-index's own engine

    engine = GroundedQueryEngine.from_store(".rag-store", llm=Ollama(model="qwen2.5:7b"))
    response = engine.query("Who is the CEO of Alibaba Group?")
    response.source_nodes        # the cited spans, offsets exact into the cleaned text
    response.metadata            # Answer.to_dict(): abstained, per-sentence support, timings

A retrieved node is a chunk: `id_` is our chunk id, `start_char_idx`/`end_char_idx` slice the
document's cleaned text (`IndexReader.doc_text(source)`) to exactly `node.text`, and its source
document (`ref_doc_id`) is the file path. Nothing here reads `llama_index.core.Settings`: the
engine's LLM is the one passed (default: our extractive backend, no model at all).

Importing this module imports llama-index; `import rag` does not.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.response.schema import Response
from llama_index.core.callbacks import CallbackManager
from llama_index.core.query_engine import CustomQueryEngine
from llama_index.core.schema import (
    NodeRelationship,
    NodeWithScore,
    QueryBundle,
    RelatedNodeInfo,
    TextNode,
)

from index.errors import ConfigError
from index.pipeline import IndexConfig, default_store
from index.reader import IndexReader
from rag.answer import Answer, Citation, Source
from rag.llm import LLMConfig
from rag.pipeline import AskConfig, Pipeline
from rag.retrieval import RetrievalConfig, retrieve

MODES = ("hybrid", "dense", "lexical")
# Numbers meant for people and evaluators, not for an LLM's prompt or an embedding.
_HIDDEN = ["chunk_id", "fused_score", "dense_score", "lexical_score", "n", "page"]


def _index_config(path: str | Path | None, index: IndexConfig | None) -> IndexConfig:
    if index is not None:
        return index
    return IndexConfig(store=Path(path).expanduser() if path else default_store())


def _node(id_: str, text: str, start: int, end: int, source: str, meta: dict[str, Any]) -> TextNode:
    return TextNode(
        id_=id_,
        text=text,
        start_char_idx=start,
        end_char_idx=end,
        metadata=meta,
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=source)},
        excluded_llm_metadata_keys=[k for k in _HIDDEN if k in meta],
        excluded_embed_metadata_keys=[k for k in _HIDDEN if k in meta],
    )


def source_node(s: Source) -> NodeWithScore:
    """A retrieved chunk as a llama-index node, scored by the fused (reciprocal rank) score."""
    meta = {
        "source": s.source,
        "title": s.title,
        "page": s.page,
        "fused_score": s.score,
        "dense_score": s.dense,
        "lexical_score": s.lexical,
    }
    return NodeWithScore(
        node=_node(s.chunk_id, s.text, s.start, s.end, s.source, meta), score=s.score
    )


def citation_node(c: Citation) -> NodeWithScore:
    """A cited span as a node; its id names the chunk and the span, which may be narrower."""
    meta = {"n": c.n, "source": c.source, "title": c.title, "page": c.page, "chunk_id": c.chunk_id}
    node = _node(f"{c.chunk_id}:{c.start}-{c.end}", c.text, c.start, c.end, c.source, meta)
    return NodeWithScore(node=node, score=c.score)


def to_response(answer: Answer) -> Response:
    """Our Answer as a llama-index Response: the text, the cited spans, and the whole record."""
    return Response(
        response=answer.text,
        source_nodes=[citation_node(c) for c in answer.citations],
        metadata=answer.to_dict(),
    )


class GroundedRetriever(BaseRetriever):
    """Hybrid retrieval (Chroma cosine + BM25, fused by reciprocal rank) over one store."""

    def __init__(
        self,
        reader: IndexReader,
        config: RetrievalConfig | None = None,
        sources: list[str] | None = None,
        callback_manager: CallbackManager | None = None,
    ):
        # Explicit, so llama-index never falls back to Settings.callback_manager.
        super().__init__(callback_manager=callback_manager or CallbackManager([]))
        self.reader = reader
        self.config = config or RetrievalConfig()
        self.sources = sources  # only these files (absolute paths), like `rag ask --source`

    @classmethod
    def from_store(
        cls,
        path: str | Path | None = None,
        *,
        top_k: int = 6,
        mode: str = "hybrid",
        sources: list[str] | None = None,
        index: IndexConfig | None = None,
    ) -> GroundedRetriever:
        """Open the store at `path` (default: $RAG_STORE, else ./.rag-store) for reading."""
        if mode not in MODES:
            raise ConfigError(f"unknown retrieval mode {mode!r}; choose one of: {', '.join(MODES)}")
        reader = IndexReader(_index_config(path, index))
        return cls(reader, RetrievalConfig(top_k=top_k, mode=mode), sources)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        # Our own embedder embeds the query: a vector computed by another model would not
        # match the store's, so query_bundle.embedding is not used.
        found = retrieve(self.reader, query_bundle.query_str, self.config, self.sources)
        return [source_node(s) for s in found]

    def close(self) -> None:
        self.reader.close()

    def __enter__(self) -> GroundedRetriever:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class GroundedQueryEngine(CustomQueryEngine):
    """Our whole read path (condense, retrieve, judge, generate, verify, abstain) as a query
    engine; `Response.metadata` is `Answer.to_dict()`, `source_nodes` the cited spans."""

    pipeline: Pipeline
    sources: list[str] | None = None

    @classmethod
    def from_store(
        cls,
        path: str | Path | None = None,
        *,
        llm: Any = None,
        top_k: int = 6,
        flag_unsupported: bool = False,
        sources: list[str] | None = None,
        index: IndexConfig | None = None,
    ) -> GroundedQueryEngine:
        """`llm`: a backend name ("extractive", "local", "ollama", ...), an LLMConfig, or an
        LLM instance, ours or any llama-index LLM (default: extractive, no model)."""
        cfg = AskConfig(
            index=_index_config(path, index),
            retrieval=RetrievalConfig(top_k=top_k),
            flag_unsupported=flag_unsupported,
        )
        instance = None
        if isinstance(llm, str):
            cfg = replace(cfg, llm=LLMConfig(backend=llm))
        elif isinstance(llm, LLMConfig):
            cfg = replace(cfg, llm=llm)
        else:
            instance = llm
        return cls(pipeline=Pipeline(cfg, llm=instance), sources=sources)

    def custom_query(self, query_str: str) -> Response:
        return to_response(self.pipeline.ask(query_str, sources=self.sources))

    def close(self) -> None:
        self.pipeline.close()

    def __enter__(self) -> GroundedQueryEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
