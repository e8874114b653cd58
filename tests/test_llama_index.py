"""Our retriever, query engine and LLM seam inside llama-index, on the dev corpus store.

Every test here runs with `llama_index.core.Settings.llm` and `.embed_model` made to fail and no
OpenAI key in the environment, so any code path that falls back to llama-index's global
defaults (which reach for OpenAI) fails the test instead of passing silently.
"""

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from llama_index.core import Settings
from llama_index.core.base.llms.types import (
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
)
from llama_index.core.evaluation import FaithfulnessEvaluator, RetrieverEvaluator
from llama_index.core.llms import CustomLLM, MockLLM
from llama_index.core.query_engine import RetrieverQueryEngine

from index.errors import ConfigError
from index.pipeline import IndexConfig, index_paths
from index.reader import IndexReader
from index.text import squash
from rag.llama_index import GroundedQueryEngine, GroundedRetriever
from rag.llm import get_llm
from rag.pipeline import AskConfig, Pipeline, ask
from rag.retrieval import RetrievalConfig, retrieve

from .conftest import CORPUS, EVAL

QUESTION = "Who is the CEO of Alibaba Group?"


class Canned(CustomLLM):
    """A llama-index LLM of our own that always says `reply`, streamed word by word."""

    reply: str = ""
    calls: int = 0

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="canned", is_chat_model=False)

    def complete(self, prompt: str, formatted: bool = False, **kw) -> CompletionResponse:
        self.calls += 1
        return CompletionResponse(text=self.reply)

    def stream_complete(self, prompt: str, formatted: bool = False, **kw) -> CompletionResponseGen:
        self.calls += 1
        words = self.reply.split(" ")
        for i, w in enumerate(words):
            delta = w if i == 0 else " " + w
            yield CompletionResponse(text=" ".join(words[: i + 1]), delta=delta)


