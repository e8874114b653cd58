"""Benchmarks. `python -m eval.bench index [--json]` times indexing the Python 3.11 docs.

Phases of `index` (one run, timings after models are loaded and warmed up on both sides):
  ours              our pipeline, files to store, in a fresh process (which also gives peak RSS)
  noop              the same run again over the unchanged store
  encoder           the bare model on exactly the chunk texts ours embedded (its ceiling)
  baseline          plain llama-index (SimpleDirectoryReader, SentenceSplitter at the model's
                    limit, VectorStoreIndex.from_documents into Chroma) with fp32 MiniLM, also
                    under `--embedder minilm-int8`: it is what a plain pipeline runs, so
                    `ratio` then shows what the int8 encoder buys (its quality cost is measured
                    by `onnx-quality`)
  baseline_default  the same with llama-index's default 1024-token chunks, which the model
                    silently truncates to 256

Tokens are the model's own word pieces without special tokens, capped at what the model reads
(254), so tokens/s compares the work done on every side. `onnx-quality` measures what the int8
encoder costs in retrieval quality: dense nDCG@10 on BEIR SciFact, torch vs ONNX fp32 vs int8
(eval/bench_quality.py). `ask` (eval/bench_ask.py) times the read path, `scale`
(eval/bench_scale.py) retrieval on a 100k-chunk store.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from eval.bench_ours import embedded_texts, measure_encoder, measure_ours, peak_rss_mb, timed_method

PY_DOCS = Path("/usr/share/doc/python3.11/html/_sources")
PY_DOCS_PACKAGE = "python3.11-doc"
BASELINE_OVERLAP = 32  # our pipeline's overlap_tokens, so both sides repeat similar text
EMBEDDERS = ("minilm", "minilm-torch", "minilm-int8")


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- corpus and token counts


def ensure_python_docs() -> Path:
    """The Python docs sources, installing the Debian package when they are missing."""
    if PY_DOCS.is_dir():
        return PY_DOCS
    log(f"{PY_DOCS} is missing: apt-get install -y {PY_DOCS_PACKAGE}")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    install = [*sudo, "apt-get", "install", "-y", "-q", PY_DOCS_PACKAGE]
    if subprocess.run(install, check=False).returncode != 0:
        # A fresh machine may have no package lists yet.
        subprocess.run([*sudo, "apt-get", "update", "-q"], check=True)
        subprocess.run(install, check=True)
    if not PY_DOCS.is_dir():
        raise SystemExit(f"{PY_DOCS_PACKAGE} installed but {PY_DOCS} is still missing")
    return PY_DOCS


def corpus_files(root: Path, limit: int | None = None) -> list[Path]:
    """Supported files under root in a stable order; both pipelines get this exact list.

    With a limit, files are taken evenly across the sorted list: the first N alone would all
    come from one folder (c-api), which is not representative of the whole.
    """
    from index.loaders import unsupported

    files = sorted(p for p in root.rglob("*") if p.is_file() and not unsupported(p))
    if limit and limit < len(files):
        files = [files[i * len(files) // limit] for i in range(limit)]
    return files


class TokenCounter:
    """Word pieces of the bundled model's tokenizer, without special tokens."""

    def __init__(self) -> None:
        from tokenizers import Tokenizer
        from transformers import AutoTokenizer

        from index.embedders import bundled_minilm_path

        tokenizer = AutoTokenizer.from_pretrained(str(bundled_minilm_path()))
        # A copy of the Rust tokenizer: fast, no "longer than 512" warning, and without the
        # fixed padding to 128 that the bundled tokenizer.json switches on.
        self.backend = Tokenizer.from_str(tokenizer.backend_tokenizer.to_str())
        self.backend.no_padding()
        self.backend.no_truncation()
        self.limit = 256 - tokenizer.num_special_tokens_to_add(pair=False)

    def ids(self, text: str) -> list[int]:
        return self.backend.encode(text, add_special_tokens=False).ids

    def counts(self, texts: Sequence[str]) -> np.ndarray:
        encoded = self.backend.encode_batch(list(texts), add_special_tokens=False)
        return np.array([len(e.ids) for e in encoded], dtype=np.int64)


