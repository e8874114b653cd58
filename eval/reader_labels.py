"""The reader fit's labels (sentences, phrases, questions whose evidence was removed) and its
three listwise models (eval/fit_reader.py runs them)."""

from __future__ import annotations

import sys

import numpy as np

from eval.fitting import fit_listwise
from eval.metrics import contains_answer, normalize_answer
from rag import reader as R

# --- labels ----------------------------------------------------------------------------------


def fold_space(s: str) -> str:
    return " ".join(s.split())


def without_evidence(rows, retrieved, embed) -> tuple[list[dict], dict]:
    """The unanswerable question users meet most: the documents do not hold the answer at all.

    SQuAD 2.0's unanswerables are written against a paragraph that is retrieved; for each
    answerable question we also drop every retrieved chunk that holds a gold answer (or its
    evidence) and label what is left unanswerable. These rows train answerability only; the
    threshold is still chosen on SQuAD's own labels."""
    out, an = [], {}
    for r in rows:
        if not r["answerable"]:
            continue
        quotes = [fold_space(e["quote"]) for e in r.get("evidence", [])]
        kept = [
            s
            for s in retrieved[r["id"]]
            if not contains_answer(s.text, r["answers"])
            and not any(q[:80] in fold_space(s.text) for q in quotes)
        ]
        if len(kept) < 3:
            continue
        row = {**r, "id": r["id"] + "#no-evidence", "answerable": False, "answers": []}
        out.append(row)
        an[row["id"]] = R.analyse(r["question"], kept, embed)
    print(f"evidence removed: {len(out)} questions", file=sys.stderr)
    return out, an


def sentence_labels(row: dict, sentences: list[R.Sentence]) -> np.ndarray:
    """A sentence answers when it holds a gold answer and lies inside (or holds) the evidence."""
    quotes = [fold_space(e["quote"]) for e in row.get("evidence", [])]
    out = []
    for s in sentences:
        t = fold_space(s.text)
        inside = any(t in q or q in t for q in quotes)
        out.append(bool(inside and contains_answer(s.text, row["answers"])))
    return np.asarray(out)


def span_labels(row: dict, spans: list[R.Span]) -> np.ndarray:
    golds = {normalize_answer(a) for a in row["answers"]}
    return np.asarray([normalize_answer(sp.text) in golds for sp in spans])


def labelled(rows, an):
    """(row, analysis, sentence labels) for every answerable question."""
    for r in rows:
        if r["answerable"]:
            a = an[r["id"]]
            yield r, a, sentence_labels(r, a.sentences)


def fit_sentence(rows, an) -> R.Linear:
    groups = []
    for _r, a, y in labelled(rows, an):
        if y.any() and not y.all():
            groups.append((a.sent_x, y))
    print(f"sentence model: {len(groups)} questions", file=sys.stderr)
    return fit_listwise(groups)


def fit_span(rows, an, enc) -> R.Linear:
    groups = []
    for r, a, y in labelled(rows, an):
        for k in np.flatnonzero(y)[:1]:
            s = a.sentences[k]
            spans = R.candidate_spans(s.toks, s.text, {t.stem for t in a.question.toks})
            if not spans:
                continue
            ys = span_labels(r, spans)
            if ys.any() and not ys.all():
                scores = enc(r["question"], [s.text])[0]
                groups.append((R.span_matrix(a.question, s, spans, scores), ys))
    print(f"span model: {len(groups)} sentences", file=sys.stderr)
    return fit_listwise(groups)


def fit_rerank(rows, an, enc, sent: R.Linear) -> R.Linear:
    """Listwise over the sentence model's best few, once the encoder has read them."""
    groups = []
    for r, a, y in labelled(rows, an):
        logits = sent(a.sent_x)
        _probs, order = R.best_sentences(a.sentences, logits)
        ys = y[order]
        if ys.any() and not ys.all():
            scores = enc(r["question"], [a.sentences[k].text for k in order])
            groups.append((R.rerank_matrix(logits, order, scores), ys))
    print(f"rerank model: {len(groups)} questions", file=sys.stderr)
    return fit_listwise(groups)
