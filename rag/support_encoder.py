"""The support cross-encoder: the bundled MiniLM fine-tuned to read (passage window, claim) pairs.

FactCC's recipe on our data: `eval/fit_support_encoder.py` fine-tunes the bundled MiniLM on
statements derived from SQuAD 2.0 (a question with its gold answer as a statement, the
evidence sentence; perturbed copies that swap the answer, swap two names around the verb,
negate, change a number, add a fact) and the labelled sentences of llm_answers_dev. What
training changed is stored small (`models/support_encoder.npz`: low-rank weight changes plus a
two-logit head on [CLS]), merged into the bundled weights and exported to ONNX once into the
cache by the span encoder's helpers, so scoring never imports torch.

The passage is narrowed to the window of 1-3 adjacent sentences that holds most of the claim's
words (a wider window only when it holds more of them), so a long chunk costs no more than a
sentence or three. `probability(claim, passage)` is P(the passage supports the claim).

Measured, not adopted (rag.verify.support keeps the rules). Held out by
article fold (eval/fit_support.py's 3 folds; each fold scored by an encoder trained without
it), on the 318 llm_answers_dev sentences against their paragraph: the encoder alone keeps
0.798 of supported sentences but catches 0.286 of unsupported ones (balanced accuracy 0.542;
against the bare quote 0.476); combined with the rules' hard signals 0.621 / 0.586 (0.603),
where the rules alone reach 0.714 / 0.614 (0.664; quote 0.715 vs the combination's 0.689). On
held-out SQuAD-derived pairs it does learn the perturbations (0.707 alone, 0.804 combined vs
the rules' 0.797): what it learns there does not carry over to a capable model's sentences.
On grounding_pairs_dev (never fitted on) the combination reaches 0.889, the rules 1.0. On a
made-up pair (tests/test_support_encoder.py) a negation scores far below its original but a
role swap scores above it (1.09 vs 0.85). Speed: p50 18 / p95 34 ms a pair (eval/bench_support).
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import numpy as np

from index.text import sentence_spans, tokens

ADAPTER_FILE = Path(__file__).with_name("models") / "support_encoder.npz"
MAX_LEN = 256  # word pieces of window + claim; the window is cut first when over
MAX_WINDOW = 3  # sentences
MAX_WINDOW_CHARS = 900  # ~200 word pieces: a window of long sentences stops growing here


def window(claim: str, passage: str) -> str:
    """The 1-3 adjacent sentences of `passage` that hold most of the claim's content words.

    A wider window is taken only when it holds strictly more of them (a claim combining two
    sentences); ties go to the earlier, narrower window. Deterministic and cheap (no model)."""
    spans = sentence_spans(passage)
    if len(spans) <= 1:
        return passage.strip()
    want = set(tokens(claim))
    if not want:
        return passage[spans[0][0] : spans[min(len(spans), MAX_WINDOW) - 1][1]]
    sets = [set(tokens(passage[a:b])) & want for a, b in spans]
    best, best_hits = (0, 1), -1
    for width in range(1, MAX_WINDOW + 1):
        for i in range(len(spans) - width + 1):
            a, b = spans[i][0], spans[i + width - 1][1]
            if width > 1 and b - a > MAX_WINDOW_CHARS:
                continue
            hits = len(set().union(*sets[i : i + width]))
            if hits > best_hits:
                best, best_hits = (i, width), hits
    i, width = best
    return passage[spans[i][0] : spans[i + width - 1][1]]


class SupportEncoder:
    """P(supported) for (claim, passage) pairs, run by ONNX Runtime."""

    def __init__(self, adapter: Path = ADAPTER_FILE):
        from tokenizers import Tokenizer

        from index.embedders import bundled_minilm_path
        from index.onnx_embedder import _require_onnxruntime, cpu_session
        from rag.qa_encoder import ensure_qa_model, run_pairs

        if not Path(adapter).is_file():
            from index.errors import ConfigError

            raise ConfigError(
                f"support encoder weights {adapter} are missing; refit them with "
                "python -m eval.fit_support_encoder"
            )
        # The span encoder's export helper: bundled weights + these changes, cached by digest.
        self.session = cpu_session(_require_onnxruntime(), ensure_qa_model(Path(adapter)))
        self._run = run_pairs
        tok = Tokenizer.from_file(str(bundled_minilm_path() / "tokenizer.json"))
        tok.no_padding()
        tok.enable_truncation(max_length=MAX_LEN, strategy="only_first")
        self.tok = tok
        with np.load(adapter) as z:
            self.w = z["head.weight"].astype(np.float32)  # (2, hidden): unsupported, supported
            self.b = z["head.bias"].astype(np.float32)

    def logits(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """Supported-minus-unsupported logit of each (claim, passage), the passage windowed."""
        if not pairs:
            return np.zeros(0, dtype=np.float32)
        _, h = self._run(self.tok, self.session, [(window(c, p), c) for c, p in pairs])
        lg = h[:, 0] @ self.w.T + self.b
        return (lg[:, 1] - lg[:, 0]).astype(np.float32)


@lru_cache(maxsize=1)
def default_encoder() -> SupportEncoder:
    return SupportEncoder()


@lru_cache(maxsize=4096)
def logit(claim: str, passage: str) -> float:
    """The shipped encoder's logit for one pair (cached: the verifier asks twice)."""
    return float(default_encoder().logits([(claim, passage)])[0])


def probability(claim: str, passage: str) -> float:
    z = logit(claim, passage)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
