"""Embedder backends as a user meets them: what the read path imports at start-up, and what an
embedding server's error may reveal.

The default `minilm` runs on ONNX Runtime, so `rag ask` / `rag status` / `rag ui` must start
without torch or sentence-transformers (seconds of import and ~300 MB of RSS each). Checked in
fresh processes: the test process itself has torch loaded by other tests.
"""

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from index.embedders import EmbedderConfig, OpenAIEmbedder
from index.errors import StoreError
from index.pipeline import IndexConfig, index_paths

from .conftest import BIN, CORPUS, free_port, run_rag

HEAVY = ("torch", "sentence_transformers", "transformers")
KEY = "sk-test-0123456789abcdef"


@pytest.fixture(scope="module")
def store(tmp_path_factory, embedder) -> Path:
    path = tmp_path_factory.mktemp("startup") / "store"
    index_paths([str(CORPUS)], IndexConfig(store=path), progress=False)
    return path


def test_ask_and_status_start_without_torch(store):
    code = (
        "import json, sys\n"
        "from rag.cli import main\n"
        f"assert main(['status', '--store', {str(store)!r}]) == 0\n"
        f"assert main(['ask', 'Who is the CEO of Alibaba Group?', '--store', {str(store)!r},"
        " '--json']) == 0\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=BIN.parent
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    answer = json.loads(lines[-2])
    # The query and the retrieved sentences were really embedded (dense retrieval, reader).
    assert "Eddie Wu" in answer["text"] and answer["citations"]
    assert json.loads(lines[-1]) == []


@pytest.mark.slow
def test_ui_starts_without_torch(store):
    pytest.importorskip("gradio")
    port = free_port()
    proc = subprocess.Popen(
        [str(BIN / "rag"), "ui", "--store", str(store), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"},
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stderr.read().decode()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                    assert r.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, "rag ui did not serve within 120 s"
                time.sleep(0.5)
        # The server runs in another process: its mapped files show what it imported
        # (torch cannot load without mapping libtorch and its own extension modules).
        maps = Path(f"/proc/{proc.pid}/maps").read_text()
        assert "onnxruntime" in maps or "chromadb" in maps  # the check can see imports
        assert "torch" not in maps
    finally:
        proc.terminate()
        proc.wait(timeout=30)


class EchoHeaders(BaseHTTPRequestHandler):
    """An embedding server that fails and, as some do, echoes the request headers."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        auth = self.headers["Authorization"]  # "Bearer sk-..."
        message = f"invalid token in 'Authorization: {auth}'; you sent:\n{self.headers}"
        body = json.dumps({"error": {"message": message}})
        self.send_response(400)  # not retried by the client: the test stays quick
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def echo_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoHeaders)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_openai_embedder_error_does_not_reveal_the_key(echo_server, monkeypatch):
    pytest.importorskip("openai")
    monkeypatch.setenv("RAG_OPENAI_API_KEY", KEY)
    emb = OpenAIEmbedder(EmbedderConfig(name="openai", base_url=echo_server, model="m"))
    with pytest.raises(StoreError) as info:
        emb.embed(["hello"])
    message = str(info.value)
    assert "400" in message and "Bearer ***" in message  # the echo reached the message ...
    assert KEY not in message and "0123456789abcdef" not in message  # ... the key did not
    assert "\n" not in message
    # Nothing chained either: a traceback or a log of the cause would print the raw body.
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_rag_index_with_openai_embedder_never_prints_the_key(echo_server, tmp_path):
    pytest.importorskip("openai")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Alibaba's CEO is Eddie Wu.\n")
    proc = run_rag(
        "index", str(docs), "--store", str(tmp_path / "store"), "--embedder", "openai",
        "--embed-url", echo_server, "--embed-model", "m",
        env={"RAG_OPENAI_API_KEY": KEY}, check=False,
    )  # fmt: skip
    assert proc.returncode != 0
    assert "Bearer ***" in proc.stdout + proc.stderr
    assert KEY not in proc.stdout + proc.stderr


@pytest.mark.slow
def test_without_onnxruntime_minilm_falls_back_to_torch_with_a_note():
    # Same vectors and store name from torch, so working on is better than refusing; the
    # note names the pip line that restores the quick start.
    code = (
        "import sys; sys.modules['onnxruntime'] = None\n"
        "from index.embedders import EmbedderConfig, get_embedder\n"
        "e = get_embedder(EmbedderConfig())\n"
        "print(type(e).__name__, e.name, e.embed(['hello']).shape)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=BIN.parent
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["SentenceTransformerEmbedder", "minilm:all-MiniLM-L6-v2",
                                  "(1,", "384)"]  # fmt: skip
    note = [line for line in out.stderr.splitlines() if "ONNX Runtime" in line]
    assert len(note) == 1 and "pip install 'onnxruntime" in note[0]
