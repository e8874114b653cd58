"""The span encoder: the bundled MiniLM with fitted changes and a start/end head.

Given a question and one sentence it scores every token as the start and the end of the
answer; position 0 ([CLS]) scores "this sentence does not answer". The changes
(`models/qa_adapter.npz`, fitted by eval/fit_qa.py) are merged into the bundled weights and
exported to ONNX once, cached like the embedder's export, so answering never imports torch.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

ADAPTER_FILE = Path(__file__).with_name("models") / "qa_adapter.npz"
MAX_LEN = 128  # question + sentence wordpieces; longer sentences are cut (few are)
MAX_ANSWER_TOKENS = 30  # wordpieces; SQuAD answers longer than this are rare


def best_span(
    start: np.ndarray, end: np.ndarray, allowed: np.ndarray, max_tokens: int
) -> tuple[tuple[int, int], float, float] | None:
    """The best (start, end) token pair inside `allowed`, its score, and the no-answer score."""
    idx = np.flatnonzero(allowed)
    if not len(idx):
        return None
    s, e = start[idx], end[idx]
    # score[i, j] = s[i] + e[j] for i <= j < i + max_tokens
    score = s[:, None] + e[None, :]
    n = len(idx)
    ii, jj = np.indices((n, n))
    score = np.where((jj >= ii) & (jj - ii < max_tokens), score, -np.inf)
    k = int(np.argmax(score))
    i, j = divmod(k, n)
    return (int(idx[i]), int(idx[j])), float(score[i, j]), float(start[0] + end[0])


# --- the exported model ----------------------------------------------------------------------


def merge_adapters(bert, adapter: Path = ADAPTER_FILE) -> None:
    """Add the fitted changes to a transformers BertModel's weights (in place). A weight
    matrix's change is stored as low-rank factors (`.a`, `.b`); a bias or norm's whole."""
    import torch

    with np.load(adapter) as z:
        with torch.no_grad():
            for key in z.files:
                if key.endswith(".a"):
                    mod = key[: -len(".a")]
                    delta = z[f"{mod}.b"].astype(np.float32) @ z[key].astype(np.float32)
                    bert.get_submodule(mod).weight += torch.from_numpy(delta)
                elif key.endswith(".delta"):
                    param = bert.get_parameter(key[: -len(".delta")])
                    param += torch.from_numpy(z[key].astype(np.float32))


def ensure_qa_model(adapter: Path = ADAPTER_FILE) -> Path:
    """The cached ONNX export of MiniLM with the adapters merged, exported once if missing."""
    import hashlib
    import sys
    import time

    from index.embedders import bundled_minilm_path
    from index.onnx_embedder import _require_onnxruntime, cache_root, export_fp32, model_digest

    model_dir = bundled_minilm_path()
    h = hashlib.sha256(model_digest(model_dir).encode() + adapter.read_bytes()).hexdigest()[:16]
    out = cache_root() / f"qa-{h}" / "model.onnx"
    if out.is_file():
        _require_onnxruntime()
        return out
    _require_onnxruntime(export=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    print(f"rag: exporting the span encoder to ONNX (once) into {out.parent} ...", end="",
          file=sys.stderr, flush=True)  # fmt: skip
    start = time.perf_counter()
    try:
        export_fp32(model_dir, out, patch=lambda bert: merge_adapters(bert, adapter))
    finally:
        print(f" {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return out


def run_pairs(tok, session, pairs: list[tuple[str, str]]) -> tuple[list, np.ndarray]:
    """Encode text pairs as one padded batch and run the exported model: (encodings, hidden
    states of shape batch x tokens x hidden)."""
    enc = tok.encode_batch(pairs)
    n = max(len(e.ids) for e in enc)
    ids = np.zeros((len(enc), n), dtype=np.int64)
    mask = np.zeros_like(ids)
    types = np.zeros_like(ids)
    for i, e in enumerate(enc):
        ids[i, : len(e.ids)] = e.ids
        mask[i, : len(e.ids)] = 1
        types[i, : len(e.ids)] = e.type_ids
    feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
    (h,) = session.run(None, feed)
    return enc, h


class SpanEncoder:
    """Start/end logits for (question, sentence) pairs, run by ONNX Runtime."""

    def __init__(self, adapter: Path = ADAPTER_FILE):
        from tokenizers import Tokenizer

        from index.embedders import bundled_minilm_path
        from index.onnx_embedder import _require_onnxruntime, cpu_session

        self.session = cpu_session(_require_onnxruntime(), ensure_qa_model(adapter))
        tok = Tokenizer.from_file(str(bundled_minilm_path() / "tokenizer.json"))
        tok.no_padding()
        tok.enable_truncation(max_length=MAX_LEN, strategy="only_second")
        self.tok = tok
        with np.load(adapter) as z:
            self.w = z["head.weight"].astype(np.float32)  # (2, hidden)
            self.b = z["head.bias"].astype(np.float32)

    def __call__(self, question: str, texts: list[str]) -> list[TokenScores]:
        if not texts:
            return []
        enc, h = run_pairs(self.tok, self.session, [(question, t) for t in texts])
        lg = h @ self.w.T + self.b
        out = []
        for i, e in enumerate(enc):
            k = len(e.ids)
            second = np.asarray([s == 1 for s in e.sequence_ids])
            out.append(TokenScores(lg[i, :k, 0], lg[i, :k, 1], second, tuple(e.offsets)))
        return out


class TokenScores:
    """One sentence's token logits, with each token's character offsets in the sentence."""

    def __init__(self, start, end, second, offsets):
        self.start, self.end, self.second, self.offsets = start, end, second, offsets
        best = best_span(start, end, second, MAX_ANSWER_TOKENS)
        self.best = best[1] if best else -1e4
        self.null = float(start[0] + end[0])
        self.tokens = best[0] if best else None

    @property
    def gap(self) -> float:
        """Best answer score minus the no-answer score: > 0 when the sentence answers."""
        return self.best - self.null

    def span_score(self, start: int, end: int) -> float:
        """Score of the answer covering characters [start, end) of the sentence."""
        toks = [
            t for t, (a, b) in enumerate(self.offsets) if self.second[t] and b > start and a < end
        ]
        if not toks:
            return -1e4
        return float(self.start[toks[0]] + self.end[toks[-1]])
