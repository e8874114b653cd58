"""`rag serve`: the HTTP API and the page at /ui (registered by rag.cli).

FastAPI, uvicorn and Gradio are imported only when the command runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace

from index.errors import ConfigError, RagError
from index.pipeline import CATALOG_FILE, IndexConfig
from rag.commands import backend_args, max_tokens
from rag.llm import LLMConfig
from rag.pipeline import AskConfig

PIP_SERVE = 'pip install "grounded-rag[serve]" (fastapi, uvicorn, python-multipart)'


def register(
    sub,
    store_args: Callable[[argparse.ArgumentParser], None],
    index_config: Callable[[argparse.Namespace], IndexConfig],
) -> None:
    p = sub.add_parser("serve", help="HTTP API (OpenAI-compatible chat too) and the UI at /ui")
    store_args(p)
    p.add_argument("--host", default="127.0.0.1", help="interface (default: 127.0.0.1 only)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    backend_args(p, top_k=None)
    p.add_argument(
        "--max-upload-mb",
        type=float,
        default=20.0,
        help="largest request / uploaded file in MB (default: 20)",
    )
    p.add_argument(
        "--wait",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="an upload waits this long for another writer of the store (default: 30)",
    )
    p.add_argument("--no-ui", action="store_true", help="serve the API only, no page at /ui")
    p.add_argument(
        "--allow-client-settings",
        action="store_true",
        help="let the page at /ui choose any base URL and model file (see `rag ui --help`)",
    )
    p.set_defaults(func=lambda args: cmd_serve(args, index_config))


def ask_config(args: argparse.Namespace, index: IndexConfig) -> AskConfig:
    """The operator's settings; with the page, validated exactly as `rag ui` does, so the
    page's default settings name the same pipeline the API uses."""
    base = AskConfig(
        index=index, llm=LLMConfig(backend=args.llm, max_tokens=max_tokens(args.max_tokens))
    )
    if not args.no_ui:
        from ui.settings import settings_config

        return settings_config(
            base, args.llm, args.base_url, args.model, args.top_k, args.flag_unsupported
        )
    llm = replace(
        base.llm,
        model=args.model if args.llm != "extractive" else None,
        base_url=args.base_url if args.llm == "openai" else None,
    )
    top_k = args.top_k or base.retrieval.top_k
    return replace(
        base,
        llm=llm,
        retrieval=replace(base.retrieval, top_k=top_k),
        flag_unsupported=args.flag_unsupported,
    )


def cmd_serve(
    args: argparse.Namespace, index_config: Callable[[argparse.Namespace], IndexConfig]
) -> int:
    from rag.serve.auth import require_token, token_from_env

    token = token_from_env()
    # Before anything loads: a server open to the network without a token never starts.
    require_token(args.host, token, "rag serve")
    _check_port(args.host, args.port)
    if args.max_upload_mb <= 0:
        raise ConfigError(f"--max-upload-mb must be above 0, not {args.max_upload_mb:g}")
    try:
        import fastapi  # noqa: F401
        import multipart  # noqa: F401
        import uvicorn
    except ImportError:
        raise ConfigError(f"rag serve needs FastAPI and uvicorn: {PIP_SERVE}") from None
    if not args.no_ui:
        try:
            import gradio  # noqa: F401
        except ImportError:
            raise ConfigError(
                'the page at /ui needs gradio: pip install "gradio>=5", or pass --no-ui'
            ) from None
    from rag.serve.app import build_asgi
    from rag.serve.service import ServeConfig, Service

    index = index_config(args)
    cfg = ServeConfig(ask_config(args, index), int(args.max_upload_mb * 1e6))
    service = Service(cfg, _shared_pipelines(args.no_ui))
    asgi = build_asgi(
        service, args.host, args.port, token, not args.no_ui, args.allow_client_settings
    )
    where = f"http://{args.host}:{args.port}"
    print(f"rag serve: {where}/v1 (API), {where}/docs (its reference)", file=sys.stderr)
    if not args.no_ui:
        print(f"rag serve: {where}/ui/ (the chat page)", file=sys.stderr)
    print(
        f"rag serve: store {index.store}; token {'required' if token else 'off (loopback)'}",
        file=sys.stderr,
    )
    if index.chroma_url is None and not (index.store / CATALOG_FILE).exists():
        print(
            "rag serve: no index there yet: upload with POST /v1/documents or run `rag index`",
            file=sys.stderr,
        )
    config = uvicorn.Config(
        asgi, host=args.host, port=args.port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    server.run()
    # uvicorn logs a taken port and returns without serving.
    return 0 if server.started else 2


def _shared_pipelines(no_ui: bool):
    if no_ui:
        return None
    from ui.settings import Pipelines

    return Pipelines()


def _check_port(host: str, port: int) -> None:
    """One line for a taken port, before models load (uvicorn would log and exit 1)."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, port))
    except OSError as e:
        raise RagError(
            f"cannot serve on {host}:{port}: {e.strerror or e}; pass another --port"
        ) from None
