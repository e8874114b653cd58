"""Names a passage refers back to ("the company's", "his"), resolved from earlier in the document,
and places named by an irregular demonym ("the Spanish" for Spain). Real scorer, hand-made text."""

from __future__ import annotations

from rag.answer import Source
from rag.refer_back import resolve
from rag.verify import support, verify

BEFORE = "Alibaba's new chief\n\nAlibaba named Eddie Wu chief executive in September."
PASSAGE = "Wu is the company's fourth CEO. He said each business generates different use cases."
CLAIM = "Eddie Wu is Alibaba's fourth CEO."


def test_a_name_the_passage_refers_back_to_is_resolved_from_earlier_in_the_document():
    assert not support(CLAIM, PASSAGE).supported  # the passage alone never names Alibaba
    assert resolve(CLAIM, PASSAGE, BEFORE, ["Alibaba"]) == "Eddie Wu is the company's fourth CEO."
    assert support(CLAIM, PASSAGE, BEFORE).supported
    # Asked lazily, as the pipeline does (the document is read only when a name is missing).
    assert support(CLAIM, PASSAGE, lambda: BEFORE).supported


def test_a_name_the_document_never_gave_before_stays_missing():
    other = "Tencent named Eddie Wu chief executive in September."
    assert resolve(CLAIM, PASSAGE, other, ["Alibaba"]) is None
    assert not support(CLAIM, PASSAGE, other).supported


def test_a_different_name_in_the_claims_place_is_no_reference_back():
    passage = "Wu is Tencent's fourth CEO."
    assert resolve(CLAIM, passage, BEFORE, ["Alibaba"]) is None
    assert not support(CLAIM, passage, BEFORE).supported


def test_a_possessive_pronoun_stands_for_a_surname_the_passage_leaves_out():
    before = "Jack Ma founded Alibaba in 1999."
    passage = '"The hallmark of Jack and his personality is that he never gave up," Wong said.'
    claim = "Wong said the hallmark of Jack Ma's personality is that he never gave up."
    assert support(claim, passage, before).supported
    assert not support(claim, passage).supported


def test_a_qualifier_or_number_is_never_dropped_as_a_reference():
    # "the Upper Rhine" for the passage's "the Rhine" narrows the claim: not a reference back.
    before = "The Upper Rhine flows north. The Rhine is long."
    assert (
        resolve("The Upper Rhine's water is cold.", "The water is cold.", before, ["Upper"]) is None
    )
    assert resolve("The first CEO's plan failed.", "His plan failed.", "first", ["first"]) is None


def test_the_verifier_asks_for_the_text_before_the_cited_chunk():
    src = Source(
        "c1", "/a.txt", "Alibaba's new chief", 60, 60 + len(PASSAGE), PASSAGE, 1.0, 0.5, None
    )
    asked: list[str] = []

    def earlier(s: Source) -> str:
        asked.append(s.chunk_id)
        return s.title + "\n" + BEFORE

    v = verify(CLAIM + " [1]", [src], earlier=earlier)
    assert v.sentences[0].status == "supported" and asked == ["c1"]
    assert verify(CLAIM + " [1]", [src]).sentences[0].status == "dropped"


def test_an_irregular_demonym_names_its_place():
    passage = "In 1565 the Spanish sent Pedro Menendez, who founded St. Augustine."
    assert support(
        "Spain sent Pedro Menendez, who founded St. Augustine in 1565.", passage
    ).supported
    assert not support(
        "France sent Pedro Menendez, who founded St. Augustine in 1565.", passage
    ).supported


def test_the_pipeline_reads_the_name_from_earlier_in_the_stored_document(tmp_path, monkeypatch):
    # A real store: the chunk that says "the company's" is not the one that names Alibaba.
    import json

    from index.pipeline import IndexConfig, index_paths
    from rag.llm import LLMConfig
    from rag.pipeline import AskConfig, Pipeline

    filler = " ".join(f"Paragraph {i} is about the weather in spring and rain." for i in range(60))
    doc = tmp_path / "docs" / "chief.txt"
    doc.parent.mkdir()
    doc.write_text(
        "A new chief\n\nAlibaba named a new chief executive in September.\n\n"
        f"{filler}\n\nWu is the company's fourth CEO, the board said on Tuesday.\n",
        encoding="utf-8",
    )
    store = tmp_path / "store"
    index_paths([doc.parent], IndexConfig(store=store))
    q = "Which number CEO is Wu?"
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"question": q, "text": CLAIM + " [1]"}) + "\n", encoding="utf-8")
    cfg = AskConfig(index=IndexConfig(store=store), llm=LLMConfig(backend=f"scripted:{rows}"))

    def ask():
        p = Pipeline(cfg)
        try:
            return p.ask(q)
        finally:
            p.close()

    a = ask()
    assert "Alibaba" not in a.citations[0].text  # the cited chunk never names it
    assert [s.status for s in a.sentences] == ["supported"] and not a.abstained
    # Without the document's earlier text the same answer has nothing left.
    monkeypatch.setattr("rag.pipeline.earlier_text", lambda reader, src: "")
    assert ask().abstained
