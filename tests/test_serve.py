"""`rag serve` against real uvicorn servers on 127.0.0.1: routes, the OpenAI client, tokens,
uploads, many questions at once, the page at /ui. A small store of four short documents is
built here (about 5 s); the servers run in threads of this process unless marked slow."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
import uvicorn

from index.pipeline import IndexConfig, index_paths
from rag.pipeline import AskConfig, Pipeline
from rag.serve.app import build_asgi
from rag.serve.service import ServeConfig, Service
from tests.conftest import BIN, free_port

DOCS = {
    "alibaba.txt": "Alibaba Group is a Chinese technology company based in Hangzhou. Eddie Wu "
    "became the chief executive officer of Alibaba Group in September 2023. He succeeded "
    "Daniel Zhang in that role.",
    "volcano.txt": "Mount Etna is an active volcano on the east coast of Sicily. It is about "
    "3,357 metres high. Etna is one of the most active volcanoes in the world.",
    "bridge.txt": "The Golden Gate Bridge opened to traffic in May 1937. The chief engineer of "
    "the bridge was Joseph Strauss. It spans the strait between San Francisco Bay and the "
    "Pacific Ocean.",
    "coffee.txt": "Coffee was first cultivated in Yemen in the fifteenth century. The coffee "
    "plant belongs to the genus Coffea. Brazil is the largest producer of coffee in the world.",
}
QUESTIONS = {
    "Who is the CEO of Alibaba Group?": "Eddie Wu",
    "How high is Mount Etna?": "3,357 metres",
    "When did the Golden Gate Bridge open?": "1937",
    "Who was the chief engineer of the Golden Gate Bridge?": "Joseph Strauss",
    "Where was coffee first cultivated?": "Yemen",
}
NEW_DOC = (
    "The Zephyrine Observatory opened in 2019 on a mountain ridge. Talia Brandvold directs the "
    "Zephyrine Observatory. Its main telescope tracks near-Earth asteroids."
)
pytestmark = [
    pytest.mark.filterwarnings("ignore:.*no_silent_downcasting"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]


def make_store(root: Path) -> IndexConfig:
    docs = root / "docs"
    docs.mkdir(parents=True)
    for name, text in DOCS.items():
        (docs / name).write_text(text + "\n")
    cfg = IndexConfig(store=root / "store", lock_wait=30)
    report = index_paths([docs], cfg, progress=False)
    assert report.errors == [] and report.added == len(DOCS)
    return cfg


@contextmanager
def running(service: Service, token: str | None = None, ui: bool = False) -> Iterator[str]:
    """A real uvicorn server on 127.0.0.1 in a thread; yields its base URL."""
    port = free_port()
    asgi = build_asgi(service, "127.0.0.1", port, token, ui=ui)
    server = uvicorn.Server(
        uvicorn.Config(asgi, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)


@pytest.fixture(scope="module")
def index_cfg(tmp_path_factory) -> IndexConfig:
    return make_store(tmp_path_factory.mktemp("serve"))


@pytest.fixture(scope="module")
def service(index_cfg: IndexConfig) -> Service:
    return Service(ServeConfig(AskConfig(index=index_cfg), max_upload_bytes=200_000))


@pytest.fixture(scope="module")
def url(service: Service) -> Iterator[str]:
    with running(service) as base:
        yield base


@pytest.fixture(scope="module")
def alone(index_cfg: IndexConfig) -> dict[str, dict]:
    """Each question's answer asked alone, by a pipeline of its own (before any upload)."""
    p = Pipeline(AskConfig(index=index_cfg))
    try:
        return {q: p.ask(q).to_dict() for q in QUESTIONS}
    finally:
        p.close()


def same_answer(a: dict, b: dict) -> bool:
    keys = ("text", "abstained", "answer")
    cites = [(c["source"], c["start"], c["end"]) for c in a["citations"]]
    return {k: a[k] for k in keys} == {k: b[k] for k in keys} and cites == [
        (c["source"], c["start"], c["end"]) for c in b["citations"]
    ]


def sse_events(response: httpx.Response) -> list[tuple[str, dict]]:
    events, event = [], "message"
    for line in response.iter_lines():
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            events.append((event, json.loads(line[6:])))
            event = "message"
    return events


