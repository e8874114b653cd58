"""question -> retrieved chunks -> answer with verified citations (or an abstention).

The read path is a sequence of named steps, each a function returning a value:

    condense -> retrieve -> judge (answerability) -> generate (a backend) -> verify -> Answer

Every abstention is decided in rag/answerability.py: before generation (`judge`) and after it
(`after_generation`: a refusal, an empty reply, nothing verified).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache, partial

from index.embedders import EmbedderConfig, embedder_name
from index.errors import RagError
from index.pipeline import IndexConfig, default_store
from index.reader import IndexReader
from rag.answer import Answer, Citation, SentenceCheck, Source
from rag.answerability import (
    Judgement,
    abstention_text,
    after_generation,
    cites_top,
    direct_answer,
    evidence_for,
    judge,
    on_topic,
    refused,
)
from rag.code_answers import bare_version_label
from rag.condense import condense
from rag.llm import LLM, LLMConfig, LLMError, Prompt, get_llm
from rag.non_claims import NOT_STATED, refused_claims
from rag.paraphrase import MINILM, Embed
from rag.prompt import build_messages
from rag.replies import plain_reply, terse_answer, unfinished_reasoning
from rag.retrieval import RetrievalConfig, retrieve
from rag.spelling import spelled_as_passages
from rag.vector_cache import VectorCache
from rag.verify import Verified, verify

DEFAULT_BACKEND = "extractive"  # measured best on the dev set: see README "Backends"


@dataclass(frozen=True)
class AskConfig:
    index: IndexConfig = field(default_factory=lambda: IndexConfig(store=default_store()))
    llm: LLMConfig = field(default_factory=lambda: LLMConfig(backend=DEFAULT_BACKEND))
    retrieval: RetrievalConfig = field(default_factory=RetrievalConfig)
    flag_unsupported: bool = False  # keep unsupported sentences, marked, instead of dropping


def generate(llm: LLM, query: str, sources: list[Source], judgement: Judgement) -> Iterator[str]:
    """The backend's text pieces for an answerable question."""
    prompt = Prompt(query, sources, build_messages(query, sources), judgement)
    return llm.generate(prompt, stream=True)


def check(
    text: str,
    query: str,
    sources: list[Source],
    flag_unsupported: bool,
    earlier: Callable[[Source], str] | None = None,
    embed: Embed | None = None,
) -> Verified:
    """Verification of a reply; a refusal has nothing to verify."""
    if refused(text):
        return Verified("", [], [])
    return verify(
        text,
        sources,
        flag_unsupported,
        on_topic=on_topic(query),
        earlier=earlier,
        embed=embed,
        question=query,
    )


def read_reply(
    text: str, judgement: Judgement, backend: str, max_tokens: int
) -> tuple[str, str | None]:
    """A written reply as verification reads it, and its short answer when the reply was only
    that: reasoning dropped, "[Source 1]" as "[1]", bullets as sentences (rag/replies.py), and
    "Eddie Wu [1]." read through the reader's sentence that holds it. Not for the extractive
    backend: its text is the documents' own."""
    if unfinished_reasoning(text):
        raise LLMError(
            f"{backend} spent its whole reply ({max_tokens} tokens) reasoning inside <think> and"
            " wrote no answer; pass --max-tokens 2048 (or more), or turn the model's reasoning off"
        )
    text = plain_reply(text)
    short = terse_answer(text)
    evidence = evidence_for(short, judgement) if short else None
    return (evidence, short) if evidence else (text, None)


def by_document(sentences: Sequence[SentenceCheck], sources: Sequence[Source]) -> list[str]:
    """The verified sentences as `after_generation` reads them: a bare version label ("Added in
    version 3.9.", "Added in: v17.0.0.") with the other sentences quoted from its document,
    every other sentence alone. What such a label dates is the entry it closes, which it never
    names: quoted with that entry's description ("exit_on_error: Normally, when you pass an
    invalid argument list ..."), it answers "In what Python version did ArgumentParser get the
    exit_on_error option?". Its document's title comes with it. A note with words of its own
    ("Changed in version 3.2: Moved to the version 2 scheme ...") must name what was asked
    itself."""

    def docs(c: SentenceCheck) -> set[str]:
        return {sources[n - 1].source for n in c.citations if 0 < n <= len(sources)}

    out = []
    for c in sentences:
        if bare_version_label(c.text):
            near = [o.text for o in sentences if o is not c and docs(o) & docs(c)]
            # A label before any entry dates the page's subject ("pathlib — Object-oriented
            # filesystem paths", "Added in version 3.4.").
            titles = [sources[n - 1].title for n in c.citations if 0 < n <= len(sources)]
            out.append(" ".join([c.text, *near, *dict.fromkeys(titles)]))
        else:
            out.append(c.text)
    return out


