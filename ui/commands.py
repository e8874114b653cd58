"""`rag ui`: serve the Gradio chat on loopback (registered by rag.cli when this module exists).

Gradio is imported only when the command runs, so `rag index` and `rag ask` stay fast.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from index.errors import ConfigError, RagError
from index.pipeline import IndexConfig
from rag.commands import backend_args, max_tokens
from rag.llm import LLMConfig
from rag.pipeline import AskConfig

PIP_UI = 'pip install "gradio>=5"'


def register(
    sub,
    store_args: Callable[[argparse.ArgumentParser], None],
    index_config: Callable[[argparse.Namespace], IndexConfig],
) -> None:
    p = sub.add_parser("ui", help="chat with the documents in the browser (Gradio)")
    store_args(p)
    p.add_argument(
        "--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1 only)"
    )
    p.add_argument("--port", type=int, default=7860, help="port (default: 7860)")
    backend_args(p, top_k=None, note="; changeable in the page")
    p.add_argument(
        "--share",
        action="store_true",
        help="also publish a temporary public *.gradio.live link (off by default)",
    )
    p.add_argument(
        "--allow-client-settings",
        action="store_true",
        help="let the page choose any base URL and model file (off by default: the page picks "
        "only among the backends and models set by these flags; the API key never goes to a "
        "URL the page names)",
    )
    p.add_argument(
        "--watch",
        action="append",
        metavar="PATH",
        help="keep PATH indexed while the app runs: files added, changed, renamed or deleted "
        "there are indexed in the background, one line each (repeatable)",
    )
    p.set_defaults(func=lambda args: cmd_ui(args, index_config))


def cmd_ui(
    args: argparse.Namespace, index_config: Callable[[argparse.Namespace], IndexConfig]
) -> int:
    from rag.serve.auth import require_token, token_from_env

    # Before Gradio loads: beyond loopback (or shared), no token means no server.
    require_token(args.host, token_from_env(), "rag ui", args.share)
    try:
        import gradio  # noqa: F401
    except ImportError:
        raise ConfigError(f"the UI needs gradio: {PIP_UI}") from None
    from ui.app import launch
    from ui.settings import settings_config

    base = AskConfig(
        index=index_config(args),
        llm=LLMConfig(backend=args.llm, max_tokens=max_tokens(args.max_tokens)),
    )
    # The same validation as the settings form, so a bad flag fails before the server starts.
    cfg = settings_config(
        base, args.llm, args.base_url, args.model, args.top_k, args.flag_unsupported
    )
    watcher = _start_watch(args.watch, cfg.index) if args.watch else None
    try:
        launch(
            cfg,
            host=args.host,
            port=args.port,
            share=args.share,
            allow_client_settings=args.allow_client_settings,
        )
    except OSError as e:  # Gradio reports a taken port as OSError
        reason = "the port is in use" if "empty port" in str(e) else str(e)
        raise RagError(
            f"cannot serve on {args.host}:{args.port}: {reason}; pass another --port"
        ) from None
    finally:
        if watcher is not None:
            watcher.stop()  # lets the batch in progress finish: the store stays consistent
    return 0


def _start_watch(paths: list[str], index: IndexConfig):
    """`--watch PATH`: index PATH, then its changes, in a background thread (index/watch.py).

    Open pipelines need no reset: their readers see each committed batch.
    """
    from index.watch import WatchThread

    return WatchThread(paths, index, lambda line: print(f"rag ui: {line}", flush=True)).start()
