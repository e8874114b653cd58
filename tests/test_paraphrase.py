"""A claim the word rules under-score is kept as a paraphrase when MiniLM reads it as a sentence
of the passage (rag/paraphrase.py); the hard rules and a negation guard still decide first."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from eval.fit_paraphrase import fit
from index.errors import ConfigError
from rag.answer import Source
from rag.paraphrase import PARAMS_PATH, Paraphrase, closest, load_params
from rag.verify import support, verify

PASSAGE = (
    "The museum's east wing was closed in 2019 after inspectors found cracks in its roof beams. "
    "It reopened two years later with a new glass ceiling. Visitor numbers have since doubled."
)
PARAPHRASE = (
    "After cracked roof beams turned up during an inspection, the east wing shut its doors in 2019."
)


def test_a_low_overlap_paraphrase_is_kept_with_its_similarity():
    rules = support(PARAPHRASE, PASSAGE, paraphrase=False)
    assert not rules.supported and not rules.missing and not rules.conflicts
    s = support(PARAPHRASE, PASSAGE)
    assert s.supported and s.semantic is not None and s.semantic >= load_params().cosine
    assert s.score == rules.score  # the lexical score is reported as it was


def test_hard_rules_and_negation_still_decide():
    # A wrong year fails a hard rule: never considered.
    s = support(PARAPHRASE.replace("2019", "2021"), PASSAGE)
    assert not s.supported and s.missing == ("2021",)
    # MiniLM reads "never shut" close to "was closed": the guard refuses a denial the passage
    # sentence does not make.
    denial = PARAPHRASE.replace("shut its doors in 2019", "never shut its doors")
    rules = support(denial, PASSAGE, paraphrase=False)
    assert not rules.supported and not rules.missing and not rules.conflicts
    assert not support(denial, PASSAGE).supported
    # Filler on the topic reads close to the passage too, but shares too few of its words.
    model = (
        "Alibaba's new AI model is the result of cutting-edge technology, massive data "
        "resources, and a laser-focused vision."
    )
    filler = "This highlights the importance of AI for Alibaba."
    assert closest(filler, model)[0] >= load_params().cosine
    assert not support(filler, model).supported
    # Words of the passage about something else are no paraphrase.
    assert not support("The gift shop sells postcards of the east wing.", PASSAGE).supported


def _source(chunk_id: str, text: str) -> Source:
    return Source(chunk_id=chunk_id, source=f"{chunk_id}.txt", title=chunk_id, start=0,
                  end=len(text), text=text, score=1.0, dense=0.9, lexical=1.0)  # fmt: skip


def test_verify_keeps_the_paraphrase_and_says_why():
    src = _source("c1", PASSAGE)
    out = verify(f"{PARAPHRASE} [1]", [src])
    (check,) = out.sentences
    assert check.status == "supported" and check.reason.startswith("paraphrase: MiniLM similarity")
    # The citation is narrowed to the sentence the claim paraphrases, as for any other.
    assert out.citations[0].text == PASSAGE[: PASSAGE.index("beams.") + 6]


def test_the_parameters_file_states_its_fit():
    raw = json.loads(PARAMS_PATH.read_text(encoding="utf-8"))
    assert raw["script"] == "python -m eval.fit_paraphrase" and "folds by article" in raw["split"]
    p = load_params()
    assert 0 < p.floor < 0.6 and 0 < p.cosine < 1  # below the rules' threshold, a real cosine
    assert set(raw["held_out"]) == {"llm_answers_dev", "squad"}


def test_an_unreadable_parameters_file_names_the_fix(tmp_path):
    bad = tmp_path / "paraphrase.json"
    bad.write_text("{}", encoding="utf-8")
    with pytest.raises(ConfigError, match="refit them with python -m eval.fit_paraphrase"):
        load_params(bad)


def test_fit_chooses_the_cosine_that_separates_held_out_articles():
    # Candidates: supported ones at cosine 0.8, unsupported at 0.55; a stricter or looser cosine
    # does worse, and every fold finds the same gap.
    rows, xs = {}, {}
    for name in ("llm_answers_dev", "squad"):
        gold = np.array([True, False] * 30)
        rows[name] = [{"group": f"a{k % 6}", "supported": bool(g)} for k, g in enumerate(gold)]
        xs[name] = {
            "ok": np.zeros(60, bool),
            "cand": np.ones(60, bool),
            "score": np.full(60, 0.5),
            "cos": np.where(gold, 0.8, 0.55),
        }
    out = fit(rows, xs)
    assert 0.55 < out["cosine"] <= 0.8
    assert all(0.55 < f["cosine"] <= 0.8 for f in out["per_fold"])
    assert out["held_out"]["squad"]["rules_and_paraphrase"]["balanced_accuracy"] == 1.0
    assert out["held_out"]["squad"]["rules_alone"]["balanced_accuracy"] == 0.5
    assert isinstance(Paraphrase(out["floor"], out["cosine"]), Paraphrase)


def test_a_paraphrase_is_not_moved_to_a_passage_it_did_not_cite():
    other = "The gift shop sells postcards and umbrellas. It opens at nine every morning."
    museum = _source("c1", PASSAGE)
    shop = _source("c2", other)
    # Cited: kept on the cited passage. Citing the shop: re-attachment needs the words, so the
    # sentence is dropped rather than moved to the museum passage on similarity alone.
    assert verify(f"{PARAPHRASE} [1]", [museum, shop]).sentences[0].status == "supported"
    moved = verify(f"{PARAPHRASE} [1]", [shop, museum]).sentences[0]
    assert moved.status == "dropped"


def test_a_paraphrased_sentence_does_not_make_scattered_words_a_focused_chunk():
    # The museum chunk holds every word of the claim, spread over its first and last sentences:
    # supported where it is cited, but re-attachment needs one or two adjacent sentences that
    # carry the claim in words, and the first sentence's paraphrase does not count for that.
    claim = (
        "After cracked roof beams turned up during an inspection, the museum's east wing shut "
        "in 2019; visitor numbers have since doubled."
    )
    assert support(claim, PASSAGE, paraphrase=False).supported
    shop = _source("c2", "The gift shop sells postcards and umbrellas. It opens at nine.")
    museum = _source("c1", PASSAGE)
    cited = verify(f"{claim} [1]", [museum, shop])
    assert cited.sentences[0].status == "supported" and cited.sentences[0].reason == ""
    assert cited.citations[0].text == PASSAGE  # the words are spread: the whole chunk is cited
    assert verify(f"{claim} [1]", [shop, museum]).sentences[0].status == "dropped"


def test_the_check_uses_the_vectors_it_is_lent():
    # The pipeline lends its sentence cache when its index embeds with the bundled MiniLM: the
    # check then loads no second copy of the model and reuses the vectors already computed.
    from rag.support_model import default_embed

    seen: list[str] = []

    def lent(texts: list[str]) -> np.ndarray:
        seen.extend(texts)
        return default_embed()(texts)

    out = verify(f"{PARAPHRASE} [1]", [_source("c1", PASSAGE)], embed=lent)
    assert out.sentences[0].reason.startswith("paraphrase:") and PARAPHRASE in seen


def test_the_pipeline_lends_its_cache_only_for_the_bundled_minilm():
    from types import SimpleNamespace

    from index.embedders import EmbedderConfig
    from index.pipeline import IndexConfig
    from rag.pipeline import Pipeline

    def lends(name: str):
        cfg = SimpleNamespace(
            index=IndexConfig(store=Path("s"), embedder=EmbedderConfig(name=name))
        )
        return Pipeline.minilm_vectors(SimpleNamespace(cfg=cfg, sentence_vectors="cache"))

    assert lends("minilm") == "cache" and lends("minilm-torch") == "cache"
    assert lends("minilm-int8") is None  # other vectors: the check loads its own MiniLM


def test_a_claim_sharing_under_three_words_with_every_sentence_embeds_nothing():
    # Such a claim can never be kept as a paraphrase, so the check answers no before MiniLM.
    from rag.paraphrase import accepts

    def refuse(texts: list[str]) -> np.ndarray:
        raise AssertionError(f"embedded {texts}")

    filler = "Inspectors praised the museum for its care."  # shares 2 words with sentence 1
    rules = support(filler, PASSAGE, paraphrase=False)
    assert not rules.supported and not rules.missing and not rules.conflicts
    assert rules.score >= load_params().floor  # a candidate: only the shared words stop it
    assert accepts(filler, PASSAGE, rules, embed=refuse) is None
    # A claim that does share three words is embedded (and kept, here).
    seen: list[str] = []

    def count(texts: list[str]) -> np.ndarray:
        from rag.support_model import default_embed

        seen.extend(texts)
        return default_embed()(texts)

    para = support(PARAPHRASE, PASSAGE, paraphrase=False)
    assert accepts(PARAPHRASE, PASSAGE, para, embed=count) is not None and PARAPHRASE in seen