@dataclass
class Phase:
    seconds: float
    chunks: int
    tokens: int  # what the model read: each chunk's word pieces, capped at the model's limit

    def to_dict(self) -> dict:
        return {
            "seconds": round(self.seconds, 3),
            "chunks_per_s": round(self.chunks / self.seconds, 2),
            "tokens_per_s": round(self.tokens / self.seconds, 1),
            "chunks": self.chunks,
            "tokens": self.tokens,
        }


# ---------------------------------------------------------------- plain llama-index baseline


def llama_phase(
    name: str, files: list[str], store: Path, embed_model, splitter, counter: TokenCounter
) -> tuple[Phase, float, float]:
    """A baseline phase, the share of its tokens the model truncated away, and the share of
    its time spent inside the model."""
    from eval.bench_baseline import run_llama_index

    log(f"{name}: llama-index over {len(files)} files ...")
    in_model = [0.0]
    undo = timed_method(type(embed_model), "_get_text_embeddings", in_model)
    try:
        seconds, texts = run_llama_index(files, store, embed_model, splitter)
    finally:
        undo()
    counts = counter.counts(texts)
    read = np.minimum(counts, counter.limit)
    truncated = float((counts - read).sum() / max(1, counts.sum()))
    phase = Phase(seconds, len(texts), int(read.sum()))
    log(
        f"{name}: {seconds:.1f} s, {len(texts)} chunks, {truncated:.1%} of tokens truncated, "
        f"{in_model[0] / seconds:.0%} of it in the model"
    )
    return phase, truncated, in_model[0] / seconds


# ---------------------------------------------------------------- the index benchmark


