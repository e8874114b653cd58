"""A QA dataset for `rag eval`: its rows checked, its evidence quotes located in the store.

The format is seed_qa_dev.jsonl's (`{"id", "question", "answers", "evidence": [{"doc",
"quote"}], "answerable", "type"}`; only "question" is required); llm_answers_dev.jsonl's rows
(several answer variants per question) are read too. eval/runner.py scores what `ask` does on
them.
"""

from __future__ import annotations

import re
from pathlib import Path

from eval import metrics
from index.errors import ConfigError
from index.jsonl import json_objects

# ---------------------------------------------------------------------------------- dataset


def load_dataset(path: Path, variant: str | None = None) -> list[dict]:
    """Read and check a dataset in the seed_qa_dev.jsonl format; errors name file and line.

    A file shaped like llm_answers_dev.jsonl holds several answers ("variant") per question:
    each question is asked once; with `variant`, only the questions that have that answer are
    (the scripted backend's #variant=V replays it)."""
    rows: list[dict] = []
    seen: set[str] = set()
    for lineno, row in json_objects(path):
        where = f"{path}, line {lineno}"
        if not isinstance(row.get("question"), str):
            raise ConfigError(f"{where}: expected an object with a 'question' string")
        row.setdefault("id", f"q{lineno}")
        # A question with neither gold answers nor an "answerable" label is unlabelled (a
        # user's own questions): it is answered and its grounding scored, but it counts as
        # neither answerable nor unanswerable ("answerable": null).
        labelled = "answers" in row or "answerable" in row
        row.setdefault("answers", [])
        if isinstance(row["answers"], str):  # one answer written bare: "Xu" for ["Xu"]
            row["answers"] = [row["answers"]]
        if not isinstance(row["answers"], list) or not all(
            isinstance(a, str) for a in row["answers"]
        ):
            raise ConfigError(f'{where}: "answers" must be a list of strings, e.g. ["Xu"]')
        row.setdefault("evidence", [])
        row.setdefault("answerable", bool(row["answers"]) if labelled else None)
        kind = {None: "unlabelled", False: "unanswerable"}.get(row["answerable"], "factoid")
        row.setdefault("type", kind)
        for ev in row["evidence"]:
            if not isinstance(ev, dict) or not ev.get("doc") or not ev.get("quote"):
                raise ConfigError(f"{where}: each evidence item needs 'doc' and 'quote'")
        if "variant" in row and variant is not None and row["variant"] != variant:
            continue
        if row["id"] in seen:
            if "variant" in row:  # another answer to a question already read
                continue
            raise ConfigError(f"{where}: duplicate id {row['id']!r}")
        seen.add(row["id"])
        rows.append(row)
    if not rows:
        raise ConfigError(f"{path}: no questions")
    return rows


def default_corpus(dataset: Path) -> Path | None:
    """../corpus next to the dataset file, the layout of ../shared/eval."""
    candidate = dataset.resolve().parent.parent / "corpus"
    return candidate if candidate.is_dir() else None


# ---------------------------------------------------------------------------------- evidence


def locate(quote: str, text: str) -> tuple[int, int] | None:
    """Span of `quote` in `text`: exact, else modulo whitespace runs and curly quotes."""
    i = text.find(quote)
    if i >= 0:
        return i, i + len(quote)
    words = quote.split()
    if not words:
        return None
    quotes = {"'": "['‘’]", "‘": "['‘’]", "’": "['‘’]", '"': '["“”]', "“": '["“”]', "”": '["“”]'}
    pattern = r"\s+".join("".join(quotes.get(ch, re.escape(ch)) for ch in w) for w in words)
    m = re.search(pattern, text)
    return (m.start(), m.end()) if m else None


def evidence_with_spans(row: dict, reader, by_name: dict[str, str]) -> list[dict]:
    """The row's evidence items, each with the start/end of its quote in the cleaned text."""
    out = []
    for ev in row["evidence"]:
        item = {"doc": ev["doc"], "quote": ev["quote"]}
        source = by_name.get(ev["doc"])
        text = reader.doc_text(source) if source else None
        span = locate(ev["quote"], text) if text else None
        if span:
            item["start"], item["end"] = span
        out.append(item)
    return out


def relevant_chunks(reader, evidence: list[dict], by_name: dict[str, str]) -> set[str]:
    """Every chunk of the store that is relevant: the ideal ranking for nDCG."""
    out: set[str] = set()
    for name in {ev["doc"] for ev in evidence}:
        source = by_name.get(name)
        if source is None:
            continue
        for cid, c in reader.chunks(sorted(reader.catalog.chunk_ids(source))).items():
            if metrics.chunk_is_relevant(c.text, c.source, c.start, c.end, evidence):
                out.add(cid)
    return out
