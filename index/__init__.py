"""Write path: files -> Documents -> Chunks -> vectors + lexical index. Knows no LLM."""

from index.embedders import Embedder, EmbedderConfig, get_embedder
from index.errors import RagError
from index.pipeline import IndexConfig, IndexReport, default_store, index_paths, store_status
from index.types import Chunk, Document, Page, Section

__all__ = [
    "Chunk",
    "Document",
    "Embedder",
    "EmbedderConfig",
    "IndexConfig",
    "IndexReport",
    "Page",
    "RagError",
    "Section",
    "default_store",
    "get_embedder",
    "index_paths",
    "store_status",
]
