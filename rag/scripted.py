"""The `scripted:FILE.jsonl` backend: replays canned answers, for tests and for reproducing a run.

Two row shapes are read:

- `{"question": str, "text": str}`: the answer text as written (it may carry [n] markers);
- the shape of llm_answers_dev.jsonl, `{"id", "question", "variant", "sentences": [{"text",
  "doc", "quote", ...}]}`: each sentence gets the marker [n] of the retrieved passage that holds
  its quote (exact, else modulo whitespace and curly quotes; a quote spanning two adjacent
  retrieved chunks cites both), as a model given those passages would; no marker when no
  retrieved passage holds it. A "NOT IN DOCUMENTS" sentence is the model's refusal.

Rows are matched to the asked question by its exact text (after whitespace folding). When
several rows match (variants), `scripted:FILE.jsonl#variant=hallucinated` picks one by a field;
the default is the first row.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from index.errors import ConfigError
from index.jsonl import json_objects
from index.text import squash
from rag.answer import Source
from rag.llm import LLM, SCRIPTED, LLMError, Prompt
from rag.prompt import NOT_FOUND


class ScriptedLLM(LLM):
    is_model = False

    def __init__(self, spec: str):
        path_part, _, selector = spec.partition("#")
        self.path = Path(path_part).expanduser()
        self.name = f"{SCRIPTED}{self.path.name}" + (f"#{selector}" if selector else "")
        self.select: tuple[str, str] | None = None
        if selector:
            key, eq, value = selector.partition("=")
            if not eq or not key.strip():
                raise ConfigError(
                    f"bad selector {selector!r} in {SCRIPTED}{spec}; write #FIELD=VALUE, "
                    "e.g. #variant=hallucinated"
                )
            self.select = (key.strip(), value.strip())
        self.rows = _load(self.path)

    def generate(self, prompt: Prompt, stream: bool = False) -> Iterator[str]:
        row = self._row(prompt.question)
        if "sentences" in row:
            yield answer_text(row["sentences"], prompt.sources)
        else:
            yield str(row.get("text", ""))

    def _row(self, question: str) -> dict:
        rows = self.rows.get(squash(question), [])
        if not rows:
            raise LLMError(
                f"{self.path}: no scripted answer for the question {question!r}; "
                "add a row with this exact question"
            )
        if self.select is None:
            return rows[0]
        key, value = self.select
        for row in rows:
            if str(row.get(key)) == value:
                return row
        raise LLMError(
            f"{self.path}: no row with {key}={value!r} for the question {question!r}; "
            f"it has: {', '.join(sorted({str(r.get(key)) for r in rows}))}"
        )


def _load(path: Path) -> dict[str, list[dict]]:
    if not path.is_file():
        raise ConfigError(f"scripted answers file not found: {path}; pass a .jsonl file")
    rows: dict[str, list[dict]] = {}
    for n, row in json_objects(path):
        if not isinstance(row.get("question"), str):
            raise ConfigError(f'{path}:{n}: each row needs a "question" string')
        if not isinstance(row.get("text"), str) and not isinstance(row.get("sentences"), list):
            raise ConfigError(f'{path}:{n}: each row needs "text" or "sentences"')
        rows.setdefault(squash(row["question"]), []).append(row)
    return rows


def answer_text(sentences: Sequence[dict], sources: Sequence[Source]) -> str:
    """The sentences joined, each with the markers of the retrieved passages holding its quote."""
    parts: list[str] = []
    for s in sentences:
        text = str(s.get("text", "")).strip()
        if text.upper().rstrip(".") == NOT_FOUND:
            return NOT_FOUND  # the model's refusal
        cited = cite(str(s.get("quote") or ""), str(s.get("doc") or ""), sources)
        marker = "".join(f"[{i + 1}]" for i in cited)
        parts.append(f"{text} {marker}" if marker else text)
    return " ".join(parts)


def cite(quote: str, doc: str, sources: Sequence[Source]) -> list[int]:
    """0-based indexes of the retrieved passages that hold `quote` (one, or two adjacent)."""
    if not quote.strip():
        return []
    # Passages of the quote's own document first: the same sentence may recur elsewhere.
    order = sorted(range(len(sources)), key=lambda i: Path(sources[i].source).name != doc)
    for i in order:
        if quote in sources[i].text:
            return [i]
    q = squash(quote)
    for i in order:
        if q in squash(sources[i].text):
            return [i]
    for i in order:
        for j in range(len(sources)):
            a, b = sources[i], sources[j]
            # Adjacent chunks of one document: b starts where a ends (or overlaps its tail).
            if i == j or a.source != b.source or not a.start < b.start <= a.end + 4:
                continue
            joined = a.text + " " + b.text[max(0, a.end - b.start) :]
            if q in squash(joined):
                return [i, j]
    return []
