"""The Answer returned by `ask`, and its JSON form (a stable interface read by scripts)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Citation:
    """A cited span: `text == cleaned_text(source)[start:end]`, inside chunk `chunk_id`."""

    n: int
    source: str
    title: str
    start: int
    end: int
    text: str
    score: float  # retrieval score of the chunk it comes from (cosine similarity)
    page: int | None = None
    chunk_id: str = ""


@dataclass(frozen=True)
class SentenceCheck:
    """How one answer sentence fared in verification."""

    text: str
    citations: list[int]
    support: float
    # "supported" | "reattached" | "flagged" | "dropped" | "not_stated" (the sentence says the
    # passages do not give something: a refusal in the model's words, kept, nothing to verify)
    status: str
    missing: list[str] = field(default_factory=list)
    verdict: str = ""  # "supported" | "unsupported" | "not-stated" (what verification concluded)
    reason: str = ""  # why it failed or how it was kept ("missing: 2021", "re-attached: ...")
    conflicts: list[str] = field(default_factory=list)  # contradictions found


@dataclass(frozen=True)
class Source:
    """A retrieved chunk, as shown in a sources panel."""

    chunk_id: str
    source: str
    title: str
    start: int
    end: int
    text: str
    score: float  # fused (reciprocal rank) score
    dense: float | None
    lexical: float | None
    page: int | None = None
    # [start, end) of the code blocks in `text` (the store keeps them: index/catalog/schema.py)
    code: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Answer:
    """Built once by the pipeline; `answer` is the direct short answer, when there is one."""

    text: str
    abstained: bool
    citations: list[Citation]
    timings: dict[str, float]
    sentences: list[SentenceCheck] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    query: str = ""
    backend: str = ""
    uncovered: list[str] = field(default_factory=list)
    answer: str | None = None
    probability: float | None = None  # P(answerable) from a fitted model, else None
    model: str = ""  # the reader model that judged, e.g. "reader-20261130-806bd514"
    read_as: str | None = None  # the question as the passages spell it, when that differs

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "abstained": self.abstained,
            "citations": [
                {
                    k: v
                    for k, v in asdict(c).items()
                    if k in ("n", "source", "title", "start", "end", "text", "score", "page")
                }
                for c in self.citations
            ],
            "timings": dict(self.timings),
            "sentences": [asdict(s) for s in self.sentences],
            "sources": [asdict(s) for s in self.sources],
            "query": self.query,
            "backend": self.backend,
            "uncovered": list(self.uncovered),
            "answer": self.answer,
            "answerability": {"probability": self.probability, "model": self.model},
            "read_as": self.read_as,
        }