def earlier_text(reader: IndexReader, src: Source) -> str:
    """The title and the document's text before a source: where the names it refers back to
    ("the company", "his") were introduced."""
    return src.title + "\n" + (reader.doc_text(src.source) or "")[: src.start]


def whole_document(reader: IndexReader, src: Source) -> str:
    """The title and whole text of a source's document (the passage itself if the store has no
    text for it): what rag/unmentioned.py reads for the question's names."""
    return src.title + "\n\n" + (reader.doc_text(src.source) or src.text)


def cite_pages(reader: IndexReader, citations: list[Citation]) -> list[Citation]:
    """Each citation on the page that holds its span's start. Retrieval gives the page the
    chunk starts on, kept when the store has no page spans for the file (indexed before they
    were stored): a fact on page 2 of a chunk starting on page 1 cites page 2."""
    out = []
    for c in citations:
        page = reader.page_at(c.source, c.start) if c.page is not None else None
        out.append(c if page is None or page == c.page else replace(c, page=page))
    return out


def build_answer(
    query: str,
    sources: list[Source],
    judgement: Judgement,
    verified: Verified | None,
    timings: dict[str, float],
    backend: str,
    read_as: str | None = None,
    short: str | None = None,
) -> Answer:
    common = {
        "read_as": read_as if read_as != query else None,
        "timings": timings,
        "sentences": list(verified.sentences) if verified else [],
        "sources": sources,
        "query": query,
        "backend": backend,
        "probability": judgement.probability,
        "model": judgement.model,
    }
    if not judgement.answerable or verified is None:
        return Answer(
            text=abstention_text(query, judgement),
            abstained=True,
            citations=[],
            uncovered=list(judgement.uncovered),
            **common,
        )
    # A reply that says what was asked is not in the passages, after some context ("DeepSeek is
    # a rival to Alibaba [1]. The sources do not name its founder or CEO."), has no short
    # answer to put first. A caveat about something else ("... do not say when he took office")
    # leaves it.
    caveats = [s.text for s in verified.sentences if s.status == NOT_STATED]
    partial = bool(caveats) and any(map(on_topic(query), caveats))
    return Answer(
        text=verified.text,
        abstained=False,
        citations=verified.citations,
        answer=None if partial else short or direct_answer(judgement, verified.text, query),
        **common,
    )


