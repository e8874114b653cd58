"""The support cross-encoder (rag/support_encoder.py): the window it reads, what it tells apart on
pairs it was never fitted on, and its ONNX export against the torch model it comes from."""

from __future__ import annotations

import numpy as np
import pytest

from rag.support_encoder import ADAPTER_FILE, window

# Made up for these tests: no SQuAD article or news file holds these names.
PASSAGE = (
    "The Lakeside Rowing Club was founded in 1921 by dock workers. "
    "In 2015, Helen Ortiz succeeded Marcus Webb as head of the club. "
    "Membership has since grown to about 400 rowers, most of them students."
)
ORIGINAL = "Helen Ortiz succeeded Marcus Webb as head of the club in 2015."
ROLE_SWAP = "Marcus Webb succeeded Helen Ortiz as head of the club in 2015."
NEGATED = "Helen Ortiz did not succeed Marcus Webb as head of the club."
PARAPHRASE = "Since Helen Ortiz took over from Marcus Webb, membership has grown to about 400."


def test_window_is_the_sentences_that_hold_the_claim():
    assert window(ORIGINAL, PASSAGE) == (
        "In 2015, Helen Ortiz succeeded Marcus Webb as head of the club."
    )
    # A claim drawing on two sentences gets both, adjacent and in order.
    assert window(PARAPHRASE, PASSAGE) == PASSAGE[PASSAGE.index("In 2015") :]
    assert window("anything", "One sentence only") == "One sentence only"


needs_weights = pytest.mark.skipif(not ADAPTER_FILE.is_file(), reason="no fitted encoder")


@pytest.mark.slow  # the ONNX export once (~30 s), then milliseconds a pair
@needs_weights
def test_a_negation_scores_below_the_original():
    from rag.support_encoder import default_encoder

    z = default_encoder().logits([(c, PASSAGE) for c in (ORIGINAL, NEGATED)])
    assert z[0] > 0 > z[1], z


@pytest.mark.slow
@needs_weights
@pytest.mark.xfail(
    strict=True,
    reason="measured with the shipped weights: the role swap scores 1.09, its original 0.85; "
    "the encoder does not read who did what to whom (one reason it is not adopted)",
)
def test_a_role_swap_scores_below_the_original():
    from rag.support_encoder import default_encoder

    z = default_encoder().logits([(c, PASSAGE) for c in (ORIGINAL, ROLE_SWAP)])
    assert z[1] < z[0], z


@pytest.mark.slow  # imports torch and transformers
@needs_weights
def test_onnx_export_matches_the_torch_model():
    import torch
    from transformers import AutoModel, AutoTokenizer

    from index.embedders import bundled_minilm_path
    from rag.qa_encoder import merge_adapters
    from rag.support_encoder import MAX_LEN, default_encoder

    pairs = [(ORIGINAL, PASSAGE), (ROLE_SWAP, PASSAGE), (PARAPHRASE, PASSAGE)]
    onnx = default_encoder().logits(pairs)
    model_dir = bundled_minilm_path()
    tok = AutoTokenizer.from_pretrained(str(model_dir))
    bert = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()
    merge_adapters(bert, ADAPTER_FILE)
    with np.load(ADAPTER_FILE) as z:
        w, b = torch.from_numpy(z["head.weight"]), torch.from_numpy(z["head.bias"])
    enc = tok(
        [window(c, p) for c, p in pairs],
        [c for c, _ in pairs],
        truncation="only_first",
        max_length=MAX_LEN,
        padding=True,
        return_tensors="pt",
    )
    with torch.no_grad():
        lg = bert(**enc).last_hidden_state[:, 0] @ w.T + b
    ref = (lg[:, 1] - lg[:, 0]).numpy()
    assert np.allclose(onnx, ref, atol=1e-3), (onnx, ref)
