"""What the reader's model file records about how it was made, beyond its weights."""

from __future__ import annotations

import hashlib
import json


def model_version(out: dict, day: str) -> str:
    """reader-DAY-DATA-WEIGHTS: two fits of the same data on the same day (another feature,
    another budget) get different versions, so a report names the model that made it."""
    data = out["data"].rsplit(":", 1)[-1][:8]
    parts = {
        k: out[k] for k in ("sentence", "span", "answerable", "rerank", "evidence") if k in out
    }
    weights = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:6]
    return f"reader-{day}-{data}-{weights}"


def support_digest(rows: list[dict], n: int = 300) -> str:
    """The answerability features borrow the support scorer (rag/answer_features.py `_claim_check`):
    a digest of its output on the first n (question, evidence) pairs of qa.jsonl, kept in the
    model file, so a change of the verifier's rules that moves the reader's features is caught
    (refit then)."""
    from rag.answer_features import _claim_check
    from rag.features import analyse_question

    out = []
    for r in rows:
        if len(out) >= n:
            break
        for e in r.get("evidence", [])[:1]:
            out.append(_claim_check(analyse_question(r["question"]), e["quote"]))
    rounded = [[round(float(v), 4) for v in row] for row in out]
    return hashlib.sha256(json.dumps(rounded).encode()).hexdigest()[:12]
