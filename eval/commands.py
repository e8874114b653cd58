"""`rag eval`: run a dataset, or one of the subcommands grounding / compare / beir / generate.

    rag eval DATASET.jsonl --out DIR [--llm NAME] [--store DIR] [--corpus DIR]
    rag eval grounding PAIRS.jsonl [--json] [--judge openai]
    rag eval compare RUN_A RUN_B [--json]
    rag eval beir DIR [--json]
    rag eval generate PATH [--n 50] --out FILE [--llm NAME]

argparse cannot mix a positional DATASET with subcommands, so `rag eval` takes its arguments
raw and dispatches on the first one: a subcommand name selects that parser, anything else is
a dataset for the run parser. `python -m eval` goes through the same code.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from index.embedders import EmbedderConfig
from index.errors import ConfigError
from rag.llm import LLMConfig, backend_arg

SUBCOMMANDS = ("grounding", "compare", "beir", "generate")


def register(sub, store_args: Callable, index_config: Callable) -> None:
    # prefix_chars no option can start with: every argument reaches `dispatch` untouched.
    p = sub.add_parser(
        "eval",
        help="evaluate answers, the support scorer or retrieval (rag eval -h for details)",
        add_help=False,
        prefix_chars="\x00",
    )
    p.add_argument("argv", nargs="*")
    p.set_defaults(func=lambda args: dispatch(args.argv, store_args, index_config))


def _llm_args(p: argparse.ArgumentParser, flag: str = "--llm") -> None:
    p.add_argument(
        flag,
        dest="llm",
        default=os.environ.get("RAG_LLM", "extractive"),
        type=backend_arg,
        help="answer backend (default: extractive, or $RAG_LLM)",
    )
    p.add_argument("--model", default=None, help="local: a .gguf path; openai: the model name")
    p.add_argument("--base-url", default=None, help="openai: the API root, e.g. http://HOST/v1")
    from rag.commands import max_tokens_arg

    max_tokens_arg(p)


def _llm_config(args: argparse.Namespace) -> LLMConfig:
    from rag.commands import max_tokens

    return LLMConfig(
        backend=args.llm,
        model=args.model,
        base_url=args.base_url,
        max_tokens=max_tokens(args.max_tokens),
    )


def build_parsers(store_args: Callable) -> dict[str, argparse.ArgumentParser]:
    run = argparse.ArgumentParser(
        prog="rag eval",
        description="Answer every question of DATASET with `ask` and score the answers.",
        epilog="other commands: " + ", ".join(f"rag eval {s} -h" for s in SUBCOMMANDS),
    )
    run.add_argument("dataset", type=Path, help="JSON lines as ../shared/eval/seed_qa_dev.jsonl")
    run.add_argument("--out", type=Path, required=True, help="folder for results and reports")
    run.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="documents the evidence names, indexed first (default: ../corpus beside DATASET)",
    )
    run.add_argument("--top-k", type=int, default=6, help="chunks given to the answerer")
    run.add_argument("--json", action="store_true", help="print report.json")
    _llm_args(run)
    store_args(run)

    grounding = argparse.ArgumentParser(
        prog="rag eval grounding",
        description="Score the support scorer on labelled (passage, claim) pairs.",
    )
    grounding.add_argument("pairs", type=Path, help="as ../shared/eval/grounding_pairs_dev.jsonl")
    grounding.add_argument("--json", action="store_true", help="print n, accuracy, ... as JSON")
    grounding.add_argument(
        "--judge",
        choices=("openai", "local"),
        default=None,
        help="score an LLM judge instead of the deterministic scorer",
    )
    grounding.add_argument("--model", default=None, help="judge model name (or .gguf path)")
    grounding.add_argument("--base-url", default=None, help="judge: OpenAI-compatible API root")
    grounding.add_argument("--cache", type=Path, default=None, help="judge reply cache folder")

    compare = argparse.ArgumentParser(
        prog="rag eval compare", description="Metric deltas and config differences of two runs."
    )
    compare.add_argument("run_a", type=Path, help="--out folder (or report.json) of run A")
    compare.add_argument("run_b", type=Path, help="--out folder (or report.json) of run B")
    compare.add_argument("--json", action="store_true")

    beir = argparse.ArgumentParser(
        prog="rag eval beir",
        description="nDCG@10 and recall@100 of dense, lexical and hybrid retrieval on a BEIR "
        "folder (corpus.jsonl[.gz], queries.jsonl, qrels/test.tsv).",
    )
    beir.add_argument("folder", type=Path)
    beir.add_argument("--json", action="store_true")
    beir.add_argument("--cache", type=Path, default=None, help="where the built store is kept")
    beir.add_argument("--embedder", default=os.environ.get("RAG_EMBEDDER", "minilm"))
    beir.add_argument("--embed-url", default=None)
    beir.add_argument("--embed-model", default=None)

    generate = argparse.ArgumentParser(
        prog="rag eval generate",
        description="Write questions with verbatim evidence quotes from your own documents.",
    )
    generate.add_argument("path", type=Path, help="a document folder or file")
    generate.add_argument("--n", type=int, default=50, help="how many questions (at most)")
    generate.add_argument("--out", type=Path, required=True, help="the dataset file to write")
    generate.add_argument("--seed", type=int, default=0, help="passage sampling seed")
    _llm_args(generate)

    return {"run": run, "grounding": grounding, "compare": compare, "beir": beir,
            "generate": generate}  # fmt: skip


def dispatch(argv: list[str], store_args: Callable, index_config: Callable) -> int:
    parsers = build_parsers(store_args)
    if not argv or argv[0] in ("-h", "--help"):
        parsers["run"].print_help()
        return 0 if argv else 2
    name = argv[0] if argv[0] in SUBCOMMANDS else "run"
    rest = argv[1:] if name != "run" else argv
    args = parsers[name].parse_args(rest)
    handler = {
        "run": cmd_run,
        "grounding": cmd_grounding,
        "compare": cmd_compare,
        "beir": cmd_beir,
        "generate": cmd_generate,
    }[name]
    return handler(args, index_config)


# ---------------------------------------------------------------------------------- handlers


def cmd_run(args: argparse.Namespace, index_config: Callable) -> int:
    from eval.runner import RunConfig, run_eval

    if not args.dataset.is_file():
        raise ConfigError(f"no dataset file {args.dataset}")
    if args.corpus is not None and not args.corpus.exists():
        raise ConfigError(f"no corpus folder {args.corpus}")
    _out_folder(args.out)
    cfg = RunConfig(
        dataset=args.dataset,
        out=args.out,
        index=index_config(args),
        llm=_llm_config(args),
        top_k=args.top_k,
        corpus=args.corpus,
    )
    report = run_eval(cfg)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    from eval.report import fmt, summary_rows

    print(f"eval: {report['n']} questions, backend {report['config']['model']}")
    for group, key, value in summary_rows(report):
        print(f"  {group:<11}{key:<22}{fmt(value, group)}")
    print(f"wrote results.jsonl, report.json, report.md, report.html to {args.out}")
    return 0


def _out_folder(out: Path) -> None:
    """Create the reports folder before the run: a run of thousands of questions (hours with a
    local model) must not end in a traceback because --out names a file or a read-only place."""
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} is a file; pass a folder for results and reports")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ConfigError(
            f"cannot create the --out folder {out} ({e.strerror}); pass a writable folder"
        ) from None


def cmd_grounding(args: argparse.Namespace, index_config: Callable) -> int:
    from eval import grounding

    try:
        if args.judge is None:
            result = grounding.score_pairs(args.pairs)
            kinds = grounding.per_kind(args.pairs)
        else:
            result, kinds = _judge(args)
    except (OSError, ValueError) as e:
        raise ConfigError(str(e)) from None
    if args.json:
        print(json.dumps(result))
        return 0
    for key, value in result.items():
        print(f"{key:<18}{value:.3f}" if isinstance(value, float) else f"{key:<18}{value}")
    if kinds:
        print("accuracy by kind; then balanced accuracy, kappa against the other label:")
        for k, v in kinds.items():
            ba, kappa = v.get("balanced_accuracy"), v.get("kappa")
            vs = "" if ba is None else f"; {ba:.3f}, {kappa:.3f}"
            print(f"  {k:<22}{v['accuracy']:.3f}{vs} (n={v['n']})")
    return 0


def _judge(args: argparse.Namespace) -> tuple[dict, dict]:
    """Scores of the LLM judge; an unusable reply counts as a wrong verdict (never NaN)."""
    from eval import grounding, metrics
    from eval.generate import judge_pairs
    from rag.llm import get_llm

    rows = grounding.load_pairs(args.pairs)
    llm = get_llm(LLMConfig(backend=args.judge, model=args.model, base_url=args.base_url))
    verdicts, errors = judge_pairs(rows, llm, args.cache)
    gold = [r["supported"] for r in rows]
    pred = [(not g) if v is None else v for v, g in zip(verdicts, gold, strict=True)]
    for e in errors:
        print(f"warning: pair {e['id']}: {e['error']}", file=sys.stderr)
    result = {
        "n": len(rows),
        "accuracy": metrics.accuracy(pred, gold),
        "balanced_accuracy": metrics.balanced_accuracy(pred, gold),
        "kappa": metrics.cohen_kappa(pred, gold),
        "errors": len(errors),
    }
    return result, {}


def cmd_compare(args: argparse.Namespace, index_config: Callable) -> int:
    from eval.compare import compare, format_compare, load_report

    result = compare(load_report(args.run_a), load_report(args.run_b))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(format_compare(result, args.run_a.name or "A", args.run_b.name or "B"))
    return 0


def cmd_beir(args: argparse.Namespace, index_config: Callable) -> int:
    from eval.beir import format_beir, run_beir

    if not args.folder.is_dir():
        raise ConfigError(f"no BEIR folder {args.folder}")
    embedder = EmbedderConfig(name=args.embedder, base_url=args.embed_url, model=args.embed_model)
    result = run_beir(args.folder, embedder, args.cache)
    print(json.dumps(result) if args.json else format_beir(args.folder, result))
    return 0


def cmd_generate(args: argparse.Namespace, index_config: Callable) -> int:
    from eval.generate import generate, write_dataset
    from rag.llm import get_llm

    if not args.path.exists():
        raise ConfigError(f"no such file or folder: {args.path}")
    if args.out.is_dir():
        raise ConfigError(f"--out {args.out} is a folder; pass the dataset file to write")
    rows, stats = generate(args.path, args.n, get_llm(_llm_config(args)), args.seed)
    if not rows:
        raise ConfigError(
            f"no question could be made from {args.path} ({stats['passages']} passages); "
            "are there supported documents with sentences in them?"
        )
    write_dataset(rows, args.out)
    print(
        f"wrote {len(rows)} questions to {args.out} (generator {stats['generator']}; "
        f"{stats['tried']} passages tried, {stats['rejected']} rejected)"
    )
    return 0
