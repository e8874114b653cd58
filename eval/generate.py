"""Generate an eval dataset from the user's own documents (the seed_qa_dev.jsonl format).

Passages (runs of a few sentences of each file's cleaned text, exactly what indexing stores)
are sampled deterministically. With an LLM, each passage is turned into a question, a short
answer and a quote in JSON; without one ("extractive") a template makes cloze questions from
sentences holding a number or a name. Either way an item is kept only when its quote is an
exact substring of the document's cleaned text and its answer appears in the quote, so every
evidence quote can be located by the evaluator.
"""

from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from eval.dataset import locate
from eval.metrics import contains_answer
from index.chunking import sentence_spans
from index.errors import ConfigError, LoadError
from index.loaders import load_document, unsupported
from index.pipeline import walk
from rag.llm import LLM

PASSAGE_SENTENCES = 4

PROMPT = """Write one question that the passage below answers, for testing a search system.
Rules:
- The question must make sense without the passage (name who or what it is about).
- The answer is a short span (a name, number, date or a few words) copied from the passage.
- The quote is one sentence copied exactly, character for character, from the passage, and it
  contains the answer.
Reply with JSON only, no other text: {"question": "...", "answer": "...", "quote": "..."}

Passage:
"""


@dataclass(frozen=True)
class Passage:
    doc: str  # file name, as the dataset's evidence `doc` names it
    text: str  # the document's cleaned text
    start: int
    end: int

    @property
    def body(self) -> str:
        return self.text[self.start : self.end]


def passages(path: Path) -> list[Passage]:
    """Sentence runs of every supported file under `path`, in a stable order."""
    out: list[Passage] = []
    for f in walk([path], []):
        if unsupported(f):
            continue
        try:
            doc = load_document(f)
        except LoadError:
            continue
        spans = [s for s in sentence_spans(doc.text) if len(doc.text[s[0] : s[1]].split()) >= 5]
        for i in range(0, len(spans), PASSAGE_SENTENCES):
            group = spans[i : i + PASSAGE_SENTENCES]
            out.append(Passage(f.name, doc.text, group[0][0], group[-1][1]))
    return out


# ---------------------------------------------------------------------------------- templates

_NUMBER = re.compile(
    r"(?:[$€£¥]\s?)?\b\d(?:[\d,]*\d)?(?:\.\d+)?(?:\s?(?:%|percent|million|billion|trillion))?"
)
# Two or more capitalised words (no possessives: "Alibaba’s AI" is not a name), or acronyms.
_CAP = r"(?:[A-Z][\w&.-]*[a-z0-9][\w&.-]*|[A-Z]{2,})"
_NAME = re.compile(rf"\b{_CAP}(?:\s+{_CAP})+\b(?![’'])")
_SKIP_NAMES = set(
    "The This That These Those In On At But And It A An As By For From If Unlike While When "
    "After Before Despite With Without".split()
)


def _answer_span(sentence: str) -> tuple[int, int, str] | None:
    """A number, else a multi-word name, not opening the sentence; (start, end, type)."""
    opening = len(sentence) - len(sentence.lstrip("•*-–—·0123456789.) "))
    numbers = [m for m in _NUMBER.finditer(sentence) if m.start() > opening]
    for m in numbers:
        if re.fullmatch(r"(19|20)\d\d", m.group()) and len(numbers) > 1:
            continue  # a bare year is a weak answer when the sentence has a better number
        return m.start(), m.end(), "numeric"
    for m in _NAME.finditer(sentence):
        if m.start() > opening and m.group().split()[0] not in _SKIP_NAMES:
            return m.start(), m.end(), "factoid"
    return None


def _is_headline(sentence: str) -> bool:
    words = [w for w in sentence.split() if w[0].isalpha()]
    return not sentence.endswith((".", "!")) or sum(w[0].isupper() for w in words) > len(words) / 2


