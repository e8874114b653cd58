"""question -> retrieved chunks -> answer with verified citations (or an abstention)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache

from index.embedders import EmbedderConfig
from index.lexical import lexical_tokens
from index.pipeline import IndexConfig, default_store
from index.reader import IndexReader
from rag.answer import Answer, Source
from rag.condense import condense
from rag.extractive import candidates, compose
from rag.llm import LLMConfig, get_llm
from rag.prompt import NOT_FOUND, build_messages
from rag.question import QuestionInfo, analyse, coverage, looks_like_injection
from rag.retrieval import RetrievalConfig, retrieve
from rag.verify import verify

DEFAULT_BACKEND = "extractive"  # measured best on the dev set: see README "Backends"


@dataclass(frozen=True)
class AskConfig:
    index: IndexConfig = field(default_factory=lambda: IndexConfig(store=default_store()))
    llm: LLMConfig = field(default_factory=lambda: LLMConfig(backend=DEFAULT_BACKEND))
    retrieval: RetrievalConfig = field(default_factory=RetrievalConfig)
    min_coverage: float = 0.5  # share of the question's focus words some passage must hold
    flag_unsupported: bool = False  # keep unsupported sentences, marked, instead of dropping


class Pipeline:
    """Holds the open store and the loaded models; reuse it across questions."""

    def __init__(self, cfg: AskConfig):
        self.cfg = cfg
        self.reader = IndexReader(cfg.index)
        self.llm = get_llm(cfg.llm)

    @property
    def backend(self) -> str:
        return self.llm.name if self.llm else "extractive"

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
            from index.errors import RagError

            raise RagError("the question is empty; type a question")
        query = condense(question, history)
        qvec = self.reader.embed_query(query)
        retrieved = retrieve(self.reader, query, self.cfg.retrieval, sources, query_vec=qvec)
        t1 = time.perf_counter()
        info = analyse(query)
        timings = {"retrieve_ms": (t1 - t0) * 1000}

        def finish(text: str, uncovered: list[str] | None = None) -> Answer:
            t2 = time.perf_counter()
            timings["generate_ms"] = (t2 - t1) * 1000
            timings["total_ms"] = (t2 - t0) * 1000
            if uncovered is not None:
                return self._abstain(query, retrieved, timings, uncovered)
            checked = verify(
                text,
                retrieved,
                self.cfg.flag_unsupported,
                on_topic=lambda claim: coverage(info, claim)[0] > 0,
            )
            if not checked.citations:
                ans = self._abstain(query, retrieved, timings, [])
                ans.sentences = checked.sentences
                return ans
            return Answer(
                text=checked.text,
                abstained=False,
                citations=checked.citations,
                timings=timings,
                sentences=checked.sentences,
                sources=retrieved,
                query=query,
                backend=self.backend,
            )

        gap = self._evidence_gap(info, retrieved)
        if gap is not None:
            yield finish("", gap)
            return
        if self.llm is None:
            cands = candidates(info, retrieved, self.reader.embedder.embed, qvec)
            if not cands:
                yield finish("", [])
                return
            text = compose(info, cands)
            for piece in re.findall(r"\S+\s*", text):
                yield piece
            yield finish(text)
            return
        pieces: list[str] = []
        for piece in self.llm.chat(build_messages(query, retrieved), stream=True):
            pieces.append(piece)
            yield piece
        text = "".join(pieces).strip()
        if NOT_FOUND.lower() in text.lower() or not text:
            yield finish("", [])
            return
        yield finish(text)

    def _evidence_gap(self, info: QuestionInfo, retrieved: list[Source]) -> list[str] | None:
        """None when some passage covers the question; else the focus words none covers."""
        usable = [s for s in retrieved if not looks_like_injection(s.text)] or retrieved
        if not usable:
            return list(info.focus)
        best, best_missing = 0.0, list(info.focus)
        for s in usable:
            cov, missing = coverage(info, s.text)
            if cov > best:
                best, best_missing = cov, missing
        if best >= self.cfg.min_coverage:
            return None
        everywhere = set(lexical_tokens(" ".join(s.text for s in usable)))
        return [t for t in best_missing if t not in everywhere] or best_missing

    def _abstain(self, query: str, retrieved, timings, uncovered_stems: list[str]) -> Answer:
        words = _surface_words(query, uncovered_stems)
        text = f'The documents do not say: "{query}".'
        if words:
            text += " Not covered by any passage: " + ", ".join(words) + "."
        else:
            text += " The passages found mention the topic but do not state the answer."
        timings.setdefault("generate_ms", 0.0)
        timings.setdefault("total_ms", timings["retrieve_ms"])
        return Answer(
            text=text,
            abstained=True,
            citations=[],
            timings=timings,
            sources=retrieved,
            query=query,
            backend=self.backend,
            uncovered=words,
        )


def _surface_words(question: str, stems: list[str]) -> list[str]:
    """The question's own words behind the stemmed tokens, for a readable message."""
    wanted = set(stems)
    out: list[str] = []
    for w in re.findall(r"[\w’'-]+", question):
        toks = lexical_tokens(w)
        if toks and toks[0] in wanted and w not in out:
            out.append(w)
    return out


@lru_cache(maxsize=4)
def _pipeline(cfg: AskConfig) -> Pipeline:
    return Pipeline(cfg)


def ask(
    question: str,
    history=None,
    *,
    store: str | None = None,
    llm: str | LLMConfig | None = None,
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
    if llm is not None:
        cfg = replace(cfg, llm=llm if isinstance(llm, LLMConfig) else LLMConfig(backend=llm))
    if top_k is not None:
        cfg = replace(cfg, retrieval=replace(cfg.retrieval, top_k=top_k))
    return _pipeline(cfg).ask(question, history, sources)


__all__ = ["AskConfig", "EmbedderConfig", "Pipeline", "ask"]
