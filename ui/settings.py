"""The settings form's config and the open pipelines by settings (no Gradio needed here:
the API server and the CLI validate the same settings)."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlparse

from index.errors import ConfigError, RagError
from rag.llm import BACKENDS
from rag.pipeline import AskConfig, Pipeline, PipelineCache
from ui.guard import ClientPolicy, client_settings, without_key

MAX_TOP_K = 50


# --- settings and pipelines -------------------------------------------------------------------


def settings_config(
    base: AskConfig,
    backend: str,
    base_url: str | None = None,
    model: str | None = None,
    top_k: float | int | None = None,
    keep_flagged: bool | None = None,
) -> AskConfig:
    """The AskConfig for the settings form; a value we cannot use raises ConfigError."""
    if backend not in BACKENDS:
        raise ConfigError(f"unknown backend {backend!r}; choose one of: {', '.join(BACKENDS)}")
    base_url = (base_url or "").strip() or None
    model = (model or "").strip() or None
    if base_url is not None:
        u = urlparse(base_url)
        if u.scheme not in ("http", "https") or not u.hostname:
            raise ConfigError(
                f"base URL {base_url!r} is not an http(s) URL; "
                "use e.g. http://127.0.0.1:8080/v1 (the API root, often ending in /v1)"
            )
    k = base.retrieval.top_k if top_k is None else top_k
    if (isinstance(k, float) and not k.is_integer()) or not 1 <= k <= MAX_TOP_K:
        raise ConfigError(f"top-k must be a whole number from 1 to {MAX_TOP_K}, not {k}")
    llm = replace(
        base.llm,
        backend=backend,
        # A model or URL only means something to the backend it was typed for.
        model=model if backend != "extractive" else None,
        base_url=base_url if backend == "openai" else None,
    )
    return replace(
        base,
        llm=llm,
        retrieval=replace(base.retrieval, top_k=int(k)),
        flag_unsupported=base.flag_unsupported if keep_flagged is None else bool(keep_flagged),
    )


def _build(cfg: AskConfig, keyless: bool) -> Pipeline:
    if keyless:
        with without_key():
            return Pipeline(cfg)
    return Pipeline(cfg)


class Pipelines(PipelineCache):
    """Open pipelines by settings, so switching back to a backend does not reload its model;
    a keyless one (a client-named URL) is built without the server's API key."""

    def __init__(self) -> None:
        super().__init__(_build)

    def open(self, policy: ClientPolicy, backend, base_url, model, top_k, keep_flagged):
        """(pipeline, config) for what a page client sent, within the operator's policy."""
        cfg, keyless = client_settings(policy, backend, base_url, model, top_k, keep_flagged)
        try:
            return self.get(cfg, keyless), cfg
        except RagError:
            if cfg.llm.backend != "local" or cfg.llm.model == policy.model("local"):
                raise
            # A client's path (--allow-client-settings): one message whether the file is
            # missing, unreadable or not a model, so the form cannot probe the disk.
            raise ConfigError(
                f"cannot use {cfg.llm.model!r} as a model: this server cannot load it as a "
                ".gguf file; pass the path of a GGUF model on the server, or leave it empty"
            ) from None

    def reset(self) -> None:
        """Forget open pipelines (after indexing), so the next question reopens the store.

        They are not closed here: a question may still be streaming from one of them.
        """
        with self._lock:
            self._open = {}
