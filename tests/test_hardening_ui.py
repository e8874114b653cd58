"""The UI server's settings are the server's; only its own address may talk to it.

Real Gradio servers on 127.0.0.1, driven through their HTTP API with gradio_client (what any
web page or script can do), and real HTTP servers that record every request they receive.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from gradio_client import Client

from index.errors import ConfigError
from index.pipeline import IndexConfig, index_paths
from rag.llm import LLMConfig
from rag.pipeline import AskConfig
from tests.conftest import free_port
from ui import app as ui_app

KEY = "sk-test-0123456789-SERVER-SECRET"
DOC = (
    "SenseTime is a Chinese company that makes computer vision software. "
    "It was founded in Hong Kong in 2014 by Tang Xiao'ou.\n"
)
QUESTION = "Where was SenseTime founded?"


class Recorder:
    """An OpenAI-compatible server on 127.0.0.1 that records every request it receives."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        rec = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):  # keep pytest's output clean
                pass

            def _record(self) -> dict:
                n = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(n).decode("utf-8", "replace") if n else ""
                item = {"path": self.path, "headers": dict(self.headers.items()), "body": body}
                rec.requests.append(item)
                return item

            def _json(self, obj) -> None:
                data = json.dumps(obj).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._record()
                self._json({"object": "list", "data": [{"id": "rec", "object": "model"}]})

            def do_POST(self):
                item = self._record()
                text = "SenseTime was founded in Hong Kong in 2014. [1]"
                if '"stream": true' in item["body"] or '"stream":true' in item["body"]:
                    self.send_response(200)
                    self.send_header("content-type", "text/event-stream")
                    self.end_headers()
                    for delta in ({"role": "assistant"}, {"content": text}):
                        chunk = {
                            "id": "c",
                            "object": "chat.completion.chunk",
                            "created": 0,
                            "model": "rec",
                            "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
                        }
                        self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.write(b"data: [DONE]\n\n")
                    return
                self._json(
                    {
                        "id": "c",
                        "object": "chat.completion",
                        "created": 0,
                        "model": "rec",
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": text},
                                "finish_reason": "stop",
                            }
                        ],
                    }
                )

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def saw_key(self) -> bool:
        return any(KEY in json.dumps(r) for r in self.requests)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("ui-hardening")
    (root / "docs").mkdir()
    (root / "docs" / "sensetime.txt").write_text(DOC)
    cfg = IndexConfig(store=root / "store")
    index_paths([root / "docs"], cfg, progress=False)
    return cfg.store


@pytest.fixture
def recorders() -> Iterator[tuple[Recorder, Recorder]]:
    good, evil = Recorder(), Recorder()
    yield good, evil
    good.close()
    evil.close()


@pytest.fixture
def serve(monkeypatch):
    """serve(cfg, **launch_kwargs) -> base URL; the servers are closed after the test."""
    monkeypatch.setenv("RAG_OPENAI_API_KEY", KEY)
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "False")
    apps = []

    def start(cfg: AskConfig, **kwargs) -> str:
        port = free_port()
        apps.append(ui_app.launch(cfg, host="127.0.0.1", port=port, block=False, **kwargs))
        return f"http://127.0.0.1:{port}/"

    yield start
    for app in apps:
        app.close()


def apply(url: str, backend: str, base_url: str = "", model: str = "") -> str:
    client = Client(url, verbose=False)
    return client.predict(backend, base_url, model, 6, False, api_name="/on_apply")


def ask(url: str, backend: str, base_url: str = "", model: str = "") -> str:
    client = Client(url, verbose=False)
    _, chat, _ = client.predict(
        QUESTION, [], backend, base_url, model, 6, False, api_name="/on_ask"
    )
    return json.dumps(chat)


# --- item 1: the key stays with the operator's server ------------------------------------------


def test_a_client_cannot_send_the_key_to_a_url_it_names(store, recorders, serve):
    good, evil = recorders
    operator = AskConfig(
        index=IndexConfig(store=store), llm=LLMConfig(backend="openai", base_url=good.url)
    )
    url = serve(operator)

    note = apply(url, "openai", evil.url)
    assert "operator" in note and KEY not in note
    chat = ask(url, "openai", evil.url)
    assert "operator" in chat and KEY not in chat
    assert evil.requests == []  # not even contacted, so neither key nor passages left

    # The control: the operator's own server does get the key (so the recorder can see it).
    chat = ask(url, "openai", "")
    assert "Hong Kong" in chat and KEY not in chat
    assert good.saw_key()


def test_allow_client_settings_lets_a_client_pick_a_url_but_never_with_the_key(
    store, recorders, serve
):
    good, evil = recorders
    operator = AskConfig(
        index=IndexConfig(store=store), llm=LLMConfig(backend="openai", base_url=good.url)
    )
    url = serve(operator, allow_client_settings=True)
    chat = ask(url, "openai", evil.url)
    assert "Hong Kong" in chat, chat
    assert evil.requests and any(r["path"].endswith("/chat/completions") for r in evil.requests)
    assert not evil.saw_key()
    auth = {
        v for r in evil.requests for k, v in r["headers"].items() if k.lower() == "authorization"
    }
    assert auth == {"Bearer sk-no-key"}
    # The operator's URL still gets the key, also when the client names it explicitly.
    ask(url, "openai", good.url + "/")
    assert good.saw_key()


