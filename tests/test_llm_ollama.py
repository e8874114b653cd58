"""The `ollama` backend (llama-index-llms-ollama) against a tiny real server on loopback that
speaks enough of Ollama's /api/chat: NDJSON streaming, the final done line, and its errors."""

import json
import re
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.errors import ConfigError
from index.pipeline import IndexConfig, index_paths
from rag.cli import main
from rag.llm import LLMConfig, LLMError, Prompt, get_llm
from rag.llm_llamaindex import PIP_OLLAMA

from .conftest import CORPUS, JsonHandler, free_port, loopback_server, run_rag

MODEL = "tiny:1b"
CEO_FILE = "001_a55ab43c6b0c8f50.txt"  # the article naming Alibaba's new CEO
QUESTION = "Who is the CEO of Alibaba Group?"
PROMPT = Prompt(
    question="",
    messages=[
        {"role": "system", "content": "Answer briefly."},
        {"role": "user", "content": "Name three colours."},
    ],
)


def reply_for(messages: list[dict]) -> str:
    """What the fake model says: the CEO sentence citing the source that holds it, if any."""
    user = messages[-1]["content"]
    for m in re.finditer(r"(?ms)^\[(\d+)\] (.*?)(?=^\[\d+\] |\Z)", user):
        if "new CEO of Alibaba Group" in m.group(2):
            return f"Eddie Wu Yongming is the new CEO of Alibaba Group. [{m.group(1)}]"
    return "Red, green and blue."


class FakeOllama(JsonHandler):
    """POST /api/chat as Ollama answers it; any model but MODEL is 404 "not found"."""

    requests: list[dict] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        type(self).requests.append({"path": self.path, **body})
        if self.path != "/api/chat":
            return self.send_json(404, {"error": "404 page not found"})
        model = body.get("model")
        if model == "flaky" and sum(r.get("model") == "flaky" for r in type(self).requests) == 1:
            return self.send_json(503, {"error": "server busy"})  # the first request only
        if model == "echo":  # a server that echoes the request's credentials in its error
            return self.send_json(500, {"error": f"bad {self.headers.get('Authorization')}"})
        if model not in (MODEL, "flaky"):
            return self.send_json(404, {"error": f"model '{model}' not found"})
        text = reply_for(body["messages"])
        if not body.get("stream", True):
            return self.send_json(200, self._part(text, done=True))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.end_headers()  # HTTP/1.0: the body ends when the connection closes, as chunks do
        for piece in re.findall(r"\S+\s*", text):
            self.wfile.write((json.dumps(self._part(piece, done=False)) + "\n").encode())
            self.wfile.flush()
        self.wfile.write((json.dumps(self._part("", done=True)) + "\n").encode())

    def _part(self, content: str, done: bool) -> dict:
        part = {
            "model": MODEL,
            "created_at": "2026-11-30T00:00:00Z",
            "message": {"role": "assistant", "content": content},
            "done": done,
        }
        if done:
            part.update(done_reason="stop", prompt_eval_count=12, eval_count=7)
        return part


@pytest.fixture
def ollama() -> Iterator[str]:
    FakeOllama.requests = []
    with loopback_server(FakeOllama) as url:
        yield url


def backend(url: str, model: str = MODEL, **kw):
    return get_llm(LLMConfig(backend="ollama", model=model, base_url=url, **kw))


def test_streams_through_api_chat_with_our_settings(ollama):
    llm = backend(ollama, max_tokens=64, n_ctx=2048)
    assert llm.name == f"ollama:{MODEL}@{ollama}" and llm.is_model
    pieces = list(llm.generate(PROMPT, stream=True))
    assert pieces == ["Red, ", "green ", "and ", "blue."]
    [sent] = FakeOllama.requests
    assert sent["path"] == "/api/chat" and sent["stream"] is True
    assert sent["messages"] == list(PROMPT.messages)
    options = sent["options"]
    assert (options["temperature"], options["num_ctx"], options["num_predict"]) == (0, 2048, 64)


def test_answers_without_streaming(ollama):
    assert list(backend(ollama).generate(PROMPT)) == ["Red, green and blue."]
    assert FakeOllama.requests[0]["stream"] is False