def bench_index(args: argparse.Namespace) -> dict:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from index.embedders import EmbedderConfig

    root = Path(args.source) if args.source else ensure_python_docs()
    files = [str(p) for p in corpus_files(root, args.limit_files)]
    if not files:
        raise SystemExit(f"no supported files under {root}")
    mb = sum(os.path.getsize(f) for f in files) / 1e6
    log(f"corpus: {len(files)} files, {mb:.1f} MB under {root}; embedder {args.embedder}")
    batch_size = EmbedderConfig().batch_size
    counter = TokenCounter()
    load_before = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="bench-index-"))
    try:
        log("ours: indexing in a fresh process ...")
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
            child = pool.submit(
                measure_ours,
                files,
                str(work / "ours"),
                args.embedder,
                args.workers,
                args.sentence_vectors,
            ).result()
        report = child["report"]
        if report["errors"]:
            log(f"ours: {len(report['errors'])} files failed, first: {report['errors'][0]}")
        texts = embedded_texts(work / "ours")
        tokens = int(np.minimum(counter.counts(texts), counter.limit).sum())
        ours = Phase(child["seconds"], len(texts), tokens)
        log(
            f"ours: {ours.seconds:.1f} s, {report['chunks']} chunks ({len(texts)} distinct "
            f"embedded), {child['embed_seconds'] / child['seconds']:.0%} of it in the model, "
            f"{child['write_seconds'] / child['seconds']:.0%} writing, "
            f"unchanged re-run {child['noop_seconds']:.2f} s, "
            f"peak RSS {child['peak_rss_mb']:.0f} MB"
        )

        log(f"encoder: bare {args.embedder} on the same {len(texts)} chunk texts ...")
        encoder = Phase(measure_encoder(texts, args.embedder), len(texts), tokens)
        log(f"encoder: {encoder.seconds:.1f} s")

        from llama_index.core.node_parser import SentenceSplitter

        from eval.bench_baseline import plain_embed_model

        embed_model = plain_embed_model(batch_size)
        # Chunk size counted in the model's own word pieces: llama-index's default tiktoken
        # count runs far below word pieces on code and tables (chunk_size=180 still truncates
        # 2.7% of the Python docs), so only this makes "neither side truncates" true.
        fitted = SentenceSplitter(
            chunk_size=counter.limit, chunk_overlap=BASELINE_OVERLAP, tokenizer=counter.ids
        )
        baseline, baseline_truncated, baseline_model_share = llama_phase(
            "baseline", files, work / "baseline", embed_model, fitted, counter
        )
        default = default_truncated = None
        if not args.skip_baseline_default:
            default, default_truncated, _ = llama_phase(
                "baseline_default",
                files,
                work / "baseline_default",
                embed_model,
                SentenceSplitter(),  # llama-index's defaults: 1024 tiktoken tokens, 200 overlap
                counter,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    return {
        "encoder": encoder.to_dict(),
        "ours": ours.to_dict(),
        "baseline": baseline.to_dict(),
        "baseline_default": default.to_dict() if default else None,
        "baseline_default_truncated_fraction": (
            round(default_truncated, 4) if default_truncated is not None else None
        ),
        "encoder_efficiency": round(encoder.seconds / ours.seconds, 3),  # same tokens
        "ratio": round(baseline.seconds / ours.seconds, 3),
        "noop_fraction": round(child["noop_seconds"] / ours.seconds, 4),
        "peak_rss_mb": round(child["peak_rss_mb"], 1),
        # Context for reading the figures above.
        "embedder": args.embedder,
        "baseline_embedder": "llama-index HuggingFaceEmbedding, bundled all-MiniLM-L6-v2 fp32",
        "baseline_truncated_fraction": round(baseline_truncated, 4),
        "files": len(files),
        "corpus_mb": round(mb, 2),
        "chunks_in_store": report["chunks"],
        "noop_seconds": round(child["noop_seconds"], 3),
        # Share of ours spent inside the model, timed in the same run: the load-independent
        # counterpart of encoder_efficiency (which divides two runs made at different times).
        "ours_model_share": round(child["embed_seconds"] / child["seconds"], 3),
        "ours_write_share": round(child["write_seconds"] / child["seconds"], 3),
        "baseline_model_share": round(baseline_model_share, 3),
        "workers": args.workers,
        # With sentence vectors the model also embeds every sentence (not in `encoder`'s texts).
        "sentence_vectors": args.sentence_vectors,
        "sentences_embedded": report.get("sentence_vectors", 0),
        "batch_size": batch_size,
        "bench_process_peak_rss_mb": round(peak_rss_mb(), 1),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def print_index(result: dict) -> None:
    print(f"{'phase':<18}{'seconds':>10}{'chunks/s':>11}{'tokens/s':>11}")
    for name in ("encoder", "ours", "baseline", "baseline_default"):
        p = result[name]
        if p:
            rates = f"{p['chunks_per_s']:>11.1f}{p['tokens_per_s']:>11.0f}"
            print(f"{name:<18}{p['seconds']:>10.1f}{rates}")
    if result["baseline_default_truncated_fraction"] is not None:
        print(f"baseline_default truncated: {result['baseline_default_truncated_fraction']:.1%}")
    print(f"encoder efficiency {result['encoder_efficiency']:.2f} (target >= 0.85)")
    print(f"ratio baseline/ours {result['ratio']:.2f} (target >= 1.6)")
    print(f"unchanged re-run    {result['noop_fraction']:.2%} of a full run (target <= 2%)")
    print(f"peak RSS            {result['peak_rss_mb']:.0f} MB (target < 1536)")
    print(
        f"time in the model   ours {result['ours_model_share']:.0%} "
        f"(writes {result['ours_write_share']:.0%}), baseline {result['baseline_model_share']:.0%}"
    )
    print(f"load average        {result['load_average'][0]} -> {result['load_average'][1]}")


# ---------------------------------------------------------------- command line


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m eval.bench", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)

    index = sub.add_parser("index", help="index the Python docs: ours vs plain llama-index")
    index.add_argument(
        "--limit-files", type=int, default=None, metavar="N", help="an even sample of N files"
    )
    index.add_argument("--json", action="store_true", help="print the figures as JSON")
    index.add_argument("--embedder", choices=EMBEDDERS, default="minilm")
    index.add_argument(
        "--skip-baseline-default",
        action="store_true",
        help="leave out the default-chunk llama-index run",
    )
    index.add_argument(
        "--source", default=None, help=f"folder to index instead of {PY_DOCS} (for tests)"
    )
    index.add_argument(
        "--workers", type=int, default=1, metavar="N", help="our parsing processes (rag index)"
    )
    index.add_argument(
        "--sentence-vectors",
        action="store_true",
        help="ours also stores sentence vectors (rag index --sentence-vectors)",
    )
    index.set_defaults(func=bench_index, show=print_index)

    from eval.bench_ask import add_parser as add_ask_parser
    from eval.bench_quality import add_parser as add_quality_parser
    from eval.bench_scale import add_parser as add_scale_parser

    add_quality_parser(sub)
    add_ask_parser(sub)
    add_scale_parser(sub)
    from eval.bench_serve import add_parser as add_serve_parser

    add_serve_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result = args.func(args)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        args.show(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
