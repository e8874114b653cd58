"""The span encoder: fitted adapters on the bundled MiniLM, run by ONNX Runtime."""

import json

import numpy as np
import pytest

from rag.qa_encoder import ADAPTER_FILE, MAX_ANSWER_TOKENS, best_span


def test_best_span_respects_order_length_and_the_allowed_tokens():
    start = np.asarray([5.0, 0.0, 3.0, 9.0, 0.0, 0.0])
    end = np.asarray([5.0, 0.0, 8.0, 0.0, 1.0, 0.0])
    allowed = np.asarray([False, True, True, True, True, True])
    (s, e), score, null = best_span(start, end, allowed, MAX_ANSWER_TOKENS)
    # Token 3 is the best start and token 2 the best end, but an answer cannot end before it
    # starts: (2, 2) = 3 + 8 beats (3, 4) = 9 + 1; [CLS] (token 0) is never an answer.
    assert (s, e) == (2, 2) and score == 11.0 and null == 10.0
    (s, e), _, _ = best_span(start, end, allowed, 1)
    assert s == e
    assert best_span(start, end, np.zeros(6, dtype=bool), 5) is None


def test_adapter_file_is_small_and_reports_held_out_figures():
    assert ADAPTER_FILE.stat().st_size < 4_000_000  # rank-32 changes, not a copy of MiniLM (90 MB)
    meta = json.loads(ADAPTER_FILE.with_suffix(".json").read_text())
    assert meta["script"] == "eval/fit_qa.py"
    held = meta["figures"]["held_out_articles"]
    assert held["examples"] > 1000 and held["span_f1"] > 0.55 and held["null_auc"] > 0.65


@pytest.mark.slow
def test_onnx_span_encoder_matches_the_merged_torch_model_and_finds_the_answer():
    torch = pytest.importorskip("torch")
    from transformers import AutoModel, AutoTokenizer

    from index.embedders import bundled_minilm_path
    from rag.qa_encoder import SpanEncoder, merge_adapters

    enc = SpanEncoder()
    q = "When did the Zorbel bridge open?"
    texts = ["The Zorbel bridge over the river opened in 1937 after six years of work."]
    (sc,) = enc(q, texts)
    path = bundled_minilm_path()
    bert = AutoModel.from_pretrained(str(path), attn_implementation="eager").eval()
    merge_adapters(bert)
    tok = AutoTokenizer.from_pretrained(str(path))
    with torch.no_grad():
        h = bert(**tok([q], texts, return_tensors="pt")).last_hidden_state[0].numpy()
    z = np.load(ADAPTER_FILE)
    lg = h @ z["head.weight"].T + z["head.bias"]
    assert np.allclose(lg[:, 0], sc.start, atol=1e-3) and np.allclose(lg[:, 1], sc.end, atol=1e-3)
    i, j = sc.tokens
    answer = texts[0][sc.offsets[i][0] : sc.offsets[j][1]]
    assert "1937" in answer and sc.gap > 0
    # The same sentence does not answer a question about something else.
    (other,) = enc("Who designed the Eiffel Tower?", texts)
    assert other.gap < sc.gap