def template_item(p: Passage) -> dict | None:
    """A cloze question from the first usable sentence of the passage."""
    for a, b in sentence_spans(p.text, p.start, p.end):
        sentence = p.text[a:b]
        if not 8 <= len(sentence.split()) <= 45 or _is_headline(sentence):
            continue
        found = _answer_span(sentence)
        if found is None:
            continue
        s, e, kind = found
        # A window of words around the blank, so the question does not restate the sentence.
        cuts = [m.start() for m in re.finditer(r"\s\S", sentence)]
        left = max([0] + [c + 1 for c in cuts if c < s][-10:][:1])
        right = min([len(sentence)] + [c for c in cuts if c >= e][8:9])
        cloze = (sentence[left:s] + "___" + sentence[e:right]).strip().rstrip(".,;:")
        return {
            "question": f'What fills the blank: "{cloze}"?',
            "answers": [sentence[s:e]],
            "quote": sentence,
            "type": kind,
        }
    return None


# ---------------------------------------------------------------------------------- LLM


def parse_json_reply(reply: str) -> dict | None:
    """The first JSON object in a model reply (models wrap it in prose or code fences)."""
    start = reply.find("{")
    while start >= 0:
        depth = 0
        for i in range(start, len(reply)):
            if reply[i] == "{":
                depth += 1
            elif reply[i] == "}":
                depth -= 1
                if depth == 0:
                    try:
                        obj = json.loads(reply[start : i + 1])
                    except json.JSONDecodeError:
                        break
                    return obj if isinstance(obj, dict) else None
        start = reply.find("{", start + 1)
    return None


def llm_item(llm, p: Passage) -> dict | None:
    reply = "".join(llm.chat([{"role": "user", "content": PROMPT + p.body}], stream=False))
    obj = parse_json_reply(reply)
    if not obj or not all(isinstance(obj.get(k), str) for k in ("question", "answer", "quote")):
        return None
    answer = obj["answer"].strip()
    kind = "numeric" if re.search(r"\d", answer) else "factoid"
    question = obj["question"].strip()
    return {"question": question, "answers": [answer], "quote": obj["quote"], "type": kind}


# ---------------------------------------------------------------------------------- checks


def checked(item: dict, p: Passage) -> dict | None:
    """The item with its quote replaced by the exact document substring, or None."""
    quote = item["quote"].strip()
    span = locate(quote, p.text) if len(quote) >= 10 else None
    if span is None:
        return None
    exact = p.text[span[0] : span[1]]
    if not contains_answer(exact, item["answers"]) or not item["question"]:
        return None
    return {**item, "quote": exact}


def generate(
    path: Path, n: int, llm: LLM | None = None, seed: int = 0, progress: bool | None = None
) -> tuple[list[dict], dict]:
    """Up to n dataset rows, and stats {"passages", "tried", "rejected", "generator"}.

    Without a model (`llm` None, or the extractive backend) the offline template generator.
    """
    from tqdm import tqdm

    pool = passages(path)
    random.Random(seed).shuffle(pool)
    model = llm if getattr(llm, "is_model", llm is not None) else None
    generator = model.name if model else "template"
    rows: list[dict] = []
    seen: set[str] = set()
    tried = 0
    budget = min(len(pool), 3 * n) if model else len(pool)  # an LLM call costs seconds
    progress = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=n, desc="generate", unit="q", disable=not progress)
    for p in pool[:budget]:
        if len(rows) >= n:
            break
        tried += 1
        item = llm_item(model, p) if model else template_item(p)
        item = checked(item, p) if item else None
        if item is None or item["question"].lower() in seen:
            continue
        seen.add(item["question"].lower())
        rows.append(
            {
                "id": f"gen-{len(rows) + 1:03d}",
                "question": item["question"],
                "answers": item["answers"],
                "answerable": True,
                "evidence": [{"doc": p.doc, "quote": item["quote"]}],
                "type": item["type"],
            }
        )
        bar.update(1)
    bar.close()
    stats = {"passages": len(pool), "tried": tried, "rejected": tried - len(rows)}
    return rows, {**stats, "generator": generator}


