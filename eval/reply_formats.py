"""The same written answers in the formats capable models use, end to end.

    .venv/bin/python -m eval.reply_formats ../shared/eval/llm_answers_dev.jsonl STORE [--json]
                                           [--only "bullet list"]

llm_answers_dev's answers are written the way our prompt asks: plain sentences, each ending in
"[n]", and "NOT IN DOCUMENTS" for a refusal. Models often write them otherwise. Each format
below rewrites the scripted reply the way one of them does, and the faithful, refusal and
invented (unanswerable, hallucinated) answers are replayed through the real read path
(eval.grounding.end_to_end). A user meets the same answers whatever the format: the figures of
every row should equal those of "as written".
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

from index.text import STOPWORDS

VARIANTS = ("faithful", "refusal", "hallucinated")
FIGURES = (
    "faithful: false abstention",
    "refusal abstains",
    "unanswerable invented -> abstention",
    "supported kept (answers not abstained)",
)
REFUSAL = "NOT IN DOCUMENTS"


def _markers(text: str, to: str) -> str:
    return re.sub(r"\[(\d+)\]", lambda m: to.format(m.group(1)), text)


def _bullets(text: str, sources) -> str:
    if REFUSAL in text:
        return text
    from rag.replies import split_cited

    items = [f"{claim} " + "".join(f"[{n}]" for n in nums) for claim, nums in split_cited(text)]
    return "Here is what the sources say:\n" + "\n".join(f"- {s.strip()}" for s in items)


def _footer(text: str, sources) -> str:
    if REFUSAL in text:
        return text
    used = sorted({int(n) for n in re.findall(r"\[(\d+)\]", text)})
    listed = "\n".join(f"[{n}] {sources[n - 1].title}" for n in used if n <= len(sources))
    return f"{text}\n\nSources:\n{listed}" if listed else text


def _attributed(text: str, sources) -> str:
    """The first sentence's citation as "According to Source n, ..."."""
    m = re.match(r"(.*?)\s*\[(\d+)\]([.!?]?)", text, re.S)
    if not m or REFUSAL in text:
        return text
    first = m.group(1)
    if first.split(" ", 1)[0].lower() in STOPWORDS:  # "the app ..."; names keep their capitals
        first = first[:1].lower() + first[1:]
    return f"According to Source {m.group(2)}, {first}{m.group(3)}" + text[m.end() :]


FORMATS: dict[str, Callable] = {
    "as written": lambda t, s: t,
    "[Source n] markers": lambda t, s: _markers(t, "[Source {}]"),
    "Answer: label, bold": lambda t, s: t if REFUSAL in t else f"**Answer:** {t}",
    "bullet list": _bullets,
    "sources listed at the end": _footer,
    "According to Source n": _attributed,
    "<think> block first": lambda t, s: (
        f"<think>The user asks a question; I check [1].</think>\n{t}"
    ),
    "refusal in own words": lambda t, s: t.replace(
        REFUSAL, "The provided documents do not contain this information."
    ),
}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    as_json = "--json" in args
    args = [a for a in args if a != "--json"]
    only = None
    if "--only" in args:  # one format by name, e.g. --only "bullet list"
        k = args.index("--only")
        only, args = args[k + 1], args[:k] + args[k + 2 :]
    if len(args) != 2:
        print(__doc__.splitlines()[2].strip(), file=sys.stderr)
        return 2
    from eval.grounding import end_to_end

    path, store = Path(args[0]), Path(args[1])
    table = {}
    for name, fmt in FORMATS.items():
        if only is not None and name != only:
            continue
        figures = end_to_end(path, store, reformat=fmt, variants=VARIANTS)
        table[name] = {k: figures.get(k, "") for k in FIGURES}
        if not as_json:
            print(f"{name:28s} " + " | ".join(f"{table[name][k]:>15s}" for k in FIGURES))
    if as_json:
        print(json.dumps(table, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
