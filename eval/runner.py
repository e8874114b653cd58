"""Run a QA dataset through `ask` and score every answer.

    run_eval(RunConfig(dataset=Path("seed_qa_dev.jsonl"), out=Path("runs/a"), ...))

writes `results.jsonl` (one scored answer per question) and the reports (eval.report). The
metric definitions live in eval.metrics; this module only decides what each one is fed:

- retrieval: the top 10 chunks of the same hybrid retrieval `ask` does (its first top-k are
  exactly `answer.sources`), scored against the evidence quotes located in the cleaned text;
- correctness: the answer text without citation markers (an abstention predicts "");
- grounding: each kept answer sentence against the full text of the chunks it cites;
- latency: `answer.timings` after one warm-up question, so model loading is not counted.
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

from eval import metrics
from eval.dataset import default_corpus, evidence_with_spans, load_dataset, relevant_chunks
from index.embedders import embedder_name
from index.pipeline import IndexConfig, index_paths
from index.text import strip_markers
from rag.answer import Answer, Source
from rag.llm import SCRIPTED, LLMConfig
from rag.non_claims import NOT_STATED
from rag.reader import analyse_question
from rag.retrieval import RetrievalConfig, retrieve
from rag.verify import UNVERIFIED, support

RANK_DEPTH = 10  # chunks scored for MRR and nDCG@10
TYPES_ORDER = ("factoid", "numeric", "multi-doc", "distractor", "unanswerable", "unlabelled")


@dataclass(frozen=True)
class RunConfig:
    dataset: Path
    out: Path
    index: IndexConfig
    llm: LLMConfig = field(default_factory=LLMConfig)
    top_k: int = 6
    corpus: Path | None = None  # indexed (incrementally) before the run
    progress: bool | None = None  # None: a bar when stderr is a terminal


def retrieval_scores(ranked: list[Source], evidence: list[dict], ideal: set[str]) -> dict:
    rel = [metrics.chunk_is_relevant(s.text, s.source, s.start, s.end, evidence) for s in ranked]
    top5 = ranked[:5]
    found = [
        any(metrics.chunk_is_relevant(s.text, s.source, s.start, s.end, [ev]) for s in top5)
        for ev in evidence
    ]
    ids = [s.chunk_id for s in ranked]
    return {
        "hit@5": metrics.hit_at_k(rel, 5),
        # Over evidence quotes, not chunks: a multi-doc question needs both of its documents.
        "recall@5": sum(found) / len(found),
        "mrr": metrics.mrr(rel[:RANK_DEPTH]),
        "ndcg@10": metrics.ndcg_at_k(ids, {cid: 1.0 for cid in ideal}, RANK_DEPTH),
        "relevant": rel,
    }


# ---------------------------------------------------------------------------------- answers


def prediction(answer: Answer) -> str:
    """The answer as a prediction for EM/F1: no markers; an abstention predicts nothing."""
    return "" if answer.abstained else strip_markers(answer.text).replace(UNVERIFIED, "").strip()


def _supports(claim: str, passages: list[str]) -> bool:
    return support(claim, " ".join(passages)).supported


def grounding_scores(answer: Answer) -> dict:
    """Each kept sentence against the full chunks it cites (ALCE recall and precision)."""
    chunk_text = {s.chunk_id: s.text for s in answer.sources}
    cited_chunk = {c.n: chunk_text.get(c.chunk_id, c.text) for c in answer.citations}
    sentences: list[tuple[str, list[str]]] = []
    rows = []
    for chk in answer.sentences:
        # Dropped: not in the answer the user sees; not stated: says the passages lack
        # something, which is no claim for a passage to support.
        if chk.status in ("dropped", NOT_STATED):
            continue
        # Citations are passages: two highlighted spans of one chunk cite it once.
        passages = list(dict.fromkeys(cited_chunk[n] for n in chk.citations if n in cited_chunk))
        s = support(chk.text, " ".join(passages)) if passages else None
        rows.append(
            {
                "text": chk.text,
                "citations": chk.citations,
                "status": chk.status,
                "support": round(s.score, 4) if s else 0.0,
                "supported": bool(s and s.supported),
            }
        )
        sentences.append((chk.text, passages))
    if not sentences:
        return {"sentences": rows}
    recall, precision = metrics.citation_recall_precision(sentences, _supports)
    return {
        "sentences": rows,
        "supported_sentences": sum(r["supported"] for r in rows) / len(rows),
        "citation_recall": recall,
        "citation_precision": precision,
    }


def score_answer(row: dict, answer: Answer, ranked: list[Source], ideal: set[str]) -> dict:
    """One line of results.jsonl."""
    evidence = row["evidence_spans"]
    m: dict = {}
    if row["answerable"] is not None:  # unlabelled questions: neither right nor wrong to abstain
        m["abstained_correctly"] = answer.abstained == (not row["answerable"])
    retrieval = retrieval_scores(ranked, evidence, ideal) if evidence else None
    if retrieval:
        m.update({k: v for k, v in retrieval.items() if k != "relevant"})
    relevance = retrieval["relevant"] if retrieval else [None] * len(ranked)
    pred = prediction(answer)
    short = None if answer.abstained else answer.answer
    if row["answerable"] and row["answers"]:
        m["em"] = metrics.exact_match(pred, row["answers"])
        m["f1"] = metrics.token_f1(pred, row["answers"])
        # The direct answer when there is one, else the answer text (issue 8's short-answer F1).
        m["answer_em"] = metrics.exact_match(short or pred, row["answers"])
        m["answer_f1"] = metrics.token_f1(short or pred, row["answers"])
        m["contains"] = float(metrics.contains_answer(f"{short or ''} {pred}", row["answers"]))
    if row["answerable"]:  # also without gold answers (a replayed model's answers: issue 9)
        m["false_abstention"] = float(answer.abstained)
    grounding = grounding_scores(answer) if not answer.abstained else {"sentences": []}
    for key in ("supported_sentences", "citation_recall", "citation_precision"):
        if key in grounding:
            m[key] = grounding[key]
    return {
        "id": row["id"],
        "type": row["type"],
        "question": row["question"],
        "answerable": row["answerable"],
        "gold": row["answers"],
        "answer": answer.text,
        "direct_answer": short,
        "qtype": analyse_question(row["question"]).qtype,
        "p_answerable": answer.probability,
        "answerability_model": answer.model,
        "prediction": pred,
        "abstained": answer.abstained,
        "citations": answer.to_dict()["citations"],
        "sentences": grounding["sentences"],
        # The pipeline's own verification of every generated sentence, dropped ones included.
        "checks": [asdict(c) for c in answer.sentences],
        "retrieved": [
            {
                "chunk_id": s.chunk_id,
                "doc": Path(s.source).name,
                "start": s.start,
                "end": s.end,
                "score": round(s.score, 6),
                "relevant": rel,
            }
            for s, rel in zip(ranked, relevance, strict=True)
        ],
        "metrics": m,
        "latency_ms": {k: round(v, 1) for k, v in answer.timings.items()},
    }


# ---------------------------------------------------------------------------------- aggregate


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _collect(results: list[dict], key: str) -> list[float]:
    return [r["metrics"][key] for r in results if key in r["metrics"]]


def aggregate(results: list[dict], config: dict) -> dict:
    """report.json: means over the questions each metric applies to (counts under `scored`)."""
    retrieval_keys = ("hit@5", "recall@5", "mrr", "ndcg@10")
    labelled = [r for r in results if r["answerable"] is not None]
    precision, recall = metrics.abstention_pr(
        [r["abstained"] for r in labelled], [not r["answerable"] for r in labelled]
    )
    totals = [r["latency_ms"].get("total_ms", 0.0) for r in results]
    kept = [s for r in results for s in r["sentences"]]
    report = {
        "n": len(results),
        "retrieval": {k: _mean(_collect(results, k)) for k in retrieval_keys},
        "answer": {
            "em": _mean(_collect(results, "em")),
            "f1": _mean(_collect(results, "f1")),
            "answer_em": _mean(_collect(results, "answer_em")),
            "answer_f1": _mean(_collect(results, "answer_f1")),
        },
        "grounding": {
            # Pooled over sentences; ALCE recall/precision are averaged over answers, as in ALCE.
            "supported_sentences": _mean([float(s["supported"]) for s in kept]),
            "citation_recall": _mean(_collect(results, "citation_recall")),
            "citation_precision": _mean(_collect(results, "citation_precision")),
        },
        "abstention": {
            "precision": round(precision, 4) if labelled else None,
            "recall": round(recall, 4) if labelled else None,
            "false_abstention": _mean(_collect(results, "false_abstention")),
            # Share of all questions that abstained, labelled or not.
            "rate": _mean([float(r["abstained"]) for r in results]),
        },
        "latency_ms": {
            "p50": round(metrics.percentile(totals, 50), 1),
            "p95": round(metrics.percentile(totals, 95), 1),
        },
        "config": config,
    }
    report["answer"]["contains"] = _mean(_collect(results, "contains"))
    report["scored"] = {
        "retrieval": len(_collect(results, "hit@5")),
        "answer": len(_collect(results, "em")),
        "grounding_answers": len(_collect(results, "citation_recall")),
        "grounding_sentences": len(kept),
        "should_abstain": sum(r["answerable"] is False for r in results),
        "unlabelled": len(results) - len(labelled),
        "abstained": sum(r["abstained"] for r in results),
    }
    report["by_type"] = by_type(results)
    report["by_qtype"] = by_type(results, key="qtype")
    models = sorted({r.get("answerability_model") or "" for r in results} - {""})
    from rag.near_miss import default_model as near_miss_model

    report["config"] = {
        **config,
        "answerability_model": ", ".join(models) or None,
        # The extractive backend's second answerability model (rag/near_miss.py).
        "near_miss_model": near_miss_model().version,
    }
    return report


def by_type(results: list[dict], key: str = "type") -> dict[str, dict]:
    """Per dataset type (`type`) or per kind of question asked (`qtype`: who, when, how_many,
    ...): answer figures, and abstention figures with the unanswerable questions of that kind."""
    keys = (
        "hit@5", "f1", "answer_f1", "contains", "supported_sentences", "abstained_correctly",
        "false_abstention",
    )  # fmt: skip
    # Known types in their usual order, then any others alphabetically.
    rank = {t: i for i, t in enumerate(TYPES_ORDER)}
    types = sorted({r.get(key) or "?" for r in results}, key=lambda t: (rank.get(t, len(rank)), t))
    out = {}
    for t in types:
        group = [r for r in results if (r.get(key) or "?") == t]
        row: dict = {"n": len(group)}
        for k in keys:
            row[k] = _mean([float(v) for v in _collect(group, k)])
        unanswerable = [r for r in group if r["answerable"] is False]
        row["abstention_recall"] = _mean([float(r["abstained"]) for r in unanswerable])
        out[t] = row
    return out


# ---------------------------------------------------------------------------------- config


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("grounded-rag", "chromadb", "sentence-transformers", "torch", "llama_cpp_python"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
        if commit:
            out["git"] = commit
    except (OSError, subprocess.SubprocessError):
        pass
    return out


def run_config(cfg: RunConfig, backend: str) -> dict:
    data = cfg.dataset.read_bytes()
    return {
        "backend": cfg.llm.backend,
        "model": cfg.llm.model or backend,  # backend: the resolved name, e.g. "local:x.gguf"
        "embedder": embedder_name(cfg.index.embedder),
        "top_k": cfg.top_k,
        "retrieval_mode": "hybrid",
        "dataset": str(cfg.dataset),
        "dataset_sha256": hashlib.sha256(data).hexdigest()[:16],
        "store": str(cfg.index.store),
        "versions": versions(),
    }


# ---------------------------------------------------------------------------------- the run


def run_eval(cfg: RunConfig) -> dict:
    """Answer and score every question; write results.jsonl and the reports into cfg.out."""
    from tqdm import tqdm

    from eval.report import write_reports
    from rag.pipeline import AskConfig, Pipeline

    llm = str(cfg.llm.backend)
    variant = None
    if llm.startswith(SCRIPTED):  # replaying llm_answers_dev.jsonl: ask what has that answer
        variant = llm.partition("#variant=")[2] or None
    rows = load_dataset(cfg.dataset, variant)
    progress = sys.stderr.isatty() if cfg.progress is None else cfg.progress
    corpus = cfg.corpus or default_corpus(cfg.dataset)
    if corpus is not None:
        report = index_paths([corpus], cfg.index, progress=progress)
        for e in report.errors:
            print(f"warning: {e['source']}: {e['error']}", file=sys.stderr)
    pipeline = Pipeline(
        AskConfig(index=cfg.index, llm=cfg.llm, retrieval=RetrievalConfig(top_k=cfg.top_k))
    )
    try:
        reader = pipeline.reader
        by_name = _sources_by_name(reader.sources(), corpus)
        wanted = {ev["doc"] for row in rows for ev in row["evidence"]}
        absent = sorted(wanted - set(by_name))
        if absent:
            print(f"warning: evidence documents not in the store: {absent}", file=sys.stderr)
        pipeline.ask(rows[0]["question"])  # not scored: loads the models before timing
        deep = RetrievalConfig(top_k=max(RANK_DEPTH, cfg.top_k))
        results = []
        bar = tqdm(rows, desc="eval", unit="q", disable=not progress)
        for row in bar:
            bar.set_postfix_str(row["id"])
            answer = pipeline.ask(row["question"])
            ranked = retrieve(reader, answer.query or row["question"], deep)
            row = {**row, "evidence_spans": evidence_with_spans(row, reader, by_name)}
            ideal = relevant_chunks(reader, row["evidence_spans"], by_name)
            results.append(score_answer(row, answer, ranked, ideal))
        config = run_config(cfg, pipeline.backend)
    finally:
        pipeline.close()
    report = aggregate(results, config)
    write_reports(cfg.out, report, results)
    return report


def _sources_by_name(sources: list[str], corpus: Path | None) -> dict[str, str]:
    """File name -> indexed source; files under the corpus folder win over namesakes."""
    root = str(corpus.resolve()) if corpus else None
    out: dict[str, str] = {}
    for src in sorted(sources, key=lambda s: not (root and s.startswith(root))):
        out.setdefault(Path(src).name, src)
    return out