# --- routes ----------------------------------------------------------------------------------


def test_ask_returns_the_answer_contract_and_sources_serve_its_offsets(url, alone):
    q = "Who is the CEO of Alibaba Group?"
    r = httpx.post(f"{url}/v1/ask", json={"question": q}, timeout=60)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["answer"] == "Eddie Wu" and not body["abstained"] and "[1]" in body["text"]
    assert same_answer(body, alone[q])
    cite = body["citations"][0]
    docs = httpx.get(f"{url}/v1/documents").json()["documents"]
    assert sorted(Path(d["source"]).name for d in docs) == sorted(DOCS)
    doc = next(d for d in docs if d["source"] == cite["source"])
    src = httpx.get(f"{url}/v1/sources/{doc['id']}").json()
    assert src["text"][cite["start"] : cite["end"]] == cite["text"]
    # Only indexed documents: a path or an unknown id is not a document id.
    for bad in ("0123456789abcdef", "..%2F..%2Fetc%2Fpasswd", "etc/passwd"):
        assert httpx.get(f"{url}/v1/sources/{bad}").status_code == 404


def test_ask_streams_tokens_then_the_verified_answer(url, alone):
    q = "When did the Golden Gate Bridge open?"
    with httpx.stream("POST", f"{url}/v1/ask", json={"question": q, "stream": True}) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        events = sse_events(r)
    kinds = [e for e, _ in events]
    assert kinds[-1] == "answer" and set(kinds[:-1]) == {"token"} and len(kinds) > 1
    assert same_answer(events[-1][1], alone[q])


def test_user_errors_are_one_line_with_a_status(url):
    r = httpx.post(f"{url}/v1/ask", json={"question": "   "})
    assert r.status_code == 400 and "question is empty" in r.json()["error"]
    r = httpx.post(f"{url}/v1/ask", json={"question": "   ", "stream": True})
    assert r.status_code == 400
    r = httpx.post(f"{url}/v1/ask", json={"question": "x", "sources": ["nope"]})
    assert r.status_code == 404 and "GET /v1/documents" in r.json()["error"]
    r = httpx.post(f"{url}/v1/chat/completions", json={"messages": [{"role": "system"}]})
    assert r.status_code == 400 and "user message" in r.json()["error"]
    # A body that is not the request's shape: the same one-line "error", FastAPI's detail kept.
    r = httpx.post(f"{url}/v1/ask", json={"question": 5})
    assert r.status_code == 422 and "field question" in r.json()["error"], r.text
    assert "\n" not in r.json()["error"] and r.json()["detail"][0]["loc"] == ["body", "question"]
    r = httpx.post(f"{url}/v1/ask", content=b"{bad", headers={"content-type": "application/json"})
    assert r.status_code == 422 and "JSON" in r.json()["error"], r.text


def test_status_and_openapi_docs(url):
    st = httpx.get(f"{url}/v1/status").json()
    assert st["documents"] >= len(DOCS) and st["ready"] and st["indexing"] is False
    assert "/v1/chat/completions" in httpx.get(f"{url}/openapi.json").json()["paths"]
    assert httpx.get(f"{url}/docs").status_code == 200