@pytest.fixture(autouse=True)
def no_global_defaults(monkeypatch):
    def refuse(*_args):
        raise AssertionError("llama_index.core.Settings was consulted")

    for var in ("OPENAI_API_KEY", "RAG_OPENAI_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    for attr in ("llm", "embed_model"):
        monkeypatch.setattr(type(Settings), attr, property(refuse, refuse))


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("store")
    index_paths([CORPUS], IndexConfig(store=path))
    return path


@pytest.fixture(scope="module")
def retriever(store) -> Iterator[GroundedRetriever]:
    with GroundedRetriever.from_store(store, top_k=5) as r:
        yield r


def test_global_defaults_are_blocked():
    with pytest.raises(AssertionError, match="Settings was consulted"):
        _ = Settings.llm


def test_import_rag_does_not_import_llama_index():
    code = (
        "import sys, rag, rag.pipeline, rag.llm, rag.commands; from rag import ask; "
        "print(sorted(m for m in sys.modules if m.startswith('llama_index')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_seam_refuses_what_is_not_an_llm():
    with pytest.raises(ConfigError, match="expected a llama-index LLM instance.*got object"):
        get_llm(object())


@pytest.mark.slow
def test_retriever_nodes_are_our_chunks_with_exact_offsets(retriever, store):
    nodes = retriever.retrieve(QUESTION)
    sources = retrieve(retriever.reader, QUESTION, RetrievalConfig(top_k=5))
    assert [n.node.node_id for n in nodes] == [s.chunk_id for s in sources]
    assert [n.score for n in nodes] == sorted((n.score for n in nodes), reverse=True)
    for n, s in zip(nodes, sources, strict=True):
        meta = n.node.metadata
        text = retriever.reader.doc_text(meta["source"])
        assert text[n.node.start_char_idx : n.node.end_char_idx] == n.node.text
        assert n.node.ref_doc_id == s.source
        assert meta["title"] == s.title and meta["fused_score"] == n.score
        assert meta["dense_score"] == s.dense and meta["lexical_score"] == s.lexical
        # Scores are for people; an LLM prompt built from the node shows no numbers.
        assert "score" not in n.node.get_content(metadata_mode="llm")
    assert "Eddie Wu" in nodes[0].node.text


@pytest.mark.slow
def test_retriever_evaluator_gives_the_figures_of_rag_eval(store):
    from eval.runner import (
        RANK_DEPTH,
        _sources_by_name,
        evidence_with_spans,
        relevant_chunks,
        retrieval_scores,
    )

    rows = [json.loads(line) for line in (EVAL / "seed_qa_dev.jsonl").open()]
    rows = [r for r in rows if r["evidence"]]
    reader = IndexReader(IndexConfig(store=store))
    by_name = _sources_by_name(reader.sources(), CORPUS)
    at5 = RetrieverEvaluator.from_metric_names(
        ["hit_rate"], retriever=GroundedRetriever(reader, RetrievalConfig(top_k=5))
    )
    deep = RetrievalConfig(top_k=RANK_DEPTH)
    at10 = RetrieverEvaluator.from_metric_names(["mrr"], retriever=GroundedRetriever(reader, deep))
    ours, theirs = {"hit@5": [], "mrr": []}, {"hit@5": [], "mrr": []}
    try:
        for row in rows:
            # What `rag eval` scores: the same retrieval, judged against the evidence quotes.
            evidence = evidence_with_spans(row, reader, by_name)
            ideal = relevant_chunks(reader, evidence, by_name)
            scores = retrieval_scores(retrieve(reader, row["question"], deep), evidence, ideal)
            ours["hit@5"].append(scores["hit@5"])
            ours["mrr"].append(scores["mrr"])
            expected = sorted(ideal)
            theirs["hit@5"].append(at5.evaluate(row["question"], expected).metric_vals_dict)
            theirs["mrr"].append(at10.evaluate(row["question"], expected).metric_vals_dict)
    finally:
        reader.close()
    n = len(rows)
    hit5 = sum(v["hit_rate"] for v in theirs["hit@5"]) / n
    mrr = sum(v["mrr"] for v in theirs["mrr"]) / n
    assert hit5 == pytest.approx(sum(ours["hit@5"]) / n, abs=1e-9)
    assert mrr == pytest.approx(sum(ours["mrr"]) / n, abs=1e-9)
    # Measured: hit@5 1.000, MRR 0.866 on the 19 questions with evidence (hybrid, MiniLM).
    assert hit5 >= 0.9 and mrr >= 0.8, (hit5, mrr)


@pytest.mark.slow
def test_retriever_drives_llama_index_own_query_engine(retriever):
    engine = RetrieverQueryEngine.from_args(retriever, llm=MockLLM())
    response = engine.query(QUESTION)
    ids = [n.node.node_id for n in retriever.retrieve(QUESTION)]
    assert [n.node.node_id for n in response.source_nodes] == ids
    # MockLLM echoes its prompt: the retrieved passage reached the model, scores did not.
    assert "Eddie Wu" in str(response) and "fused_score" not in str(response)


@pytest.mark.slow
def test_query_engine_answers_with_exact_cited_spans(store):
    with GroundedQueryEngine.from_store(store) as engine:
        response = engine.query(QUESTION)
        reader = engine.pipeline.reader
        assert not response.metadata["abstained"] and "Eddie Wu" in str(response)
        assert response.metadata["sentences"] and response.metadata["citations"]
        assert len(response.source_nodes) == len(response.metadata["citations"])
        for node, cited in zip(response.source_nodes, response.metadata["citations"], strict=True):
            text = reader.doc_text(node.node.metadata["source"])
            assert text[node.node.start_char_idx : node.node.end_char_idx] == node.node.text
            assert node.node.text == cited["text"] and f"[{cited['n']}]" in str(response)
        # llama-index's own evaluators run on our Response, with the LLM they are given.
        judge = Canned(reply="YES")
        verdict = FaithfulnessEvaluator(llm=judge).evaluate_response(response=response)
        assert verdict.passing and judge.calls >= 1

        gone = engine.query("What was Alibaba's revenue on Mars in 1850?")
        assert gone.metadata["abstained"] and not gone.source_nodes


@pytest.mark.slow
def test_a_llama_index_llm_in_ask_is_streamed_and_verified(store):
    faithful = Canned(
        reply="Eddie Wu Yongming is the new CEO of Alibaba Group. [1] He became a billionaire "
        "on the Moon in 1850. [1]"
    )
    pipe = Pipeline(AskConfig(index=IndexConfig(store=store)), llm=faithful)
    try:
        items = list(pipe.stream(QUESTION))
    finally:
        pipe.close()
    pieces, answer = items[:-1], items[-1]
    assert len(pieces) > 5 and "".join(pieces) == faithful.reply  # streamed through stream_chat
    assert answer.backend == "llama-index:Canned:canned"
    assert not answer.abstained and "Eddie Wu" in answer.text and "Moon" not in answer.text
    assert [s.status for s in answer.sentences] == ["supported", "dropped"]

    # llama-index's MockLLM invents filler ("text text ..."): verification abstains.
    invented = ask(QUESTION, store=str(store), llm=MockLLM(max_tokens=8))
    assert invented.abstained and not invented.citations
    assert squash(invented.text).startswith("The documents do not say")
