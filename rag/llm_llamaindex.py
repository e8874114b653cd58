"""Any llama-index `LLM` behind our LLM seam, and the `ollama` backend built on it.

    from llama_index.llms.ollama import Ollama
    Pipeline(cfg, llm=Ollama(model="qwen2.5:7b"))       # or ask(question, llm=<any LLM>)
    get_llm(LLMConfig(backend="ollama", model="qwen2.5:7b"))   # what `--llm ollama` builds

The wrapped model writes the answer through `stream_chat`; verification, abstention and
citations are the pipeline's, exactly as for our own backends. Nothing here reads
`llama_index.core.Settings`: the model is the instance given, and its own settings are its own.

Failures become one-line `LLMError`s naming the server and the remedy, like the openai backend:
connection errors, timeouts, 429 and 5xx are retried (bounded, with backoff) while no text has
been streamed yet; what a provider's error echoes of a key from the environment is masked.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from typing import Any

from index.errors import ConfigError
from rag.llm import LLM, LLMConfig, LLMError, Prompt, _short

PIP_OLLAMA = 'pip install "llama-index-llms-ollama>=0.5"'
PIP_LLAMA_INDEX = 'pip install "llama-index-core>=0.14"'
OLLAMA_DEFAULT_URL = "http://127.0.0.1:11434"
RETRY_BACKOFF = 0.5  # seconds before the first retry; doubled for each further one
# Environment variables whose values must never appear in a message (provider API keys).
_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD", re.IGNORECASE)


def is_llama_index_llm(obj: Any) -> bool:
    """True for an instance of llama-index's LLM class, decided without importing llama-index
    when the object cannot be one (so `import rag` stays free of it)."""
    if not any(t.__module__.startswith("llama_index.") for t in type(obj).__mro__):
        return False
    from llama_index.core.llms import LLM as LlamaIndexBase

    return isinstance(obj, LlamaIndexBase)


class LlamaIndexLLM(LLM):
    """A llama-index LLM instance as one of our backends."""

    def __init__(
        self,
        llm: Any,
        *,
        name: str | None = None,
        url: str | None = None,
        retries: int = 2,
        timeout: float | None = None,
    ):
        if not is_llama_index_llm(llm):
            raise ConfigError(
                f"expected a llama-index LLM instance (llama_index.core.llms.LLM), got "
                f"{type(llm).__name__}; pass e.g. Ollama(model=...) or a backend name"
            )
        self.llm = llm
        # The server, when known (Ollama's base_url, OpenAI-like api_base): messages name it.
        self.url = url or getattr(llm, "base_url", None) or getattr(llm, "api_base", None)
        self.retries = retries
        found = [getattr(llm, a, None) for a in ("request_timeout", "timeout")]
        self.timeout = timeout or next((t for t in found if isinstance(t, int | float)), None)
        model = getattr(llm, "model", None) or getattr(llm.metadata, "model_name", "") or "?"
        where = f"@{self.url}" if self.url else ""
        self.name = name or f"llama-index:{type(llm).__name__}:{model}{where}"

    def generate(self, prompt: Prompt, stream: bool = False) -> Iterator[str]:
        from llama_index.core.llms import ChatMessage

        messages = [ChatMessage(role=m["role"], content=m["content"]) for m in prompt.messages]
        attempt = 0
        while True:
            streamed = False
            try:
                if not stream:
                    yield self.llm.chat(messages).message.content or ""
                    return
                for chunk in self.llm.stream_chat(messages):
                    if chunk.delta:
                        streamed = True
                        yield chunk.delta
                return
            except Exception as e:  # any provider's error type: each becomes one line
                # A retry after text went out would repeat it; only a clean failure is retried.
                if streamed or attempt >= self.retries or not _transient(e):
                    raise LLMError(self._scrub(self._explain(e, attempt + 1))) from None
            time.sleep(RETRY_BACKOFF * 2**attempt)
            attempt += 1

    def _explain(self, e: Exception, tries: int) -> str:
        where = f"the LLM server at {self.url}" if self.url else self.name
        status = _status(e)
        if _is_timeout(e):
            wait = f" within {self.timeout:g} s" if self.timeout else ""
            return (
                f"{where} did not answer{wait} (tried {tries} times); is it overloaded? "
                "raise the timeout"
            )
        if _is_connection(e):
            return f"cannot reach {where}: {_innermost(e)}; is it running?"
        if status == 404:
            return self._not_found(e)
        if status in (401, 403):
            return f"{where} rejected the credentials (HTTP {status}); check its API key"
        if status == 429:
            return f"{where} is rate-limiting requests (HTTP 429); wait and retry"
        if status is not None and status > 0:
            return f"{where} answered HTTP {status}: {_short(_message(e))}"
        return f"{self.name} failed: {type(e).__name__}: {_short(_message(e))}"

    def _not_found(self, e: Exception) -> str:
        model = getattr(self.llm, "model", "?")
        if "Ollama" in type(self.llm).__name__:
            return (
                f"model {model!r} not found at the Ollama server {self.url}; "
                f"pull it first: ollama pull {model}"
            )
        return f"{self.name}: not found (HTTP 404: {_short(_message(e))}); check the model name"

    def _scrub(self, message: str) -> str:
        for var, value in os.environ.items():
            if _SECRET_NAME.search(var) and len(value) >= 8 and value in message:
                message = message.replace(value, "***")
        return message


def ollama_llm(cfg: LLMConfig) -> LlamaIndexLLM:
    """`--llm ollama --model M [--base-url URL]`: Ollama's own /api/chat via llama-index."""
    try:
        from llama_index.llms.ollama import Ollama
    except ImportError:
        raise ConfigError(
            f"the ollama LLM backend needs llama-index-llms-ollama: {PIP_OLLAMA}"
        ) from None
    if not cfg.model:
        raise ConfigError(
            "the ollama backend needs a model name: --model NAME (e.g. qwen2.5:7b; "
            "`ollama list` shows the pulled ones)"
        )
    url = (cfg.base_url or OLLAMA_DEFAULT_URL).rstrip("/")
    llm = Ollama(
        model=cfg.model,
        base_url=url,
        temperature=cfg.temperature,
        # Given, so the client does not ask the server (/api/show) before the first answer.
        context_window=cfg.n_ctx,
        request_timeout=cfg.timeout,
        additional_kwargs={"num_predict": cfg.max_tokens},
    )
    return LlamaIndexLLM(
        llm, name=f"ollama:{cfg.model}@{url}", url=url, retries=cfg.retries, timeout=cfg.timeout
    )


