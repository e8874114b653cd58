"""The bundled MiniLM run by ONNX Runtime: "minilm" (fp32, the default) and "minilm-int8".

Nothing is downloaded. On first use the bundled weights are exported with `torch.onnx` (about
30 s on 2 cores, announced on stderr) and, for int8, quantised with
`onnxruntime.quantization.quantize_dynamic`; the files are cached under
`$XDG_CACHE_HOME/grounded-rag/onnx/<hash>/` (default `~/.cache`), keyed by the model files and
the export recipe, so later runs only open an ONNX Runtime session and never import torch.

Output follows the sentence-transformers model (mean pooling over the attention mask, then L2
normalisation). fp32 gives the torch encoder's vectors (cosine >= 0.99999), so a store built
with either runtime serves both. int8 against fp32 on the Python docs: cosine 0.994 on average,
0.985 at worst, and about 3x the speed on a 2-core AVX2/VNNI CPU. Its activations are quantised
per batch, so a text's vector also moves a little (cosine ~0.995) with its batch neighbours.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from index.embedders import Embedder
from index.errors import ConfigError

PIP_LINE = "pip install 'onnx>=1.16' 'onnxruntime>=1.18'"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# Part of the cache key: change it whenever the export or the quantisation changes.
RECIPE = "torchscript-opset17/eager-mask/dynamic-int8-per-channel-matmul/v1"
# The files that determine the exported graph's weights and shapes.
MODEL_FILES = ("config.json", "model.safetensors", "pytorch_model.bin")


#: cached file per precision; fp32 is also what int8 is quantised from
FILES = {"fp32": "model.onnx", "int8": "model.int8.onnx"}


def _require_onnxruntime(export: bool = False):
    try:
        if export:
            import onnx  # noqa: F401  (export and quantize_dynamic need it; fail before work)
        import onnxruntime
    except ImportError as e:
        raise ConfigError(f"the ONNX MiniLM embedder needs ONNX Runtime: {PIP_LINE}") from e
    return onnxruntime


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "grounded-rag" / "onnx"


def model_digest(model_dir: Path) -> str:
    """Hash of the recipe and the model files, remembered per (path, size, mtime) of the files:
    hashing 90 MB of weights costs ~0.4 s, on every cold start otherwise."""
    files = [model_dir / n for n in MODEL_FILES if (model_dir / n).is_file()]
    stamp = "|".join(f"{f.resolve()}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files)
    memo = cache_root() / "digests.json"
    try:
        known = json.loads(memo.read_text())
    except (OSError, ValueError):
        known = {}
    key = f"{RECIPE}|{stamp}"
    if isinstance(known, dict) and isinstance(known.get(key), str):
        return known[key]
    digest = _hash_model(model_dir)
    try:  # a cache that cannot be written only costs the hashing again
        memo.parent.mkdir(parents=True, exist_ok=True)
        tmp = _atomic_path(memo)
        tmp.write_text(json.dumps({**(known if isinstance(known, dict) else {}), key: digest}))
        os.replace(tmp, memo)
    except OSError:
        pass
    return digest


def _hash_model(model_dir: Path) -> str:
    h = hashlib.sha256(RECIPE.encode())
    for name in MODEL_FILES:
        f = model_dir / name
        if not f.is_file():
            continue
        h.update(name.encode() + b"\0")
        with f.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()[:16]


def _atomic_path(final: Path) -> Path:
    """A fresh temp file beside `final`, so that os.replace onto it is atomic."""
    fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".tmp")
    os.close(fd)
    os.chmod(tmp, 0o644)  # mkstemp makes it private; a cache file is not a secret
    return Path(tmp)


def export_fp32(model_dir: Path, out: Path, patch: Callable | None = None) -> None:
    """Export the transformer (token vectors, before pooling) to ONNX with dynamic axes.
    `patch(model)` may change the loaded weights first (the span encoder merges its adapters)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights are local; never ask a hub
    try:
        import torch
        from transformers import AutoModel
    except ImportError as e:
        raise ConfigError(
            f"exporting MiniLM to ONNX needs torch once: pip install torch==2.13.0 "
            f"transformers (or copy {out.parent} from a machine that has it)"
        ) from e

    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # "Loading weights" would break the one-line message
    # Eager attention and our own additive mask: transformers' mask helpers branch on Python
    # values while tracing, which bakes the example's padding into the graph.
    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()
    if patch is not None:
        patch(model)

    class TokenVectors(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            h = self.bert.embeddings(input_ids=input_ids, token_type_ids=token_type_ids)
            keep = attention_mask[:, None, None, :].to(h.dtype)
            additive = (1.0 - keep) * torch.finfo(h.dtype).min
            return self.bert.encoder(h, attention_mask=additive).last_hidden_state

    example = torch.ones((2, 8), dtype=torch.long)
    axes = {"batch": 0, "seq": 1}
    dynamic = {name: {i: n for n, i in axes.items()} for name in (*INPUTS, "token_vectors")}
    tmp = _atomic_path(out)
    try:
        with torch.no_grad():
            torch.onnx.export(
                TokenVectors(model),
                (example, example, torch.zeros_like(example)),
                str(tmp),
                dynamo=False,  # the dynamo exporter needs onnxscript, which we do not ship
                input_names=list(INPUTS),
                output_names=["token_vectors"],
                dynamic_axes=dynamic,
                opset_version=17,
            )
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def quantize_int8(fp32: Path, out: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = _atomic_path(out)
    try:
        # Per-channel weights: per-tensor scales cost far more (mean cosine 0.93 vs 0.994 on
        # the Python docs). MatMul only: the embedding table stays fp32, where int8 buys no
        # speed and only loses precision.
        quantize_dynamic(
            str(fp32),
            str(tmp),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
        )
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def ensure_model(model_dir: Path, precision: str = "fp32", cache_dir: Path | None = None) -> Path:
    """The cached ONNX model for `model_dir` at `precision`, exported (and quantised) if missing."""
    folder = (cache_dir or cache_root()) / model_digest(model_dir)
    fp32, target = folder / FILES["fp32"], folder / FILES[precision]
    if target.is_file():
        _require_onnxruntime()
        return target
    _require_onnxruntime(export=True)
    folder.mkdir(parents=True, exist_ok=True)
    # Once per machine and model; say so, or a first `rag ask` looks hung for half a minute.
    print(
        f"rag: exporting the bundled MiniLM to ONNX {precision} (once) into {folder} ...",
        end="",
        file=sys.stderr,
        flush=True,
    )
    start = time.perf_counter()
    try:
        if not fp32.is_file():
            export_fp32(model_dir, fp32)
        if precision == "int8":
            quantize_int8(fp32, target)
    finally:
        print(f" {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return target


def ensure_int8_model(model_dir: Path, cache_dir: Path | None = None) -> Path:
    """The cached int8 model for `model_dir`, exported and quantised first if missing."""
    return ensure_model(model_dir, "int8", cache_dir)


@dataclass(frozen=True)
class _Loaded:
    session: object  # onnxruntime.InferenceSession
    counter: object  # tokenizers.Tokenizer: no special tokens, no truncation, no padding
    encoder: object  # tokenizers.Tokenizer: special tokens, truncated to max_tokens
    max_tokens: int
    specials: int
    pad_id: int
    dim: int


def cpu_session(ort, onnx_file: Path):
    """An ONNX Runtime CPU session with our thread settings (the embedder's and the span
    encoder's)."""
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = os.cpu_count() or 1
    opts.inter_op_num_threads = 1
    # Idle threads sleep instead of spinning: on a busy laptop spinning threads fight the other
    # processes for the cores (measured on 2 shared cores under load: one query 79 vs 114 ms,
    # a 32x128 batch 10.6 vs 11.4 s, with spinning off vs on).
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(onnx_file), opts, providers=["CPUExecutionProvider"])


@lru_cache(maxsize=4)
def _load(model_dir: str, cache_dir: str | None, precision: str) -> _Loaded:
    """Session and tokenizers, once per process like the fp32 model.

    The `tokenizers` library reads the same tokenizer.json that transformers' fast tokenizer
    wraps (so token counts are identical) without importing transformers, which imports torch:
    about 300 MB of RSS and seconds of start-up that the ONNX path does not need.
    """
    ort = _require_onnxruntime()
    from tokenizers import Tokenizer

    path = Path(model_dir)
    onnx_file = ensure_model(path, precision, Path(cache_dir) if cache_dir else None)
    session = cpu_session(ort, onnx_file)

    st_config = path / "sentence_bert_config.json"
    max_tokens = 256
    if st_config.is_file():
        max_tokens = int(json.loads(st_config.read_text()).get("max_seq_length", max_tokens))
    config = json.loads((path / "config.json").read_text())
    counter = Tokenizer.from_file(str(path / "tokenizer.json"))
    counter.no_padding()  # the bundled file pads every text to 128
    counter.no_truncation()
    encoder = Tokenizer.from_str(counter.to_str())
    encoder.enable_truncation(max_length=max_tokens)
    specials = len(encoder.encode("").ids)  # [CLS] and [SEP]
    return _Loaded(
        session=session,
        counter=counter,
        encoder=encoder,
        max_tokens=max_tokens,
        specials=specials,
        pad_id=int(config.get("pad_token_id") or 0),
        dim=int(config["hidden_size"]),
    )


class OnnxEmbedder(Embedder):
    precision = "fp32"

    def __init__(self, path: Path, name: str, batch_size: int = 64, cache_dir: Path | None = None):
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        self.name = name
        self.batch_size = batch_size
        self._m = _load(str(path), str(cache_dir) if cache_dir else None, self.precision)
        self.session = self._m.session
        self.max_tokens = self._m.max_tokens

    @property
    def dim(self) -> int:
        return self._m.dim

    @property
    def budget(self) -> int:
        return self.max_tokens - self._m.specials

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        encoded = self._m.counter.encode_batch(list(texts), add_special_tokens=False)
        return [len(e.ids) for e in encoded]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        ids = [e.ids for e in self._m.encoder.encode_batch(list(texts))]
        # Batches of similar length: padding is wasted matrix work.
        order = np.argsort([len(x) for x in ids], kind="stable")
        for i in range(0, len(order), self.batch_size):
            rows = order[i : i + self.batch_size]
            width = max(len(ids[r]) for r in rows)
            input_ids = np.full((len(rows), width), self._m.pad_id, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for j, r in enumerate(rows):
                input_ids[j, : len(ids[r])] = ids[r]
                mask[j, : len(ids[r])] = 1
            feed = {
                "input_ids": input_ids,
                "attention_mask": mask,
                "token_type_ids": np.zeros_like(input_ids),
            }
            (tokens,) = self.session.run(None, feed)
            out[rows] = mean_pool(tokens, mask)
        return out


class OnnxInt8Embedder(OnnxEmbedder):
    precision = "int8"


def mean_pool(token_vectors: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean over real tokens, then unit length: sentence-transformers' Pooling + Normalize."""
    m = mask[..., None].astype(np.float32)
    summed = (token_vectors * m).sum(axis=1)
    vecs = summed / np.maximum(m.sum(axis=1), 1e-9)
    return vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