class Pipeline:
    """Holds the open store and the loaded models; reuse it across questions."""

    def __init__(self, cfg: AskConfig, llm=None):
        self.cfg = cfg
        self.reader = IndexReader(cfg.index)
        # `llm`: an instance (ours, or any llama-index LLM) in place of cfg.llm's backend.
        self.llm = get_llm(cfg.llm if llm is None else llm)
        self._sentence_vectors: VectorCache | None = None

    @property
    def sentence_vectors(self) -> VectorCache:
        # Created on first use: the embedder loads lazily, and only judging needs it.
        if self._sentence_vectors is None:
            self._sentence_vectors = VectorCache(self.reader.embedder.embed)
        return self._sentence_vectors

    def minilm_vectors(self) -> VectorCache | None:
        """The sentence cache when the index embeds with the bundled MiniLM, whose vectors the
        paraphrase check needs (rag/paraphrase.py): no second copy of the model, and the
        retrieved sentences the reader embedded are not embedded again. None otherwise."""
        return self.sentence_vectors if embedder_name(self.cfg.index.embedder) == MINILM else None

    def embed_sentences(self, texts: list[str]):
        return self.sentence_vectors(texts)

    @property
    def backend(self) -> str:
        return self.llm.name

    def close(self) -> None:
        self.reader.close()

    def ask(self, question: str, history=None, sources: list[str] | None = None) -> Answer:
        answer = None
        for item in self.stream(question, history, sources):
            if isinstance(item, Answer):
                answer = item
        if answer is None:  # stream() always ends with an Answer; this guards refactors
            raise RuntimeError("the pipeline produced no answer")
        return answer

    def stream(
        self, question: str, history=None, sources: list[str] | None = None
    ) -> Iterator[str | Answer]:
        """Yields raw text pieces as they are generated, then the verified Answer."""
        t0 = time.perf_counter()
        question = question.strip()
        if not question:
            raise RagError("the question is empty; type a question")
        query = condense(question, history)
        qvec = self.reader.embed_query(query)
        retrieved = retrieve(self.reader, query, self.cfg.retrieval, sources, query_vec=qvec)
        t1 = time.perf_counter()
        # Sentence vectors stored at index time (rag index --sentence-vectors) are looked up,
        # not computed: most of a warm extractive answer's time otherwise.
        self.sentence_vectors.add(self.reader.unit_vectors(retrieved))
        # The reader and the on-topic test read the question as the passages spell it.
        reading = spelled_as_passages(query, [s.text for s in retrieved])
        judgement = judge(
            reading,
            retrieved,
            self.embed_sentences,
            qvec,
            writes_answer=self.llm.writes_answer,
            document=partial(whole_document, self.reader),
        )
        verified, short = None, None
        if judgement.answerable:
            pieces: list[str] = []
            for piece in generate(self.llm, query, retrieved, judgement):
                pieces.append(piece)
                yield piece
            text = "".join(pieces).strip()
            if self.llm.writes_answer:
                text, short = read_reply(text, judgement, self.backend, self.cfg.llm.max_tokens)
            verified = check(
                text,
                reading,
                retrieved,
                self.cfg.flag_unsupported,
                # One read of a document per answer, however many sentences ask for it.
                cache(partial(earlier_text, self.reader)),
                self.minilm_vectors(),
            )
            verified = replace(verified, citations=cite_pages(self.reader, verified.citations))
            kept = by_document(
                [c for c in verified.sentences if c.verdict == "supported"], retrieved
            )
            caveats = [c.text for c in verified.sentences if c.status == NOT_STATED]
            judgement = after_generation(
                judgement,
                text,
                len(verified.citations),
                query,
                kept,
                self.llm.writes_answer,
                caveats,
                [s.text for s in retrieved],
                refused_claims(verified.sentences),
                cites_top(judgement, retrieved, verified.citations),
            )
        t2 = time.perf_counter()
        timings = {
            "retrieve_ms": (t1 - t0) * 1000,
            "generate_ms": (t2 - t1) * 1000,
            "total_ms": (t2 - t0) * 1000,
        }
        yield build_answer(
            query, retrieved, judgement, verified, timings, self.backend, reading, short
        )


@lru_cache(maxsize=4)
def _pipeline(cfg: AskConfig) -> Pipeline:
    return Pipeline(cfg)


def ask(
    question: str,
    history=None,
    *,
    store: str | None = None,
    llm=None,  # a backend name, an LLMConfig, or an LLM instance (ours or llama-index's)
    top_k: int | None = None,
    sources: list[str] | None = None,
    config: AskConfig | None = None,
) -> Answer:
    """Answer `question` from the store named by `store`, else $RAG_STORE.

    `history` is a list of {"role", "content"} messages or (question, answer) pairs; a
    follow-up is condensed into a standalone query before retrieval.
    """
    from pathlib import Path

    cfg = config or AskConfig()
    if store is not None:
        cfg = replace(cfg, index=replace(cfg.index, store=Path(store)))
    instance = llm if llm is not None and not isinstance(llm, str | LLMConfig) else None
    if llm is not None and instance is None:
        cfg = replace(cfg, llm=llm if isinstance(llm, LLMConfig) else LLMConfig(backend=llm))
    if top_k is not None:
        cfg = replace(cfg, retrieval=replace(cfg.retrieval, top_k=top_k))
    if instance is not None:  # an LLM instance is no hashable config: a pipeline of its own
        pipeline = Pipeline(cfg, llm=instance)
        try:
            return pipeline.ask(question, history, sources)
        finally:
            pipeline.close()
    return _pipeline(cfg).ask(question, history, sources)


__all__ = ["AskConfig", "EmbedderConfig", "Pipeline", "ask"]


class PipelineCache:
    """Pipelines open by settings, shared by threads: going back to a setting does not reload
    its model. `build(cfg, keyless)` opens one (the UI builds keyless ones without the key)."""

    def __init__(self, build: Callable[[AskConfig, bool], Pipeline] | None = None) -> None:
        self._build = build or (lambda cfg, _keyless: Pipeline(cfg))
        self._lock = threading.Lock()
        self._open: dict[tuple[AskConfig, bool], Pipeline] = {}

    def get(self, cfg: AskConfig, keyless: bool = False) -> Pipeline:
        with self._lock:
            if (cfg, keyless) not in self._open:
                # May raise RagError: nothing is cached then.
                self._open[cfg, keyless] = self._build(cfg, keyless)
            return self._open[cfg, keyless]

    def reset(self) -> None:
        with self._lock:
            self._open = {}
