"""The support cross-encoder combined with the rule scorer's hard signals, measured held out.

    python -m eval.fit_support --encoder .cache/fit-support/encoder-heldout-*.json

Measured and not adopted (the rules win held out; figures in rag/models/support_encoder.json):
kept so the comparison can be re-run when the encoder or the rules change.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from eval.fit_support import (
    FOLDS,
    _fold_of,
    _held_out,
    balanced,
    data_sha,
    fit_with_threshold,
    model_dict,
    report,
    weights,
)
from rag.support_model import SupportModel


def encoder_rows(eval_dir: Path, data_dir: Path, scores: Path) -> tuple[list[dict], np.ndarray]:
    """The pairs eval/fit_support_encoder.py scored held out, and those logits."""
    from eval.fit_support_encoder import all_rows, pair_key

    held = json.loads(scores.read_text())
    rows, folds = all_rows(eval_dir, data_dir)
    keys = [f"{f}:{pair_key(r['claim'], r['passage'])}" for r, f in zip(rows, folds, strict=True)]
    keep = [i for i, k in enumerate(keys) if k in held]
    return [rows[i] for i in keep], np.array([held[keys[i]] for i in keep])


def fit_encoder(args) -> int:
    """Combine the cross-encoder's held-out logits with the rule scorer's hard signals; report
    held out against the rules on the same pairs; write the combination beside the encoder."""
    from eval.grounding import load_pairs
    from rag.support_encoder import ADAPTER_FILE
    from rag.support_model import COMBINED_PATH, ENCODER_FEATURES, combined_score, rule_features
    from rag.verify import support as rule_verdict

    rows, z = encoder_rows(args.eval, args.data, args.encoder)
    rx = np.array([rule_features(r["claim"], r["passage"])[0] for r in rows])
    x = np.column_stack([z, rx])
    y = np.array([int(r["supported"]) for r in rows])
    w = weights(rows)
    groups = [r["group"] for r in rows]
    combined = _held_out(x, y, w, groups)
    alone = _held_out(x[:, :1], y, w, groups)
    figures = {
        "rules (rag.verify.support)": report(
            rows, np.array([rule_verdict(r["claim"], r["passage"]).supported for r in rows])
        ),
        "encoder alone": report(rows, alone),
        "encoder + rule signals (combined_score)": report(rows, combined),
        # A small rule on top instead of the fitted layer: missing numbers/dates always fail.
        "encoder alone, a missing number or date fails": report(rows, alone & (rx[:, 1] == 0)),
    }
    (mean, scale, coef, b), t = fit_with_threshold(x, y, w, _fold_of(groups))
    model = SupportModel("", ENCODER_FEATURES, tuple(mean), tuple(scale), tuple(coef), b, t)
    meta_file = COMBINED_PATH
    meta = json.loads(meta_file.read_text()) if meta_file.is_file() else {}
    if ADAPTER_FILE.is_file():  # the shipped encoder, fitted on all folds
        dev = load_pairs(args.eval / "grounding_pairs_dev.jsonl")
        pred = np.array([combined_score(r["claim"], r["passage"], model).supported for r in dev])
        gold = np.array([r["supported"] for r in dev])
        figures["grounding_pairs_dev (never fitted), shipped"] = round(balanced(pred, gold), 3)
    sha = data_sha([args.eval / "llm_answers_dev.jsonl", args.data / "qa.jsonl"])
    meta |= {
        "version": f"support-combined-{datetime.now(UTC):%Y%m%d}-{sha[:8]}",
        "script": f"python -m eval.fit_support --encoder {args.encoder}",
        "data_sha256": sha,
        "pairs": {k: sum(r["source"] == k for r in rows) for k in ("llm", "squad")},
        "split": f"{FOLDS} folds by article (news file / SQuAD article), sorted order mod "
        f"{FOLDS}; the encoder's logits come from encoders not trained on the fold; the layer "
        "and threshold are fitted on the other folds; every figure is on held-out folds only",
        "held_out": figures,
        "threshold": round(t, 2),
        "model": model_dict(ENCODER_FEATURES, mean, scale, coef, b),
    }
    meta_file.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: meta[k] for k in ("version", "pairs", "held_out", "threshold")}, indent=1))
    return 0
