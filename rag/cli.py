"""The `rag` command: one console script fronting index, ask, chat, ui and eval.

Errors meant for users (RagError) become one line on stderr and exit code 2 here, and only here.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

from index.embedders import EmbedderConfig
from index.errors import ConfigError, RagError, one_line
from index.limits import Limits
from index.ocr import OCR_MODES, OcrConfig
from index.pipeline import CATALOG_FILE, IndexConfig, default_store


def _store_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", type=Path, default=None, help="store folder (default: $RAG_STORE)")
    p.add_argument("--chroma-url", default=None, help="use a Chroma server, http://HOST:PORT")
    p.add_argument(
        "--embedder",
        default=os.environ.get("RAG_EMBEDDER", "minilm"),
        help="minilm (bundled, ONNX Runtime), minilm-torch (same vectors), minilm-int8, openai, "
        "or a sentence-transformers folder",
    )
    p.add_argument("--embed-url", default=None, help="openai embedder: base URL")
    p.add_argument("--embed-model", default=None, help="openai embedder: model name")


def index_config(args: argparse.Namespace, rebuild: bool = False) -> IndexConfig:
    return IndexConfig(
        batch_chunks=getattr(args, "batch_chunks", 256),
        workers=getattr(args, "workers", 1),
        sentence_vectors=getattr(args, "sentence_vectors", None),
        store=args.store or default_store(),
        chroma_url=args.chroma_url,
        embedder=EmbedderConfig(
            name=args.embedder, base_url=args.embed_url, model=args.embed_model
        ),
        rebuild=rebuild,
        lock_wait=getattr(args, "wait", 0.0) or 0.0,
        limits=_limits(args),
        ocr=OcrConfig(getattr(args, "ocr", "auto"), getattr(args, "ocr_lang", "eng")),
    )


def _limits(args: argparse.Namespace) -> Limits:
    names = ("max_file_mb", "max_html_mb", "max_chunk_chars")
    return Limits(**{k: getattr(args, k) for k in names if getattr(args, k, None) is not None})


def _limit_args(p: argparse.ArgumentParser) -> None:
    d = Limits()
    p.add_argument(
        "--max-file-mb", type=float, help=f"skip larger files (default {d.max_file_mb:g})"
    )
    p.add_argument(
        "--max-html-mb", type=float, help=f"skip larger HTML (default {d.max_html_mb:g})"
    )
    p.add_argument(
        "--max-chunk-chars", type=int, help=f"cut longer chunks (default {d.max_chunk_chars})"
    )


def _ocr_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--ocr",
        choices=OCR_MODES,
        default="auto",
        help="OCR PDF pages: auto (pages with an image and no usable text), always, never",
    )
    p.add_argument("--ocr-lang", default="eng", help="Tesseract language(s), e.g. eng+deu")


def _missing(path: str) -> bool:
    # A symlink loop, a broken symlink or a FIFO exists; the walk reports those precisely.
    try:
        os.lstat(os.path.expanduser(path))
    except FileNotFoundError:
        return True
    except OSError:
        pass
    return False


def cmd_index(args: argparse.Namespace) -> int:
    from index.pipeline import index_paths

    cfg = index_config(args, rebuild=args.rebuild)
    missing = [p for p in args.paths if _missing(p)]
    if len(missing) == len(args.paths):
        # Nothing to do: refuse before a mistyped path or --store leaves an empty store behind.
        raise ConfigError(
            f"no such file or folder: {', '.join(missing)}; check the path(s) given to rag index"
        )
    is_new = not (cfg.store / CATALOG_FILE).exists()
    report = index_paths(args.paths, cfg)
    if is_new:
        print(f"rag: created store at {cfg.store.resolve()}", file=sys.stderr)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        recleaned = (
            f" ({report.recleaned} re-read: newer cleaning rules)" if report.recleaned else ""
        )
        print(
            f"added {report.added}, updated {report.updated}{recleaned}, "
            f"removed {report.removed}, unchanged {report.unchanged}; "
            f"embedded {report.embedded} chunks; {report.chunks} chunks in the store"
        )
        _print_errors(report.errors)
        for s in report.ocr_skipped:
            pages = ", ".join(map(str, s["pages"]))
            print(
                one_line(
                    f"warning: {s['source']}: page(s) {pages} need OCR, skipped: {s['reason']}"
                ),
                file=sys.stderr,
            )
    if missing:
        print(
            one_line(f"rag: error: no such file or folder: {', '.join(missing)}"), file=sys.stderr
        )
        return 2
    if args.watch:  # an empty folder is fine here: files may come later
        return _watch(args, cfg, report)
    done = report.added + report.updated + report.unchanged + report.removed
    if done == 0 and report.chunks == 0:
        why = f"all {len(report.errors)} file(s) failed" if report.errors else "no files found"
        print(f"rag: error: nothing indexed ({why}); the store is empty", file=sys.stderr)
        return 2
    return 0


def _print_errors(errors: list[dict]) -> None:
    """One line per file that failed; files of types rag does not read (a docs folder's
    changelog.gz, copyright) in one line with counts when there are several, so that the
    files that failed stand out. `--json` lists every one of them under "errors"."""
    from index.compressed import is_gzip
    from index.loaders import SUPPORTED_SUFFIXES, UNSUPPORTED, document_suffix

    other = [e for e in errors if not e["error"].startswith(UNSUPPORTED)]
    skipped = [e["source"] for e in errors if e["error"].startswith(UNSUPPORTED)]
    for e in other if len(skipped) > 1 else errors:
        print(one_line(f"error: {e['source']}: {e['error']}"), file=sys.stderr)
    if len(skipped) > 1:
        # Named as `unsupported` names them, from the same document_suffix.
        kinds = Counter(
            repr(document_suffix(f) or "(none)") + (" (gzip)" if is_gzip(f) else "")
            for f in skipped
        )
        counted = ", ".join(f"{n} {kind}" for kind, n in kinds.most_common())
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        print(
            one_line(
                f"skipped {len(skipped)} files of types rag does not read ({counted}); "
                f"supported: {supported}"
            ),
            file=sys.stderr,
        )


def _watch(args: argparse.Namespace, cfg: IndexConfig, first) -> int:
    """`rag index PATH --watch`: after the first run, a line per change until Ctrl-C (exit 0)."""
    from index.watch import run_cli

    return run_cli(args.paths, cfg, args.json, first)


def _require_store(store: Path) -> None:
    """Readers must not create a store: a mistyped --store would look like an empty index."""
    from index.store import check_store_dir

    check_store_dir(store)
    if not (store / CATALOG_FILE).exists():
        raise ConfigError(
            f"no index at {store}: run `rag index PATH --store {store}` first (or set RAG_STORE)"
        )


def cmd_status(args: argparse.Namespace) -> int:
    from index.pipeline import store_status

    cfg = index_config(args)
    _require_store(cfg.store)
    st = store_status(cfg)
    if args.json:
        print(json.dumps(st))
    else:
        print(
            f"store:     {st['store']}" + (f" (chroma {st['chroma']})" if args.chroma_url else "")
        )
        print(f"documents: {st['documents']}")
        print(f"chunks:    {st['chunks']} ({st['vectors_in_store']} vectors)")
        print(f"embedder:  {st['embedder'] or '(none yet)'} dim {st['dim']}")
        print(f"size:      {st['size_bytes'] / 1e6:.1f} MB on disk")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from index.check import check_store

    if args.sample < 0:
        raise ConfigError(f"--sample must be 0 (every vector) or more, not {args.sample}")
    report = check_store(index_config(args), repair=args.repair, sample=args.sample)
    if args.json:
        print(json.dumps(report.to_dict()))
    else:
        print(f"store:    {report.store} (chroma {report.chroma})")
        print(
            f"chunks:   {report.catalog_chunks} in the catalog, "
            f"{report.vectors_in_store} vectors in Chroma"
        )
        print(f"checked:  {report.checked_vectors} vectors against the catalog's cached vectors")
        if report.repaired:
            r = report.repaired
            print(
                f"repaired: {r['before']} -> deleted {r['deleted']}, restored {r['restored']} "
                "from the catalog (nothing re-embedded)"
            )
        print(f"problems: {report.summary()}")
        if not report.ok:
            fix = (
                "re-index with --rebuild"
                if report.uncached or report.repaired
                else "run `rag check --repair`"
            )
            print(f"rag check: the store is not consistent; {fix}", file=sys.stderr)
    return 0 if report.ok else 1


def _wait_arg(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help=f"if another process is writing the store, wait up to SECONDS for it, then {what} "
        "(default: 0, refuse at once and name that process)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rag", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="index files or folders (only what changed)")
    p.add_argument("paths", nargs="+")
    _store_args(p)
    p.add_argument("--rebuild", action="store_true", help="drop the store and index from scratch")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--batch-chunks", type=int, default=256, help=argparse.SUPPRESS)
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="parse files in N processes while the encoder runs (default 1: one background "
        "thread; more pays off with cores to spare)",
    )
    p.add_argument(
        "--sentence-vectors",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also embed every sentence now, so extractive answers need no embedding (7x "
        "faster on the Python docs; indexing takes 2.1x as long, ~768 bytes a sentence); the "
        "store keeps the choice (default: as the store was, off for a new one)",
    )
    _limit_args(p)
    _ocr_args(p)
    _wait_arg(p, "index")
    p.add_argument(
        "--watch",
        action="store_true",
        help="then keep watching PATH: index files as they are added, changed, renamed or "
        "deleted, one line each; Ctrl-C stops after the batch in progress (exit 0)",
    )
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("status", help="documents, chunks, embedder and size of a store")
    _store_args(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser(
        "check", help="verify that Chroma holds exactly the catalog's chunks and vectors"
    )
    _store_args(p)
    p.add_argument(
        "--repair",
        action="store_true",
        help="fix what is wrong from the catalog's cached vectors (no re-embedding)",
    )
    p.add_argument(
        "--sample",
        type=int,
        default=0,
        metavar="N",
        help="compare N random vectors instead of all (default: 0, all)",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    _wait_arg(p, "check")
    p.set_defaults(func=cmd_check)

    _register_optional(sub)
    return parser


def _register_optional(sub) -> None:
    """Commands of the read path, UI and eval register themselves when their modules exist."""
    import importlib

    for module in ("rag.commands", "ui.commands", "rag.serve.commands", "eval.commands"):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name != module:
                raise
            continue
        mod.register(sub, _store_args, index_config)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except RagError as e:
        print(one_line(f"rag: error: {e}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("rag: interrupted; finished files are kept, re-run to continue", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output left (`rag ask ... | head -1`): that is no error. Point
        # stdout at /dev/null so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
