"""Hardening: special files in the walk, deeply nested HTML, exit codes of index/status/ask."""

import json
import os
import subprocess
from pathlib import Path

from index.loaders import load_document
from index.pipeline import walk

from .conftest import BIN, run_rag

GOOD = "SenseTime is a Chinese company that makes computer vision software.\n"


def rag(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    # Our own timeout: a FIFO that gets opened blocks forever, and this must fail, not hang.
    return subprocess.run(
        [str(BIN / "rag"), *args], capture_output=True, text=True, timeout=timeout
    )


def nested_html(depth: int = 1000) -> str:
    return (
        "<html><head><title>Deep</title></head><body><p>Before the nest.</p>"
        + "<div>" * depth
        + "Deep inside sits the answer."
        + "</div>" * depth
        + "<p>After the nest.</p></body></html>"
    )


def test_walk_skips_fifo_and_symlink_loop_before_opening(tmp_path: Path):
    (tmp_path / "good.txt").write_text(GOOD)
    os.mkfifo(tmp_path / "pipe.txt")
    os.symlink(tmp_path / "loop.txt", tmp_path / "loop.txt")
    errors: list[dict] = []
    files = list(walk([tmp_path, tmp_path / "pipe.txt", tmp_path / "loop.txt"], errors))
    assert files == [tmp_path / "good.txt"]
    by_name = {Path(e["source"]).name: e["error"] for e in errors}
    assert len(errors) == 4  # each special file once from the folder, once given directly
    assert by_name["pipe.txt"] == "not a regular file (FIFO); skipped"
    assert by_name["loop.txt"].startswith("symlink loop")
    assert all("no such file" not in e["error"] and "\n" not in e["error"] for e in errors)


def test_index_cli_with_fifo_does_not_block(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text(GOOD)
    os.mkfifo(docs / "pipe.txt")
    os.symlink(docs / "loop.txt", docs / "loop.txt")
    store = tmp_path / "store"
    r = rag("index", str(docs), str(docs / "pipe.txt"), "--store", str(store), "--json")
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["added"] == 1 and rep["chunks"] >= 1
    errs = [(Path(e["source"]).name, e["error"]) for e in rep["errors"]]
    assert ("pipe.txt", "not a regular file (FIFO); skipped") in errs
    assert sum(1 for n, _ in errs if n == "pipe.txt") == 2  # in the folder and given directly
    assert any(n == "loop.txt" and e.startswith("symlink loop") for n, e in errs)
    assert f"created store at {store.resolve()}" in r.stderr


def test_nested_html_loads_in_order(tmp_path: Path):
    f = tmp_path / "deep.html"
    f.write_text(nested_html(1000))
    assert 10_000 < f.stat().st_size < 12_000  # the 11 KB page of the report
    doc = load_document(f)
    assert doc.title == "Deep"
    assert doc.text.split("\n\n") == [
        "Before the nest.",
        "Deep inside sits the answer.",
        "After the nest.",
    ]
    # Inline tags, <br> and <pre> read as before the explicit stack (same text, same order).
    g = tmp_path / "mixed.html"
    g.write_text(
        "<body><h2>Head <b>bold</b></h2><p>one <i>two</i><br>three</p>"
        "<pre>a  b\n  c</pre><p>tail</p></body>"
    )
    assert load_document(g).text == "Head bold\n\none two\nthree\n\na b\nc\n\ntail"


def test_index_cli_nested_html_with_other_files(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text(GOOD)
    (docs / "deep.html").write_text(nested_html(1000))
    r = rag("index", str(docs), "--store", str(tmp_path / "store"), "--json")
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    rep = json.loads(r.stdout)
    assert rep["added"] == 2 and rep["errors"] == []


def test_index_exit_codes_and_missing_store(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "empty.txt").write_text("")
    store = tmp_path / "store"

    # Every path missing: refused before any store is created.
    r = run_rag("index", str(tmp_path / "nope"), "--store", str(store), check=False)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "nope" in r.stderr, r.stderr
    assert not store.exists()

    # Every file failed and the store holds nothing: exit 2.
    r = run_rag("index", str(docs), "--store", str(store), check=False)
    assert r.returncode == 2 and "nothing indexed" in r.stderr, r.stderr
    assert "created store at" in r.stderr

    # One path missing among good ones: the good one is indexed, still exit 2.
    (docs / "good.txt").write_text(GOOD)
    r = run_rag("index", str(docs), str(tmp_path / "typo"), "--store", str(store), "--json",
                check=False)  # fmt: skip
    assert r.returncode == 2 and "typo" in r.stderr, r.stderr
    assert json.loads(r.stdout)["added"] == 1
    assert "created store" not in r.stderr

    # Only failing files now, but the store already holds documents: fine.
    (docs / "good.txt").unlink()
    other = tmp_path / "other"
    other.mkdir()
    (other / "empty.txt").write_text("")
    r = run_rag("index", str(other), "--store", str(store), check=False)
    assert r.returncode == 0, r.stderr

    # Readers on a mistyped store: one line naming the folder and the fix; nothing created.
    typo = tmp_path / "stor"
    for args in (("status",), ("ask", "What does SenseTime make?")):
        r = run_rag(*args, "--store", str(typo), check=False)
        assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
        assert str(typo) in r.stderr and f"rag index PATH --store {typo}" in r.stderr
        assert not typo.exists()
