"""Score the support scorer (rag.support) on labelled grounding pairs.

Two files are read:

- grounding pairs, JSON lines of {id, doc, passage, claim, supported, kind} (see
  ../shared/eval/README.md);
- answers shaped like ../shared/eval/llm_answers_dev.jsonl: every non-refusal sentence becomes a
  pair, the sentence against the blank-line paragraph of its `doc` that holds its `quote` (the
  documents are found in ../corpus for news ids "dev-..." and ../data/squad2-dev/corpus for the
  rest, relative to the file's folder; the quote itself when the document is not there).

`score_pairs` compares the scorer's verdicts with the labels; `per_kind` gives, for each kind,
its accuracy and the balanced accuracy and kappa of telling that kind from the other label (a
wrong-date kind against all supported sentences, a paraphrase kind against all unsupported).

    python -m eval.grounding ../shared/eval/llm_answers_dev.jsonl
    python -m eval.grounding e2e ../shared/eval/llm_answers_dev.jsonl STORE [--out FILE.jsonl]

`--out` writes one line per replayed answer (id, variant, answerable, abstained, P(answerable),
each sentence's label beside the verifier's verdict and reason): which answers a figure counts.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from eval.metrics import accuracy, balanced_accuracy, cohen_kappa
from index.jsonl import json_objects
from rag.llm import LLM
from rag.support import DEFAULT_THRESHOLD, support

_FIELDS = {"id": str, "passage": str, "claim": str, "supported": bool, "kind": str}


def paragraph(text: str, quote: str) -> str:
    """The blank-line paragraph(s) of `text` around `quote` (the quote when it is not found)."""
    i = text.find(quote)
    if i < 0:
        return quote
    a = text.rfind("\n\n", 0, i)
    b = text.find("\n\n", i + len(quote))
    return text[0 if a < 0 else a + 2 : len(text) if b < 0 else b].strip()


def _corpus(path: Path, row_id: str) -> Path:
    base = path.resolve().parent.parent
    return base / "corpus" if row_id.startswith("dev-") else base / "data" / "squad2-dev" / "corpus"


def answer_pairs(path: Path, row: dict, lineno: int) -> list[dict]:
    """The (sentence, paragraph of its quote) pairs of one llm_answers-shaped row."""
    out = []
    for k, s in enumerate(row["sentences"]):
        if not isinstance(s, dict) or not {"text", "quote", "supported", "kind"} <= set(s):
            raise ValueError(
                f"{path}, line {lineno}: sentence {k + 1} needs text, quote, supported and kind"
            )
        if not s["quote"]:
            continue  # a refusal: nothing to check
        doc = _corpus(path, str(row.get("id", ""))) / str(s.get("doc", ""))
        text = doc.read_text(encoding="utf-8") if doc.is_file() else s["quote"]
        para = paragraph(text, s["quote"])
        at = text.find(para)
        out.append(
            {
                "id": f"{row.get('id', lineno)}:{row.get('variant', '')}:{k + 1}",
                "claim": s["text"],
                "passage": para,
                # What the document says before it, as the pipeline gives the verifier
                # (names the passage refers back to: "the company", "his").
                "before": text[: max(at, 0)],
                "supported": bool(s["supported"]),
                "kind": s["kind"],
                "group": str(s.get("doc", "")),  # the document: a fitting script's fold
            }  # fmt: skip
        )
    return out


def load_pairs(path: str | Path) -> list[dict]:
    """Read and validate a grounding-pairs or llm_answers-shaped file; blank lines are skipped.

    Raises ValueError naming the file and line of the first malformed record.
    """
    path = Path(path)
    rows: list[dict] = []
    for lineno, row in json_objects(path, ValueError):
        if isinstance(row.get("sentences"), list):
            rows.extend(answer_pairs(path, row, lineno))
            continue
        for name, typ in _FIELDS.items():
            if name not in row:
                raise ValueError(f"{path}, line {lineno}: missing field '{name}'")
            if not isinstance(row[name], typ):
                raise ValueError(
                    f"{path}, line {lineno}: field '{name}' should be {typ.__name__}, "
                    f"got {type(row[name]).__name__}"
                )
        rows.append(row)
    if not rows:
        raise ValueError(f"{path}: no grounding pairs")
    return rows


def _verdicts(rows: list[dict], threshold: float) -> list[bool]:
    # The verifier's scorer (a verbatim quote counts), at the given threshold.
    from rag.verify import support as verify_support

    if threshold == DEFAULT_THRESHOLD:
        return [
            verify_support(r["claim"], r["passage"], r.get("before", "")).supported for r in rows
        ]
    return [support(r["claim"], r["passage"], threshold).supported for r in rows]


def _scores(pred: list[bool], gold: list[bool]) -> dict:
    return {
        "n": len(gold),
        "accuracy": accuracy(pred, gold),
        "balanced_accuracy": balanced_accuracy(pred, gold),
        "kappa": cohen_kappa(pred, gold),
    }


def score_pairs(path: str | Path, threshold: float = DEFAULT_THRESHOLD) -> dict:
    """{"n", "accuracy", "balanced_accuracy", "kappa"} of the scorer against the labels."""
    rows = load_pairs(path)
    return _scores(_verdicts(rows, threshold), [r["supported"] for r in rows])


def per_kind(path: str | Path, threshold: float = DEFAULT_THRESHOLD) -> dict[str, dict]:
    """{kind: {"n", "accuracy", "balanced_accuracy", "kappa"}} in the order kinds first appear.

    A kind holds one label only, so its balanced accuracy and kappa are those of telling it
    from every pair of the other label (None when there is none)."""
    rows = load_pairs(path)
    pred = _verdicts(rows, threshold)
    out: dict[str, dict] = {}
    for kind in dict.fromkeys(r["kind"] for r in rows):
        mine = [i for i, r in enumerate(rows) if r["kind"] == kind]
        label = rows[mine[0]]["supported"]
        other = [i for i, r in enumerate(rows) if r["supported"] != label]
        acc = sum(pred[i] == rows[i]["supported"] for i in mine) / len(mine)
        entry = {"n": len(mine), "accuracy": acc, "balanced_accuracy": None, "kappa": None}
        if other:
            both = mine + other
            full = _scores([pred[i] for i in both], [rows[i]["supported"] for i in both])
            entry |= {"balanced_accuracy": full["balanced_accuracy"], "kappa": full["kappa"]}
        out[kind] = entry
    return out


def end_to_end(
    path: Path,
    store: Path,
    out: Path | None = None,
    reformat: Callable | None = None,
    variants: tuple[str, ...] = (),
) -> dict:
    """Replay every record of an llm_answers-shaped file through the real read path (scripted
    backend, one pipeline per variant) over a store holding both dev corpora, and count what a
    user meets: faithful answers (and the supported rest of hallucinated ones) that end as
    abstentions, refusals that abstain, invented answers to unanswerable questions dropped to an
    abstention, and unsupported sentences dropped. `out`: the answers behind the counts.
    `reformat(text, sources)`: the scripted reply rewritten as another model would format it
    (eval/reply_formats.py); `variants`: only these (default: all)."""
    from index.pipeline import IndexConfig, index_paths
    from index.text import squash
    from rag.llm import LLMConfig, get_llm
    from rag.pipeline import AskConfig, Pipeline

    base = path.resolve().parent.parent
    index_paths(
        [base / "corpus", base / "data" / "squad2-dev" / "corpus"], IndexConfig(store=store)
    )
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    counts: dict[str, list[int]] = {}
    records: list[dict] = []

    def tally(name: str, hit: bool) -> None:
        counts.setdefault(name, [0, 0])
        counts[name][0] += hit
        counts[name][1] += 1

    for variant in dict.fromkeys(r["variant"] for r in rows):
        if variants and variant not in variants:
            continue
        llm = LLMConfig(backend=f"scripted:{path}#variant={variant}")
        written = get_llm(llm) if reformat is None else Reformatted(get_llm(llm), reformat)
        p = Pipeline(AskConfig(index=IndexConfig(store=store), llm=llm), llm=written)
        try:
            for r in (r for r in rows if r["variant"] == variant):
                ans = p.ask(r["question"])
                records.append(_record(r, ans))
                kept = squash(ans.text) if not ans.abstained else ""
                if variant == "refusal":
                    tally("refusal abstains", ans.abstained)
                elif not r["answerable"]:
                    tally("unanswerable invented -> abstention", ans.abstained)
                else:
                    tally(f"{variant}: false abstention", ans.abstained)
                for s in r["sentences"]:
                    if s["quote"] and not s["supported"]:
                        tally(f"unsupported dropped ({s['kind']})", squash(s["text"]) not in kept)
                    elif s["quote"] and not ans.abstained:
                        tally("supported kept (answers not abstained)", squash(s["text"]) in kept)
        finally:
            p.close()
    if out is not None:
        out.write_text("".join(json.dumps(x) + "\n" for x in records), encoding="utf-8")
    return {k: f"{a}/{n} = {a / n:.3f}" for k, (a, n) in sorted(counts.items())}


class Reformatted(LLM):
    """A scripted backend whose replies are rewritten by `reformat(text, sources)`."""

    is_model = False

    def __init__(self, inner, reformat: Callable):
        self.inner, self.reformat = inner, reformat
        self.name = inner.name

    def generate(self, prompt, stream: bool = False):
        yield self.reformat("".join(self.inner.generate(prompt, stream)), prompt.sources)


def _record(row: dict, ans) -> dict:
    return {
        "id": row["id"],
        "variant": row["variant"],
        "answerable": row["answerable"],
        "abstained": ans.abstained,
        "probability": ans.probability,
        "labels": [{"text": s["text"], "kind": s["kind"]} for s in row["sentences"]],
        "verdicts": [asdict(c) for c in ans.sentences],  # as `rag ask --json` prints them
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["e2e"] and len(args) in (3, 5) and (len(args) == 3 or args[3] == "--out"):
        out = Path(args[4]) if len(args) == 5 else None
        print(json.dumps(end_to_end(Path(args[1]), Path(args[2]), out), indent=1))
        return 0
    if len(args) != 1:
        print(
            "usage: python -m eval.grounding PAIRS.jsonl | e2e ANSWERS.jsonl STORE [--out F]",
            file=sys.stderr,
        )
        return 2
    try:
        report = {"overall": score_pairs(args[0]), "per_kind": per_kind(args[0])}
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