def write_dataset(rows: list[dict], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------------------------- judge
# An LLM judge for grounding pairs (`rag eval grounding --judge openai`): a second opinion on
# the deterministic scorer. It lives here, beside generation, because both only talk to an LLM.

JUDGE_PROMPT = """You check whether a claim is fully supported by a passage.
Supported means every fact in the claim (names, numbers, dates, what happened) is stated in
the passage or follows directly from it. Reply with JSON only, matching this JSON schema:
{schema}

Passage:
{passage}

Claim:
{claim}
"""

JUDGE_SCHEMA = {
    "type": "object",
    "properties": {"supported": {"type": "boolean"}, "reason": {"type": "string"}},
    "required": ["supported"],
}


def _schema_reply(llm, messages: list[dict]) -> str:
    """The judge's reply, constrained to JSON_SCHEMA where the server can do that.

    The LLM seam (`chat(messages, stream)`) cannot pass a response format, so for an
    OpenAI-compatible backend this calls its client directly: first OpenAI's `json_schema`
    format, then llama.cpp server's `json_object` + `schema` (which rejects the former). Any
    other backend, or a server that accepts neither, gets the schema in the prompt only; the
    reply is validated against it either way.
    """
    client, model = getattr(llm, "_client", None), getattr(llm, "model", None)
    if client is not None and model:
        import openai

        formats = [
            {"type": "json_schema", "json_schema": {"name": "verdict", "schema": JUDGE_SCHEMA}},
            {"type": "json_object", "schema": JUDGE_SCHEMA},
        ]
        for fmt in formats:
            try:
                resp = client.chat.completions.create(
                    model=model, messages=messages, temperature=0, max_tokens=200,
                    response_format=fmt,
                )  # fmt: skip
                return resp.choices[0].message.content or ""
            except openai.APIStatusError:
                continue  # this server does not take that format: try the next
    return "".join(llm.chat(messages, stream=False))


def _judge_cache_dir() -> Path:
    import os

    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "grounded-rag" / "judge"


def judge_pairs(
    rows: list[dict], llm, cache: Path | None = None
) -> tuple[list[bool | None], list[dict]]:
    """The judge's verdict per pair (None when its reply could not be used) and the errors.

    Replies are cached by a hash of the prompt template, the model name and the input, so a
    re-run costs nothing and gives the same verdicts.
    """
    import hashlib

    try:
        import jsonschema
    except ImportError:
        raise ConfigError('the LLM judge needs jsonschema: pip install "jsonschema>=4"') from None

    cache = cache or _judge_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    schema = json.dumps(JUDGE_SCHEMA)
    verdicts: list[bool | None] = []
    errors: list[dict] = []
    for row in rows:
        prompt = JUDGE_PROMPT.format(schema=schema, passage=row["passage"], claim=row["claim"])
        key = hashlib.sha256(
            "\0".join([JUDGE_PROMPT, llm.name, row["passage"], row["claim"]]).encode()
        ).hexdigest()
        hit = cache / f"{key}.json"
        if hit.is_file():
            reply = json.loads(hit.read_text(encoding="utf-8"))["reply"]
        else:
            reply = _schema_reply(llm, [{"role": "user", "content": prompt}])
            hit.write_text(json.dumps({"model": llm.name, "reply": reply}), encoding="utf-8")
        obj = parse_json_reply(reply)
        try:
            jsonschema.validate(obj, JUDGE_SCHEMA)
        except jsonschema.ValidationError as e:
            errors.append({"id": row.get("id"), "error": f"bad judge reply: {e.message}"})
            verdicts.append(None)
            continue
        verdicts.append(bool(obj["supported"]))
    return verdicts, errors
