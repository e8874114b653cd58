"""Evaluation metrics: answers (SQuAD), retrieval, citations (ALCE), latency, abstention.

Pure functions, no I/O and no dependencies beyond the standard library and the text toolkit
(index/text.py: SQuAD normalisation, quote folding), so every number in a report can be
recomputed by hand from the definitions in these docstrings.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from pathlib import Path

from index.text import normalize_answer, squash

# --- answers (SQuAD v1.1 / v2.0 normalisation) -------------------------------------------------


def _golds(golds: str | Iterable[str]) -> list[str]:
    # An unanswerable question has no gold answer: SQuAD 2.0 scores it against "".
    out = [golds] if isinstance(golds, str) else list(golds)
    return out or [""]


def exact_match(prediction: str, golds: str | Iterable[str]) -> float:
    """1.0 when the normalised prediction equals any normalised gold, else 0.0."""
    pred = normalize_answer(prediction)
    return float(any(pred == normalize_answer(g) for g in _golds(golds)))


def _f1(pred_tokens: list[str], gold_tokens: list[str]) -> float:
    if not pred_tokens or not gold_tokens:
        return float(pred_tokens == gold_tokens)  # SQuAD 2.0: both empty is a match
    common = Counter(pred_tokens) & Counter(gold_tokens)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision = same / len(pred_tokens)
    recall = same / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def token_f1(prediction: str, golds: str | Iterable[str]) -> float:
    """SQuAD token F1 of the normalised prediction against the best-matching gold."""
    pred = normalize_answer(prediction).split()
    return max(_f1(pred, normalize_answer(g).split()) for g in _golds(golds))


def contains_answer(text: str, golds: str | Iterable[str]) -> bool:
    """True when a (non-empty) normalised gold appears in the normalised text as whole words.

    Whole words so that "22" is not found inside "2022".
    """
    haystack = f" {normalize_answer(text)} "
    for g in _golds(golds):
        needle = normalize_answer(g)
        if needle and f" {needle} " in haystack:
            return True
    return False


# --- retrieval ---------------------------------------------------------------------------------


def hit_at_k(relevant: Sequence[bool], k: int) -> float:
    """1.0 when any of the first k ranked results is relevant."""
    return float(any(relevant[:k]))


def recall_at_k(ranked_ids: Sequence[Hashable], relevant_ids: Iterable[Hashable], k: int) -> float:
    """Share of the relevant ids found in the first k results (0.0 when nothing is relevant)."""
    wanted = set(relevant_ids)
    if not wanted:
        return 0.0
    return len(wanted & set(ranked_ids[:k])) / len(wanted)


def mrr(relevant: Sequence[bool]) -> float:
    """Reciprocal rank of the first relevant result (0.0 if none) for one query.

    Average it over queries to get the mean reciprocal rank.
    """
    for rank, rel in enumerate(relevant, start=1):
        if rel:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(ranked_ids: Sequence[Hashable], relevance: dict[Hashable, float], k: int) -> float:
    """nDCG@k with linear gain and log2 discount.

    DCG@k = sum over ranks i = 1..k of rel(id_i) / log2(i + 1), where rel is looked up in
    `relevance` (missing ids count 0; binary labels are 0/1, graded ones any non-negative number;
    a repeated id only gains at its first rank). The ideal DCG sorts all values of `relevance`
    in decreasing order. Returns 0.0 when the ideal DCG is 0.
    """
    seen: set[Hashable] = set()
    dcg = 0.0
    for i, doc_id in enumerate(ranked_ids[:k], start=1):
        if doc_id in seen:
            continue
        seen.add(doc_id)
        dcg += relevance.get(doc_id, 0) / math.log2(i + 1)
    ideal = sorted((r for r in relevance.values() if r > 0), reverse=True)[:k]
    idcg = sum(r / math.log2(i + 1) for i, r in enumerate(ideal, start=1))
    return dcg / idcg if idcg > 0 else 0.0


def chunk_is_relevant(
    chunk_text: str,
    chunk_source: str,
    chunk_start: int | None,
    chunk_end: int | None,
    evidence: Iterable[dict],
) -> bool:
    """Is a retrieved chunk evidence for a question?

    Relevant when, for some evidence item {doc, quote[, start, end]}, the chunk comes from that
    document (compared by file name: Path(chunk_source).name == doc) and
    - the chunk contains the quote, or the quote contains the whole chunk (both compared after
      collapsing whitespace and folding curly quotes), or
    - the evidence gives start/end and the chunk's [chunk_start, chunk_end) span overlaps them.
    """
    name = Path(chunk_source).name
    chunk = squash(chunk_text)
    for ev in evidence:
        if ev.get("doc") != name:
            continue
        quote = squash(ev.get("quote") or "")
        if quote and (quote in chunk or (chunk and chunk in quote)):
            return True
        start, end = ev.get("start"), ev.get("end")
        if (
            None not in (start, end, chunk_start, chunk_end)
            and chunk_start < end
            and start < chunk_end
        ):
            return True
    return False


# --- citations (ALCE, Gao et al. 2023) -----------------------------------------------------------

Supports = Callable[[str, list[str]], bool]


def citation_recall_precision(
    sentences: Sequence[tuple[str, Sequence[str]]], supports: Supports
) -> tuple[float, float]:
    """ALCE citation recall and precision for one answer.

    `sentences` holds (sentence, texts of the passages it cites); `supports(claim, passages)`
    says whether the passages, taken together, support the claim.

    Recall = (sentences whose citations jointly support them) / (all sentences). A sentence
    without citations counts as unsupported.

    Precision = (relevant citations) / (all citations of all sentences), where a citation c of
    sentence s is relevant when
      1. s is supported by all its citations together (its recall is 1), and
      2. c is not irrelevant; c is irrelevant when c alone does not support s AND the other
         citations of s together do. With a single citation, condition 2 always holds.
    So a citation of an unsupported sentence never counts, and of two citations where only one
    supports the sentence alone, the other is irrelevant; when neither supports alone but both
    together do, both are relevant.

    Empty input gives (0.0, 0.0); no citations at all gives precision 0.0 (as in ALCE).
    """
    if not sentences:
        return 0.0, 0.0
    supported = 0
    relevant = 0
    total = 0
    for sentence, cited in sentences:
        cited = list(cited)
        total += len(cited)
        if not cited or not supports(sentence, cited):
            continue
        supported += 1
        if len(cited) == 1:
            relevant += 1
            continue
        for i, passage in enumerate(cited):
            alone = supports(sentence, [passage])
            rest = cited[:i] + cited[i + 1 :]
            if alone or not supports(sentence, rest):
                relevant += 1
    recall = supported / len(sentences)
    precision = relevant / total if total else 0.0
    return recall, precision


# --- latency, abstention, agreement ------------------------------------------------------------


def percentile(values: Iterable[float], p: float) -> float:
    """The p-th percentile (0 <= p <= 100) with linear interpolation between closest ranks.

    Same as numpy's default: rank = (n - 1) * p / 100 into the sorted values.
    """
    xs = sorted(values)
    if not xs:
        raise ValueError("percentile of an empty sequence")
    if not 0 <= p <= 100:
        raise ValueError(f"percentile p must be within 0..100, got {p}")
    rank = (len(xs) - 1) * p / 100
    lo = math.floor(rank)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (rank - lo)


def abstention_pr(
    predicted_abstain: Sequence[bool], should_abstain: Sequence[bool]
) -> tuple[float, float]:
    """Precision and recall of abstaining, the positive class being "should abstain".

    precision = correct abstentions / abstentions; recall = correct abstentions / questions that
    should be abstained on. Empty denominators: recall is 1.0 when nothing should be abstained
    on; precision is 1.0 when the system never abstained and nothing needed it, 0.0 when it
    never abstained although something did (silence should not score as perfect precision).
    """
    if len(predicted_abstain) != len(should_abstain):
        raise ValueError(
            f"length mismatch: {len(predicted_abstain)} predictions, {len(should_abstain)} labels"
        )
    tp = sum(bool(p) and bool(g) for p, g in zip(predicted_abstain, should_abstain, strict=True))
    predicted = sum(bool(p) for p in predicted_abstain)
    needed = sum(bool(g) for g in should_abstain)
    recall = tp / needed if needed else 1.0
    if predicted:
        precision = tp / predicted
    else:
        precision = 1.0 if needed == 0 else 0.0
    return precision, recall


def _check_pairs(pred: Sequence[bool], gold: Sequence[bool]) -> None:
    if len(pred) != len(gold):
        raise ValueError(f"length mismatch: {len(pred)} predictions, {len(gold)} labels")
    if not gold:
        raise ValueError("no labels")


def accuracy(pred: Sequence[bool], gold: Sequence[bool]) -> float:
    """Share of predictions equal to the labels."""
    _check_pairs(pred, gold)
    return sum(bool(p) == bool(g) for p, g in zip(pred, gold, strict=True)) / len(gold)


def balanced_accuracy(pred: Sequence[bool], gold: Sequence[bool]) -> float:
    """Mean of the recall on positive and on negative labels (over the classes present)."""
    _check_pairs(pred, gold)
    recalls = []
    for cls in (True, False):
        idx = [i for i, g in enumerate(gold) if bool(g) == cls]
        if idx:
            recalls.append(sum(bool(pred[i]) == cls for i in idx) / len(idx))
    return sum(recalls) / len(recalls)


def cohen_kappa(pred: Sequence[bool], gold: Sequence[bool]) -> float:
    """Cohen's kappa between binary predictions and labels: (p_o - p_e) / (1 - p_e).

    When chance agreement p_e is 1 (both sides constant), kappa is 1.0 if they agree on
    everything and 0.0 otherwise.
    """
    _check_pairs(pred, gold)
    n = len(gold)
    p_o = accuracy(pred, gold)
    pred_pos = sum(bool(p) for p in pred) / n
    gold_pos = sum(bool(g) for g in gold) / n
    p_e = pred_pos * gold_pos + (1 - pred_pos) * (1 - gold_pos)
    if p_e >= 1.0:
        return 1.0 if p_o == 1.0 else 0.0
    return (p_o - p_e) / (1 - p_e)