def test_backends_the_operator_did_not_configure_are_refused(store, recorders, serve):
    good, evil = recorders
    url = serve(AskConfig(index=IndexConfig(store=store)))  # extractive, no URL configured
    for base_url in ("", evil.url):
        try:
            note = apply(url, "openai", base_url)
        except Exception as e:  # Gradio itself refuses a value outside the radio's choices
            note = str(e)
        assert "not offered" in note or "not in the list of choices" in note, note
    assert evil.requests == [] and good.requests == []
    # Our own check, for any caller that bypasses Gradio's validation.
    from ui import guard

    policy = guard.ClientPolicy(AskConfig(index=IndexConfig(store=store)))
    with pytest.raises(ConfigError, match="not offered by this server"):
        guard.client_settings(policy, "openai", evil.url, "", 6, False)


# --- item 1: Host and Origin ------------------------------------------------------------------


def test_forged_host_or_origin_is_refused(store, serve):
    url = serve(AskConfig(index=IndexConfig(store=store)))
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    api = url + "gradio_api/info"

    def status(host: str | None = None, origin: str | None = None, target: str = api) -> int:
        headers = {}
        if host is not None:
            headers["Host"] = host
        if origin is not None:
            headers["Origin"] = origin
        return httpx.get(target, headers=headers, timeout=30).status_code

    assert status() == 200
    assert status(f"localhost:{port}") == 200
    assert status(origin=f"http://127.0.0.1:{port}") == 200
    assert status(origin=f"http://localhost:{port}") == 200
    # DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1.
    assert status(f"evil.example:{port}") == 403
    assert status("evil.example") == 403
    assert status(f"evil.example:{port}", origin=f"http://evil.example:{port}") == 403
    assert status(target=url, host=f"evil.example:{port}") == 403
    # Cross-site requests from another origin, or from a sandboxed page ("null").
    assert status(origin="http://evil.example") == 403
    assert status(origin=f"http://127.0.0.1:{port + 1}") == 403
    assert status(origin="null") == 403
    r = httpx.post(
        url + "gradio_api/call/on_apply",
        json={"data": ["extractive", "", "", 6, False]},
        headers={"Host": f"evil.example:{port}"},
        timeout=30,
    )
    assert r.status_code == 403


def test_the_guard_for_other_bind_addresses():
    from ui import guard

    g = guard.HostGuard(None, host="0.0.0.0", port=7860)  # every interface: same origin only
    assert g.allowed("box.lan:7860", None)
    assert g.allowed("box.lan:7860", "http://box.lan:7860")
    assert not g.allowed("box.lan:7860", "http://evil.example")
    g = guard.HostGuard(None, host="127.0.0.1", port=7860)
    assert g.allowed("[::1]:7860", None)
    assert not g.allowed("127.0.0.1.evil.example:7860", None)
    assert not g.allowed("", None)


# --- item 1: model paths ----------------------------------------------------------------------


def test_a_client_supplied_model_path_gets_one_message_whatever_exists(tmp_path, store, serve):
    from ui import guard

    real = tmp_path / "real.gguf"
    real.write_bytes(b"not really a model")
    paths = [str(real), str(tmp_path / "missing.gguf"), str(tmp_path), "/etc/passwd"]
    policy = guard.ClientPolicy(AskConfig(index=IndexConfig(store=store)))
    messages = set()
    for p in paths:
        with pytest.raises(ConfigError) as e:
            guard.client_settings(policy, "local", "", p, 6, False)
        messages.add(str(e.value))
    assert len(messages) == 1
    (msg,) = messages
    assert "operator" in msg and not any(p in msg for p in paths)

    url = serve(AskConfig(index=IndexConfig(store=store)))
    notes = {apply(url, "local", "", p) for p in paths}
    assert len(notes) == 1 and not any(p in next(iter(notes)) for p in paths)


def test_with_allow_client_settings_a_bad_model_path_still_reveals_nothing(tmp_path, store):
    from ui import guard

    real = tmp_path / "real.gguf"
    real.write_bytes(b"not really a model")
    policy = guard.ClientPolicy(AskConfig(index=IndexConfig(store=store)), allow_free=True)
    pipelines = ui_app.Pipelines()
    messages = set()
    for p in (str(real), str(tmp_path / "missing.gguf"), str(tmp_path)):
        with pytest.raises(ConfigError) as e:
            pipelines.open(policy, "local", "", p, 6, False)
        messages.add(str(e.value).replace(p, "PATH"))
    assert len(messages) == 1, messages


def test_rag_ui_allows_client_settings_only_when_asked():
    from rag.cli import build_parser

    assert build_parser().parse_args(["ui"]).allow_client_settings is False
    args = build_parser().parse_args(["ui", "--allow-client-settings"])
    assert args.allow_client_settings is True
