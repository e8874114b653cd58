"""The plain llama-index pipeline `python -m eval.bench index` compares ours with.

It is what a user would write from llama-index's documentation: SimpleDirectoryReader,
a splitter, VectorStoreIndex.from_documents into Chroma, llama-index's own HuggingFace
embedding over the same bundled fp32 MiniLM.
"""

from __future__ import annotations

import time
from pathlib import Path


def plain_embed_model(batch_size: int):
    """llama-index's own HuggingFace embedding over the bundled fp32 MiniLM, as a user would."""
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    from index.embedders import bundled_minilm_path

    # Same batch size as ours: the comparison is of pipelines, not of a batch-size knob.
    model = HuggingFaceEmbedding(
        model_name=str(bundled_minilm_path()), device="cpu", embed_batch_size=batch_size
    )
    model.get_text_embedding("warm-up")
    return model


def run_llama_index(files: list[str], store: Path, embed_model, splitter) -> tuple[float, list]:
    """Seconds for files -> Chroma with VectorStoreIndex.from_documents, and the exact texts
    llama-index sent to the model (chunk text plus the metadata it embeds, e.g. file_path)."""
    import chromadb
    from chromadb.config import Settings
    from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
    from llama_index.core.instrumentation import get_dispatcher
    from llama_index.core.instrumentation.event_handlers import BaseEventHandler
    from llama_index.core.instrumentation.events.embedding import EmbeddingEndEvent
    from llama_index.vector_stores.chroma import ChromaVectorStore

    class Recorder(BaseEventHandler):
        texts: list[str] = []

        @classmethod
        def class_name(cls) -> str:
            return "BenchEmbeddedTexts"

        def handle(self, event, **kwargs) -> None:
            if isinstance(event, EmbeddingEndEvent):
                self.texts.extend(event.chunks)

    recorder = Recorder()
    dispatcher = get_dispatcher()  # the root: every embedding event propagates to it
    dispatcher.add_event_handler(recorder)
    try:
        start = time.perf_counter()
        documents = SimpleDirectoryReader(input_files=files).load_data()
        client = chromadb.PersistentClient(
            path=str(store), settings=Settings(anonymized_telemetry=False)
        )
        collection = client.get_or_create_collection("bench")
        storage = StorageContext.from_defaults(
            vector_store=ChromaVectorStore(chroma_collection=collection)
        )
        VectorStoreIndex.from_documents(
            documents,
            storage_context=storage,
            embed_model=embed_model,
            transformations=[splitter],
        )
        seconds = time.perf_counter() - start
    finally:
        dispatcher.event_handlers.remove(recorder)
    return seconds, recorder.texts
