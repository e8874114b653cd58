"""Score the support scorer (rag.support) on labelled grounding pairs.

A grounding-pairs file is JSON lines, one {id, doc, passage, claim, supported, kind} per line
(see ../shared/eval/README.md). `score_pairs` compares the scorer's verdicts with the human
labels; `per_kind` breaks accuracy down by how the claim was made (verbatim, wrong-date, ...).

    python -m eval.grounding ../shared/eval/grounding_pairs_dev.jsonl
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from eval.metrics import accuracy, balanced_accuracy, cohen_kappa
from rag.support import DEFAULT_THRESHOLD, support

_FIELDS = {"id": str, "passage": str, "claim": str, "supported": bool, "kind": str}


def load_pairs(path: str | Path) -> list[dict]:
    """Read and validate a grounding-pairs file; blank lines are skipped.

    Raises ValueError naming the file and line of the first malformed record.
    """
    path = Path(path)
    rows: list[dict] = []
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}, line {lineno}: not valid JSON ({e.msg})") from None
            if not isinstance(row, dict):
                raise ValueError(f"{path}, line {lineno}: expected a JSON object")
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
    return [support(r["claim"], r["passage"], threshold).supported for r in rows]


def score_pairs(path: str | Path, threshold: float = DEFAULT_THRESHOLD) -> dict:
    """{"n", "accuracy", "balanced_accuracy", "kappa"} of the scorer against the labels."""
    rows = load_pairs(path)
    pred = _verdicts(rows, threshold)
    gold = [r["supported"] for r in rows]
    return {
        "n": len(rows),
        "accuracy": accuracy(pred, gold),
        "balanced_accuracy": balanced_accuracy(pred, gold),
        "kappa": cohen_kappa(pred, gold),
    }


def per_kind(path: str | Path, threshold: float = DEFAULT_THRESHOLD) -> dict[str, dict]:
    """{kind: {"n": int, "accuracy": float}} in the order the kinds first appear."""
    rows = load_pairs(path)
    pred = _verdicts(rows, threshold)
    groups: dict[str, list[bool]] = {}
    for row, p in zip(rows, pred, strict=True):
        groups.setdefault(row["kind"], []).append(p == row["supported"])
    return {kind: {"n": len(v), "accuracy": sum(v) / len(v)} for kind, v in groups.items()}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m eval.grounding PAIRS.jsonl", file=sys.stderr)
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
