"""What a page client may change, and who may talk to the server at all.

The settings form is an HTTP API: any web page or script that reaches the server can send any
value in it. So settings are the operator's (the `rag ui` flags): a client picks among the
backends and models the operator configured and never names a URL or a file, unless the
operator started the server with --allow-client-settings. Even then the API key
(RAG_OPENAI_API_KEY / OPENAI_API_KEY) only ever goes to the operator's own base URL.

Binding to loopback does not stop a web page: its script can reach 127.0.0.1 through DNS
rebinding (a name that first resolves to the attacker, then to 127.0.0.1) or cross-site
requests. `HostGuard` answers 403 to a Host that is not the bound address (or localhost) and
to an Origin other than the server's own.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

from index.errors import ConfigError
from rag.llm import BACKENDS, KEY_ENV_VARS, OPENAI_DEFAULT_URL
from rag.pipeline import AskConfig

NOT_YOURS_URL = (
    "this server sends questions only to the base URL its operator configured; leave the field "
    "empty, or ask the operator to start `rag ui` with --base-url (or --allow-client-settings)"
)
# One message whatever the path names: a client must not learn which files exist.
NOT_YOURS_MODEL = (
    "this server uses only the models its operator configured; leave the model empty, or ask "
    "the operator to start `rag ui` with --model (or --allow-client-settings)"
)


@dataclass(frozen=True)
class ClientPolicy:
    """The operator's launch settings and whether clients may override URL and model."""

    operator: AskConfig
    allow_free: bool = False

    @property
    def backends(self) -> tuple[str, ...]:
        """extractive and local always (no secrets, the bundled model); openai when configured."""
        llm = self.operator.llm
        openai = self.allow_free or llm.backend == "openai" or llm.base_url is not None
        return tuple(b for b in BACKENDS if b != "openai" or openai)

    def model(self, backend: str) -> str | None:
        """The operator's model for `backend` (--model belongs to --llm), else the default."""
        return self.operator.llm.model if backend == self.operator.llm.backend else None

    @property
    def openai_url(self) -> str | None:
        """Where the operator's openai backend sends requests (and the key), if configured."""
        llm = self.operator.llm
        if llm.backend != "openai" and llm.base_url is None:
            return None
        return _norm(llm.base_url or os.environ.get("OPENAI_BASE_URL") or OPENAI_DEFAULT_URL)


def client_settings(
    policy: ClientPolicy, backend, base_url, model, top_k, keep_flagged
) -> tuple[AskConfig, bool]:
    """(AskConfig, keyless) for what a client sent; keyless: build it without the API key."""
    from ui.settings import settings_config  # the form's own validation (top-k, URL shape)

    if backend not in policy.backends:
        raise ConfigError(
            f"backend {backend!r} is not offered by this server; choose one of: "
            + ", ".join(policy.backends)
        )
    base_url = (base_url or "").strip() or None
    model = (model or "").strip() or None
    if not policy.allow_free:
        if backend == "openai" and base_url is not None and _norm(base_url) != policy.openai_url:
            raise ConfigError(NOT_YOURS_URL)
        if backend != "extractive" and model is not None and model != policy.model(backend):
            raise ConfigError(NOT_YOURS_MODEL)
        model = policy.model(backend)
    if backend == "openai" and base_url is None:
        base_url = policy.openai_url
    cfg = settings_config(policy.operator, backend, base_url, model, top_k, keep_flagged)
    keyless = backend == "openai" and (
        policy.openai_url is None or _norm(cfg.llm.base_url or "") != policy.openai_url
    )
    return cfg, keyless


_ENV_LOCK = threading.Lock()


@contextmanager
def without_key() -> Iterator[None]:
    """Build an LLM for a client's URL with no API key in sight (the client reads it at build).

    Serialised with a lock: the environment is the process's. Whatever is built here holds the
    no-key placeholder, never the operator's key.
    """
    with _ENV_LOCK:
        saved = {v: os.environ.pop(v) for v in KEY_ENV_VARS if v in os.environ}
        try:
            yield
        finally:
            os.environ.update(saved)


def _norm(url: str) -> str:
    return url.strip().rstrip("/")


# --- Host / Origin ----------------------------------------------------------------------------

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
DEFAULT_PORTS = {"http": 80, "https": 443}


class HostGuard:
    """ASGI middleware: 403 for a foreign Host or Origin (see the module docstring).

    Bound to loopback: Host must name a loopback address or localhost. Bound to one other
    address: that address or this machine's names. Bound to every interface (0.0.0.0, ::) or
    shared through a tunnel, names cannot be known, so only the Origin is checked: it must be
    the same as the Host the request was sent to.
    """

    def __init__(self, app, host: str, port: int, share: bool = False):
        self.app = app
        self.port = port
        self.hosts: frozenset[str] | None
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            ip = None
        if share or (ip is not None and ip.is_unspecified):
            self.hosts = None
        elif host == "localhost" or (ip is not None and ip.is_loopback):
            self.hosts = LOOPBACK_NAMES | {host.lower()}
        else:
            names = {host.lower(), socket.gethostname().lower(), socket.getfqdn().lower()}
            self.hosts = LOOPBACK_NAMES | frozenset(names)

    def allowed(self, host: str, origin: str | None) -> bool:
        target = _split(host)
        if target is None:
            return False
        name, port = target
        if self.hosts is not None and (name not in self.hosts or port not in (None, self.port)):
            return False
        if origin is None:  # not sent by browsers for same-origin GETs; scripts: no cookies
            return True
        scheme = origin.split("://", 1)[0].lower() if "://" in origin else ""
        source = _split(urlsplit(origin).netloc) if scheme in DEFAULT_PORTS else None
        if source is None:
            return False  # "null" (sandboxed pages, file://) or garbage
        o_name, o_port = source
        o_port = o_port or DEFAULT_PORTS[scheme]  # browsers omit the scheme's default port
        if self.hosts is None:
            return (o_name, o_port) == (name, port or DEFAULT_PORTS[scheme])
        return o_name in self.hosts and o_port == self.port

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if self.allowed(headers.get("host", ""), headers.get("origin")):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        body = b"forbidden: this server answers only requests addressed to its own address\n"
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _split(netloc: str) -> tuple[str, int | None] | None:
    """('name', port) of a Host header or Origin netloc; None when it cannot be parsed."""
    if not netloc or any(c in netloc for c in "/@ \t"):
        return None
    try:
        u = urlsplit("//" + netloc)
        name, port = u.hostname, u.port
    except ValueError:
        return None
    return (name.lower(), port) if name else None