# --- classifying any provider's exceptions without importing each provider ----------------------


def _chain(e: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    cur: BaseException | None = e
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        yield cur
        cur = cur.__cause__ or cur.__context__


def _innermost(e: BaseException) -> str:
    """The deepest reason, following implicit contexts too: clients often re-raise `from None`
    with a generic text ("Failed to connect to Ollama...") over "[Errno 111] Connection refused"."""
    *_, last = _chain(e)
    return _short(str(last) or type(last).__name__)


def _names(e: BaseException) -> set[str]:
    return {t.__name__ for x in _chain(e) for t in type(x).__mro__}


def _is_timeout(e: BaseException) -> bool:
    # httpx.TimeoutException, openai.APITimeoutError, socket/builtin TimeoutError
    return bool(_names(e) & {"TimeoutException", "APITimeoutError", "TimeoutError"})


def _is_connection(e: BaseException) -> bool:
    # httpx.ConnectError (Ollama's stream), ConnectionError (Ollama's non-stream), openai's
    return bool(_names(e) & {"ConnectError", "ConnectionError", "APIConnectionError"})


def _status(e: BaseException) -> int | None:
    for x in _chain(e):
        for attr in ("status_code", "status"):
            value = getattr(x, attr, None)
            if isinstance(value, int):
                return value
    return None


def _transient(e: BaseException) -> bool:
    status = _status(e)
    return _is_timeout(e) or _is_connection(e) or status == 429 or (status or 0) >= 500


def _message(e: BaseException) -> str:
    return str(getattr(e, "error", None) or e) or type(e).__name__