def test_official_openai_client_streams_a_cited_answer(url, alone):
    openai = pytest.importorskip("openai")
    client = openai.OpenAI(base_url=f"{url}/v1", api_key="unused-on-loopback")
    q = "Who was the chief engineer of the Golden Gate Bridge?"
    chunks = list(
        client.chat.completions.create(
            model="rag", messages=[{"role": "user", "content": q}], stream=True
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == alone[q]["text"] and "Joseph Strauss" in text and "[1]" in text
    assert len(chunks) > 3  # streamed in pieces, not one block
    cites = chunks[-1].model_extra["citations"]
    assert [c["source"] for c in cites] == [c["source"] for c in alone[q]["citations"]]
    done = client.chat.completions.create(
        model="rag",
        messages=[
            {"role": "user", "content": "Who is the CEO of Alibaba Group?"},
            {"role": "assistant", "content": alone["Who is the CEO of Alibaba Group?"]["text"]},
            {"role": "user", "content": q},
        ],
    )
    assert done.choices[0].message.content == alone[q]["text"]
    assert done.model_extra["citations"][0]["text"] in DOCS["bridge.txt"]


# --- many users at once ----------------------------------------------------------------------


def test_concurrent_questions_get_their_own_answers_while_an_upload_indexes(url, alone, tmp_path):
    """10 clients, 30 questions, one upload in the middle: each answer is the one asked alone."""
    jobs = [q for q in QUESTIONS for _ in range(6)]
    results: dict[int, dict] = {}
    errors: list[str] = []

    def one(i: int) -> None:
        r = httpx.post(f"{url}/v1/ask", json={"question": jobs[i]}, timeout=120)
        if r.status_code != 200:
            errors.append(r.text)
        else:
            results[i] = r.json()

    def upload() -> dict:
        files = {"files": ("zephyrine.txt", NEW_DOC.encode(), "text/plain")}
        return httpx.post(f"{url}/v1/documents", files=files, timeout=120).json()

    with ThreadPoolExecutor(10) as pool:
        futures = [pool.submit(one, i) for i in range(len(jobs) // 2)]
        uploaded = pool.submit(upload)
        futures += [pool.submit(one, i) for i in range(len(jobs) // 2, len(jobs))]
        for f in futures:
            f.result()
        result = uploaded.result()["results"][0]
    assert errors == []
    assert result["status"] == "added", result
    for i, q in enumerate(jobs):
        assert same_answer(results[i], alone[q]), (q, results[i]["text"])
    r = httpx.post(f"{url}/v1/ask", json={"question": "Who directs the Zephyrine Observatory?"})
    assert r.json()["answer"] == "Talia Brandvold"
    assert r.json()["citations"][0]["source"] == result["source"]
    # Removing it: gone from the list and from answers, its file deleted from uploads/.
    gone = httpx.delete(f"{url}/v1/documents/{result['id']}").json()
    assert gone["file_deleted"] and not Path(result["source"]).exists()
    ids = [d["id"] for d in httpx.get(f"{url}/v1/documents").json()["documents"]]
    assert result["id"] not in ids
    r = httpx.post(f"{url}/v1/ask", json={"question": "Who directs the Zephyrine Observatory?"})
    assert all("Zephyrine" not in c["text"] for c in r.json()["citations"])


# --- uploads ---------------------------------------------------------------------------------


def test_uploads_stay_inside_the_store_and_same_names_are_kept_apart(url, index_cfg):
    uploads = (index_cfg.store / "uploads").resolve()

    def send(name: str, text: str) -> dict:
        r = httpx.post(f"{url}/v1/documents", files={"files": (name, text.encode())})
        assert r.status_code == 200, r.text
        return r.json()["results"][0]

    escaped = send("../../x.txt", "Quillon Harbour handles grain shipments from the plains.")
    assert escaped["status"] == "added" and Path(escaped["source"]).parent == uploads
    assert not (index_cfg.store.parent / "x.txt").exists()
    a = send("notes.txt", "The Varnholt Tower is 212 metres tall and stands in Oslund.")
    b = send("notes.txt", "The Brisk Canal was dug in 1822 to link Oslund with the sea.")
    again = send("notes.txt", "The Varnholt Tower is 212 metres tall and stands in Oslund.")
    assert (a["status"], b["status"], again["status"]) == ("added", "added", "unchanged")
    assert a["source"] != b["source"] and again["source"] == a["source"]
    for q, src in (("How tall is the Varnholt Tower?", a), ("When was the Brisk Canal dug?", b)):
        body = httpx.post(f"{url}/v1/ask", json={"question": q}).json()
        assert body["citations"] and body["citations"][0]["source"] == src["source"], body["text"]


def test_request_size_is_capped(url, service):
    cap = service.cfg.max_upload_bytes
    r = httpx.post(f"{url}/v1/documents", files={"files": ("big.txt", b"word " * (cap // 2))})
    assert r.status_code == 413 and "size limit" in r.json()["error"]
    # Just over the file cap, inside the request cap: that file is refused, the others kept.
    files = [("files", ("over.txt", b"x" * (cap + 1))), ("files", ("ok.txt", b"Small file."))]
    results = httpx.post(f"{url}/v1/documents", files=files).json()["results"]
    assert results[0]["status"] == "error" and "upload limit" in results[0]["detail"]
    assert results[1]["status"] == "added"
    assert not list((service.index.store / "uploads").glob("big*"))
    assert not list((service.index.store / "uploads").glob("over*"))


# --- tokens ----------------------------------------------------------------------------------


def test_a_token_is_needed_on_every_route_when_set(service):
    token = "s3cret-token-for-tests"
    with running(service, token=token) as base:
        for method, path in (("GET", "/v1/status"), ("GET", "/docs"), ("POST", "/v1/ask")):
            r = httpx.request(method, f"{base}{path}", json={"question": "x"})
            assert r.status_code == 401 and "Bearer" in r.json()["error"], path
            assert r.headers["www-authenticate"].startswith("Basic")
        wrong = {"Authorization": "Bearer nope"}
        assert httpx.get(f"{base}/v1/status", headers=wrong).status_code == 401
        ok = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"{base}/v1/status", headers=ok).status_code == 200
        assert httpx.get(f"{base}/v1/status", auth=("anyone", token)).status_code == 200
        openai = pytest.importorskip("openai")
        client = openai.OpenAI(base_url=f"{base}/v1", api_key=token)
        reply = client.chat.completions.create(
            model="rag", messages=[{"role": "user", "content": "How high is Mount Etna?"}]
        )
        assert "3,357" in reply.choices[0].message.content


@pytest.mark.parametrize("command", ["serve", "ui"])
def test_binding_beyond_loopback_without_a_token_refuses_to_start(command, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "RAG_API_TOKEN"}
    proc = subprocess.run(
        [str(BIN / "rag"), command, "--host", "0.0.0.0", "--store", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "RAG_API_TOKEN" in lines[0] and "0.0.0.0" in lines[0], lines


def test_a_taken_port_is_one_line(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [str(BIN / "rag"), "serve", "--port", str(port), "--store", str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"rag: error: cannot serve on 127.0.0.1:{port}: Address already in use; pass another --port"
    ]


# --- the real command and the page -----------------------------------------------------------


@pytest.mark.slow
def test_rag_serve_process_answers_with_its_token_and_serves_the_page(index_cfg):
    port = free_port()
    token = "another-test-token"
    env = {**os.environ, "RAG_API_TOKEN": token, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen(
        [str(BIN / "rag"), "serve", "--store", str(index_cfg.store), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base, auth = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {token}"}
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.communicate()[1]
            assert time.monotonic() < deadline, "rag serve did not start"
            try:
                if httpx.get(f"{base}/v1/status", headers=auth).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        assert httpx.get(f"{base}/ui/").status_code == 401
        page = httpx.get(f"{base}/ui/", headers=auth)
        assert page.status_code == 200 and "gradio" in page.text.lower()
        r = httpx.post(
            f"{base}/v1/ask", json={"question": "How high is Mount Etna?"}, headers=auth, timeout=60
        )
        assert r.json()["answer"] == "3,357 metres"
    finally:
        proc.terminate()
        proc.wait(30)


@pytest.mark.slow
def test_the_page_at_ui_answers_through_the_same_server_behind_the_token(service):
    pw = pytest.importorskip("playwright.sync_api")
    ui_service = Service(replace(service.cfg), _pipelines())
    token = "page-token"
    with running(ui_service, token=token, ui=True) as base, pw.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            # What a browser does: asked by the 401's Basic challenge, it sends the token.
            page = browser.new_page(http_credentials={"username": "me", "password": token})
            page.goto(f"{base}/ui/")
            page.locator("#question textarea").fill("Who is the CEO of Alibaba Group?")
            page.locator("#ask").click()
            done = page.locator("#chat .rag-answer:not(.streaming)")
            pw.expect(done).to_have_count(1, timeout=90_000)
            pw.expect(done.locator(".answer-text")).to_contain_text("Eddie Wu")
            pw.expect(done.locator("a.cite-ref.cite-n-1").first).to_have_text("[1]")
        finally:
            browser.close()
        # One pipeline for the page and the API: the page's question opened it.
        opened = list(ui_service.pipelines._open.values())
        assert len(opened) == 1 and ui_service.pipeline() is opened[0]


def _pipelines():
    from ui.app import Pipelines

    return Pipelines()