def test_unknown_model_says_how_to_pull_it(ollama):
    with pytest.raises(LLMError) as info:
        list(backend(ollama, model="nope").generate(PROMPT, stream=True))
    message = str(info.value)
    assert message == (
        f"model 'nope' not found at the Ollama server {ollama}; pull it first: ollama pull nope"
    )
    assert len(FakeOllama.requests) == 1  # a 404 is not retried


def test_a_busy_server_is_retried_before_any_text(ollama):
    llm = backend(ollama, model="flaky", retries=1)
    assert "".join(llm.generate(PROMPT, stream=True)) == "Red, green and blue."
    assert [r["model"] for r in FakeOllama.requests] == ["flaky", "flaky"]


def test_a_key_echoed_by_the_server_is_masked(ollama, monkeypatch):
    secret = "sk-ollama-secret-0123456789"
    monkeypatch.setenv("OLLAMA_API_KEY", secret)  # the ollama client sends it as a bearer token
    with pytest.raises(LLMError) as info:
        list(backend(ollama, model="echo", retries=0).generate(PROMPT, stream=True))
    message = str(info.value)
    assert message.startswith(f"the LLM server at {ollama} answered HTTP 500: bad Bearer ***")
    assert secret not in message


def test_stopped_server_fails_in_one_line_after_bounded_retries():
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    llm = backend(url, retries=1, timeout=5)
    for stream in (False, True):
        started = time.monotonic()
        with pytest.raises(LLMError) as info:
            list(llm.generate(PROMPT, stream=stream))
        message = str(info.value)
        assert message.startswith(f"cannot reach the LLM server at {url}: ")
        assert "Connection refused" in message and message.endswith("is it running?")
        assert "\n" not in message and "Traceback" not in message
        assert time.monotonic() - started < 5


def test_model_name_is_required():
    with pytest.raises(ConfigError, match="ollama backend needs a model name: --model"):
        get_llm(LLMConfig(backend="ollama"))


def test_missing_package_gives_the_pip_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "llama_index.llms.ollama", None)  # import now fails
    with pytest.raises(ConfigError) as info:
        get_llm(LLMConfig(backend="ollama", model=MODEL))
    assert str(info.value).endswith(PIP_OLLAMA)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    docs = tmp_path_factory.mktemp("docs")
    shutil.copy(CORPUS / CEO_FILE, docs / CEO_FILE)
    path = tmp_path_factory.mktemp("store")
    index_paths([docs], IndexConfig(store=path))
    return path


@pytest.mark.slow
def test_rag_ask_with_ollama_end_to_end(ollama, store):
    common = ("ask", QUESTION, "--store", str(store), "--llm", "ollama", "--model", MODEL)
    out = run_rag(*common, "--base-url", ollama, "--json")
    answer = json.loads(out.stdout)
    assert answer["backend"] == f"ollama:{MODEL}@{ollama}"
    assert not answer["abstained"] and "Eddie Wu Yongming" in answer["text"]
    assert [s["status"] for s in answer["sentences"]] == ["supported"]
    [cited] = answer["citations"]
    assert cited["source"].endswith(CEO_FILE) and "new CEO of Alibaba Group" in cited["text"]
    assert FakeOllama.requests[-1]["stream"] is True  # the CLI streams, like other models


@pytest.mark.slow
def test_rag_ask_with_a_stopped_ollama_fails_in_one_line(store, capsys):
    down = f"http://127.0.0.1:{free_port()}"
    argv = ["ask", QUESTION, "--store", str(store), "--llm", "ollama", "--model", MODEL]
    # In process (the same main() the console script runs): a second interpreter would only
    # pay llama-index's import again.
    assert main([*argv, "--base-url", down]) == 2
    out, err = capsys.readouterr()
    [line] = err.strip().splitlines()
    assert line.startswith(f"rag: error: cannot reach the LLM server at {down}: ")
    assert line.endswith("is it running?") and out == ""


@pytest.mark.slow
def test_an_ollama_instance_given_to_ask(ollama, store):
    from llama_index.llms.ollama import Ollama

    from rag.pipeline import ask

    llm = Ollama(model=MODEL, base_url=ollama, context_window=4096, temperature=0.0)
    answer = ask(QUESTION, store=str(store), llm=llm)
    assert answer.backend == f"llama-index:Ollama:{MODEL}@{ollama}" and not answer.abstained
    assert "Eddie Wu Yongming" in answer.text and answer.citations
    assert FakeOllama.requests[-1]["stream"] is True
