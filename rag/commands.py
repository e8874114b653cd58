"""`rag ask` and `rag chat`: the read path at the command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from rag.llm import LLMConfig, backend_arg
from rag.pipeline import DEFAULT_BACKEND, AskConfig, Pipeline
from rag.retrieval import RetrievalConfig


def backend_args(p: argparse.ArgumentParser, top_k: int | None = 6, note: str = "") -> None:
    """The answer backend's flags, shared by ask, chat, ui and serve (one environment serves all):
    --llm, --model, --base-url, --top-k, --flag-unsupported."""
    p.add_argument(
        "--llm",
        default=os.environ.get("RAG_LLM", DEFAULT_BACKEND),
        type=backend_arg,
        help=f"answer backend (default: {DEFAULT_BACKEND}{note})",
    )
    p.add_argument("--model", default=None, help="local: a .gguf path; openai: the model name")
    p.add_argument(
        "--base-url",
        default=os.environ.get("RAG_OPENAI_BASE_URL"),
        help="openai: the server's base URL, e.g. http://127.0.0.1:8080/v1",
    )
    max_tokens_arg(p)
    p.add_argument("--top-k", type=int, default=top_k, help="passages given to the answerer (6)")
    p.add_argument(
        "--flag-unsupported",
        action="store_true",
        help="keep sentences the verifier cannot support, marked, instead of dropping them",
    )


def _llm_args(p: argparse.ArgumentParser) -> None:
    backend_args(p)
    p.add_argument(
        "--source",
        action="append",
        default=None,
        help="only search this file: its path, or its name as citations show it (repeatable)",
    )


def max_tokens_arg(p: argparse.ArgumentParser) -> None:
    """--max-tokens, shared by ask, chat, ui, serve and rag eval."""
    default = LLMConfig.max_tokens
    p.add_argument(
        "--max-tokens",
        type=int,
        default=int(os.environ.get("RAG_MAX_TOKENS", default)),
        help=f"local/openai: longest reply in tokens ({default}; a reasoning model needs 2048+)",
    )


def max_tokens(value: int) -> int:
    if value < 1:
        from index.errors import ConfigError

        raise ConfigError(
            f"--max-tokens must be at least 1, not {value} (default {LLMConfig.max_tokens})"
        )
    return value


def ask_config(args: argparse.Namespace, index_config) -> AskConfig:
    if args.top_k < 1:
        from index.errors import ConfigError

        raise ConfigError(f"--top-k must be at least 1, not {args.top_k}")
    return AskConfig(
        index=index_config(args),
        llm=LLMConfig(
            backend=args.llm,
            model=args.model,
            base_url=args.base_url,
            max_tokens=max_tokens(args.max_tokens),
        ),
        retrieval=RetrievalConfig(top_k=args.top_k),
        flag_unsupported=args.flag_unsupported,
    )


def _sources(args, pipeline: Pipeline) -> list[str] | None:
    """--source values -> indexed sources: a path as given or from here, or a file name or path
    ending that names exactly one indexed document ("ok.txt", as citations show it). A value
    that names none, or several, is an error: searching nothing would answer "the documents do
    not say", which is not what the user asked."""
    if not args.source:
        return None
    from index.errors import ConfigError

    known = pipeline.reader.sources()
    out = []
    for s in args.source:
        full = os.path.abspath(s)
        if s in known or full in known:
            out.append(s if s in known else full)
            continue
        tail = "/" + s.replace(os.sep, "/").lstrip("/")
        found = [k for k in known if k.replace(os.sep, "/").endswith(tail)]
        if len(found) != 1:
            what = f"names {len(found)} indexed documents" if found else "is no indexed document"
            raise ConfigError(
                f"--source {s!r} {what} in {pipeline.cfg.index.store}; pass the path you indexed "
                "(`rag status` counts the documents)"
            )
        out.append(found[0])
    return out


def _print_answer(answer, out=sys.stdout) -> None:
    if answer.read_as:  # a misspelt word read as the documents spell it (rag/spelling.py)
        print(f"(read as: {answer.read_as})", file=out)
    if answer.answer:  # the direct answer first, then the evidence sentences
        print(f"Answer: {answer.answer}", file=out)
    print(answer.text, file=out)
    if answer.citations:
        print("", file=out)
    for c in answer.citations:
        page = f", page {c.page}" if c.page else ""
        snippet = " ".join(c.text.split())
        if len(snippet) > 240:
            snippet = snippet[:237] + "..."
        print(f"[{c.n}] {c.title} ({Path(c.source).name}{page}, chars {c.start}-{c.end})", file=out)
        print(f"    “{snippet}”", file=out)


def cmd_ask(args: argparse.Namespace, index_config) -> int:
    pipeline = Pipeline(ask_config(args, index_config))
    try:
        if args.json:
            answer = pipeline.ask(args.question, sources=_sources(args, pipeline))
            print(json.dumps(answer.to_dict(), ensure_ascii=False))
            return 0
        answer = None
        streaming = pipeline.llm.is_model and sys.stdout.isatty()
        for item in pipeline.stream(args.question, sources=_sources(args, pipeline)):
            if isinstance(item, str):
                if streaming:
                    print(item, end="", flush=True, file=sys.stderr)
            else:
                answer = item
        if streaming:
            print("\n--- verified ---", file=sys.stderr)
        _print_answer(answer)
        return 0
    finally:
        pipeline.close()


def cmd_chat(args: argparse.Namespace, index_config) -> int:
    pipeline = Pipeline(ask_config(args, index_config))
    history: list[dict] = []
    try:
        sources = _sources(args, pipeline)
        print("Ask about your documents. Empty line or Ctrl-D to quit.", file=sys.stderr)
        while True:
            try:
                question = input("> ").strip()
            except EOFError:
                break
            if not question:
                break
            answer = pipeline.ask(question, history=history, sources=sources)
            if answer.query != question:
                print(f"(searching for: {answer.query})", file=sys.stderr)
            _print_answer(answer)
            print()
            history += [
                {"role": "user", "content": question},
                {"role": "assistant", "content": answer.text},
            ]
    finally:
        pipeline.close()
    return 0


def register(sub, store_args, index_config) -> None:
    p = sub.add_parser("ask", help="answer one question with verified citations")
    p.add_argument("question")
    store_args(p)
    _llm_args(p)
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.set_defaults(func=lambda a: cmd_ask(a, index_config))

    p = sub.add_parser("chat", help="a conversation in the terminal; follow-ups keep context")
    store_args(p)
    _llm_args(p)
    p.set_defaults(func=lambda a: cmd_chat(a, index_config))
