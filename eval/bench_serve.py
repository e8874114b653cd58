"""Load test of `rag serve`: `python -m eval.bench serve [--json]`.

Starts a real `rag serve --no-ui` process on 127.0.0.1 over a store of the shared corpus (built
in a temporary folder unless --store is given), asks every question once alone, then sends a
bounded burst (--n questions from --clients concurrent clients, one upload halfway through)
and reports latency percentiles, throughput, errors, and how many burst answers differ from
the same question asked alone. The server is stopped at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from eval.metrics import percentile

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus"
QUESTIONS = SHARED / "eval" / "seed_qa_dev.jsonl"
UPLOAD = (
    "The Zephyrine Observatory opened in 2019 on a mountain ridge. Talia Brandvold directs the "
    "Zephyrine Observatory. Its main telescope tracks near-Earth asteroids.\n"
)


def _signature(body: dict) -> tuple:
    cites = tuple((c["source"], c["start"], c["end"]) for c in body["citations"])
    return body["text"], body["abstained"], body["answer"], cites


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(store: Path, port: int) -> subprocess.Popen:
    rag = Path(sys.executable).parent / "rag"
    env = {k: v for k, v in os.environ.items() if k != "RAG_API_TOKEN"}  # loopback: no token
    return subprocess.Popen(
        [str(rag), "serve", "--no-ui", "--store", str(store), "--port", str(port)],
        env={**env, "HF_HUB_OFFLINE": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_ready(httpx, proc: subprocess.Popen, base: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"rag serve exited: {proc.stderr.read() if proc.stderr else ''}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"rag serve did not answer within {timeout:g} s")
        try:
            if httpx.get(f"{base}/v1/status", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.3)


def bench_serve(args: argparse.Namespace) -> dict:
    import httpx

    from index.pipeline import IndexConfig, index_paths

    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines()]
    with tempfile.TemporaryDirectory(prefix="rag-bench-serve-") as tmp:
        store = Path(args.store) if args.store else Path(tmp) / "store"
        if not args.store:
            index_paths([CORPUS], IndexConfig(store=store), progress=False)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        proc = _start(store, port)
        try:
            _wait_ready(httpx, proc, base)
            with httpx.Client(timeout=300) as client:
                alone = {
                    q: _signature(client.post(f"{base}/v1/ask", json={"question": q}).json())
                    for q in questions
                }
            return _burst(httpx, base, questions, alone, args.n, args.clients)
        finally:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()


def _burst(httpx, base: str, questions, alone: dict, n: int, clients: int) -> dict:
    jobs = list(itertools.islice(itertools.cycle(questions), n))
    latencies: list[float] = []
    errors: list[str] = []
    differ: list[str] = []

    def one(q: str) -> None:
        t = time.perf_counter()
        try:
            r = httpx.post(f"{base}/v1/ask", json={"question": q}, timeout=300)
        except httpx.HTTPError as e:
            errors.append(f"{type(e).__name__}: {e}")
            return
        latencies.append(time.perf_counter() - t)
        if r.status_code != 200:
            errors.append(f"{r.status_code}: {r.text[:200]}")
        elif _signature(r.json()) != alone[q]:
            differ.append(q)

    upload: dict = {}

    def send_upload() -> None:
        t = time.perf_counter()
        files = {"files": ("bench-upload.txt", UPLOAD.encode())}
        r = httpx.post(f"{base}/v1/documents", files=files, timeout=300)
        upload["seconds"] = round(time.perf_counter() - t, 2)
        upload["status"] = r.json()["results"][0]["status"] if r.status_code == 200 else r.text

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        futures = [pool.submit(one, q) for q in jobs[: n // 2]]
        futures.append(pool.submit(send_upload))
        futures += [pool.submit(one, q) for q in jobs[n // 2 :]]
        for f in futures:
            f.result()
    wall = time.perf_counter() - t0
    ms = [x * 1000 for x in latencies]
    return {
        "questions": n,
        "clients": clients,
        "errors": len(errors),
        "error_samples": errors[:3],
        "differ_from_alone": len(differ),
        "p50_ms": round(percentile(ms, 50), 1) if ms else None,
        "p95_ms": round(percentile(ms, 95), 1) if ms else None,
        "throughput_qps": round(len(latencies) / wall, 2),
        "wall_s": round(wall, 2),
        "upload": upload,
    }


def show(result: dict) -> None:
    print(
        f"{result['questions']} questions from {result['clients']} clients in "
        f"{result['wall_s']} s: p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
        f"{result['throughput_qps']} questions/s; errors {result['errors']}, "
        f"answers differing from the same question alone {result['differ_from_alone']}; "
        f"upload {result['upload'].get('status')} in {result['upload'].get('seconds')} s"
    )
    for e in result["error_samples"]:
        print(f"  error: {e}")


def add_parser(sub) -> None:
    p = sub.add_parser("serve", help="load test: a burst of questions against `rag serve`")
    p.add_argument("--n", type=int, default=50, help="questions in the burst (default: 50)")
    p.add_argument("--clients", type=int, default=10, help="concurrent clients (default: 10)")
    p.add_argument("--store", default=None, help="an existing store (default: index the corpus)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.set_defaults(func=bench_serve, show=show)
