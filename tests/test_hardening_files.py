"""Hardening: special files in the walk, deeply nested HTML, exit codes of index/status/ask,
size limits, unreadable folders, and one line per bad file."""

import ctypes
import gzip
import json
import os
import subprocess
from pathlib import Path

import pytest

from index.catalog import CATALOG_FILE, Catalog
from index.chunking import chunk_document
from index.errors import ConfigError
from index.limits import Limits
from index.loaders import load_document
from index.pipeline import walk
from index.types import Document, Section

from .conftest import BIN, run_rag

GOOD = "SenseTime is a Chinese company that makes computer vision software.\n"


def rag(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    # Our own timeout: a FIFO that gets opened blocks forever, and this must fail, not hang.
    return subprocess.run(
        [str(BIN / "rag"), *args], capture_output=True, text=True, timeout=timeout
    )


def _drop_dac() -> None:
    # Root reads any file whatever its mode; without these two capabilities it cannot, so a
    # chmod 000 folder or a read-only store behaves for it as for any user.
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def rag_without_dac(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    """`rag` as a process that file permissions apply to, also when the tests run as root."""
    if os.geteuid() != 0:
        return rag(*args, timeout=timeout)
    try:
        return subprocess.run(
            [str(BIN / "rag"), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            preexec_fn=_drop_dac,
        )
    except subprocess.SubprocessError as e:
        pytest.skip(f"running as root and cannot drop CAP_DAC_OVERRIDE here: {e}")


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
    # Inline tags, <br> and <pre> read in order by the explicit stack; a <pre> is code, kept
    # verbatim.
    g = tmp_path / "mixed.html"
    g.write_text(
        "<body><h2>Head <b>bold</b></h2><p>one <i>two</i><br>three</p>"
        "<pre>a  b\n  c</pre><p>tail</p></body>"
    )
    doc = load_document(g)
    assert doc.text == "Head bold\n\none two\nthree\n\na  b\n  c\n\ntail"
    assert [doc.text[a:b] for a, b in doc.code] == ["a  b\n  c"]


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


# --- item 5: limits ------------------------------------------------------------------------


def _doc(text: str) -> Document:
    return Document(source="/x.txt", text=text, title="x", sections=[Section("x", 0, len(text))])


def test_few_token_text_is_hard_split_into_bounded_chunks(embedder):
    # 'x' * 200000 is one [UNK] for the tokenizer: before the character limit it became one
    # 200,000-character chunk. A long line of words without a stop is cut the same way.
    words = " ".join(["alpha", "beta", "gamma"] * 30_000)
    for text in ("x" * 200_000, words, "Lead sentence. " + "y" * 9_999 + " tail."):
        doc = _doc(text)
        chunks = chunk_document(doc, embedder.count_tokens, embedder.budget, 32)
        assert max(len(c.text) for c in chunks) <= Limits().max_chunk_chars
        assert all(c.text == doc.text[c.start : c.end] for c in chunks)
        assert all(c.n_tokens <= embedder.budget for c in chunks)
        # Nothing lost: every non-space character is in some chunk.
        covered = sum(len(c.text.replace(" ", "")) for c in chunks)
        assert covered >= len(text.replace(" ", ""))
    small = chunk_document(_doc("z" * 5_000), embedder.count_tokens, 256, 32, max_chars=1_000)
    assert [len(c.text) for c in small] == [1_000] * 5


def test_limits_reject_bad_values():
    with pytest.raises(ConfigError, match="--max-chunk-chars"):
        Limits(max_chunk_chars=10)
    with pytest.raises(ConfigError, match="--max-file-mb"):
        Limits(max_file_mb=0)
    assert "raise it with --max-html-mb" in Limits(max_html_mb=1).file_problem(".HTM", 2_000_000)
    assert Limits().file_problem(".txt", 49_000_000) is None


def test_index_cli_file_over_the_limit_is_an_error_not_fatal(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text(GOOD)
    (docs / "blob.txt").write_text("x" * 200_000)
    store = tmp_path / "store"
    r = rag("index", str(docs), "--store", str(store), "--json", "--max-file-mb", "0.1")
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["added"] == 1
    [err] = rep["errors"]
    assert err["source"].endswith("blob.txt")
    assert err["error"] == "file too large (0.2 MB, the limit is 0.1 MB); skipped; " \
        "raise it with --max-file-mb"  # fmt: skip

    # Within the default limit: indexed, in chunks of at most --max-chunk-chars.
    r = rag("index", str(docs), "--store", str(store), "--json", "--max-chunk-chars", "5000")
    assert r.returncode == 0 and json.loads(r.stdout)["added"] == 1, r.stderr
    catalog = Catalog(store / CATALOG_FILE)
    try:
        lengths = [len(t) for (t,) in catalog.db.execute("SELECT text FROM chunks")]
    finally:
        catalog.close()
    assert max(lengths) == 5_000 and sum(lengths) >= 200_000


# --- item 10: an unreadable subfolder ------------------------------------------------------


def test_unreadable_subfolder_is_an_error_and_keeps_its_files(tmp_path: Path):
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "good.txt").write_text(GOOD)
    (docs / "sub" / "inner.txt").write_text("Hangzhou is the home of Alibaba Group.\n")
    store = tmp_path / "store"
    r = rag("index", str(docs), "--store", str(store), "--json")
    assert json.loads(r.stdout)["added"] == 2, r.stderr

    (docs / "sub").chmod(0)
    try:
        r = rag_without_dac("index", str(docs), "--store", str(store), "--json")
    finally:
        (docs / "sub").chmod(0o755)
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    # Before: {"removed": 1, "errors": []}: the folder's files vanished from the index.
    assert (rep["removed"], rep["unchanged"]) == (0, 1)
    [err] = rep["errors"]
    assert err["source"] == str(docs / "sub")
    assert err["error"].startswith("cannot read folder (permission denied)")
    assert "kept" in err["error"] and "chmod +rx" in err["error"]
    catalog = Catalog(store / CATALOG_FILE)
    try:
        assert str(docs / "sub" / "inner.txt") in catalog.files()
    finally:
        catalog.close()


# --- item 15: pypdf's log, a newline in a name, special files given directly ----------------


def test_cli_errors_stay_one_line_each_and_off_json(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text(GOOD)
    (docs / "bad\nname.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    os.mkfifo(tmp_path / "pipe.txt")
    os.symlink(tmp_path / "loop.txt", tmp_path / "loop.txt")
    os.symlink(tmp_path / "gone.txt", tmp_path / "dangling.txt")
    special = [str(tmp_path / n) for n in ("pipe.txt", "loop.txt", "dangling.txt")]
    store = tmp_path / "store"

    r = rag("index", str(docs), *special, "--store", str(store), "--json")
    # Before: "EOF marker not found" was printed by pypdf's logger between the JSON and us.
    assert r.stderr == f"rag: created store at {store.resolve()}\n"
    errs = {Path(e["source"]).name: e["error"] for e in json.loads(r.stdout)["errors"]}
    assert "EOF marker not found" in errs["bad\nname.pdf"]
    assert errs["pipe.txt"] == "not a regular file (FIFO); skipped"
    assert errs["loop.txt"].startswith("symlink loop")
    assert errs["dangling.txt"].startswith("broken symlink")
    assert not any("no such file" in e for e in errs.values())

    # Text output: one line per bad file, the newline in the name escaped.
    (docs / "bad\nname.pdf").write_bytes(b"%PDF-1.4\n")  # changed: read again
    r = rag("index", str(docs), special[0], "--store", str(store))
    lines = r.stderr.splitlines()
    assert len(lines) == 2 and all(x.startswith("error: ") for x in lines), r.stderr
    assert f"{docs}/bad\\nname.pdf: not a readable PDF" in r.stderr

    # Only special files given: still precise, and the exit code says nothing was indexed.
    r = rag("index", *special, "--store", str(tmp_path / "store2"))
    assert r.returncode == 2 and "no such file" not in r.stderr, r.stderr
    assert "(FIFO)" in r.stderr and "symlink loop" in r.stderr and "broken symlink" in r.stderr


def test_files_of_types_not_read_are_counted_in_one_line(tmp_path: Path):
    # A docs folder as Debian ships it: the document beside a changelog.gz and a copyright.
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text(GOOD)
    (docs / "changelog.gz").write_bytes(gzip.compress(b"bzip2 (1.0.8) unstable"))
    (docs / "changelog.Debian.gz").write_bytes(gzip.compress(b"bzip2 (1.0.8-5) unstable"))
    (docs / "copyright").write_text("Format: https://www.debian.org/doc/packaging-manuals/")
    (docs / "bad.pdf").write_bytes(b"%PDF-1.4\n")
    store = tmp_path / "store"

    r = rag("index", str(docs), "--store", str(store))
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()[1:]  # after "created store at"
    assert len(lines) == 2, r.stderr
    assert lines[0].startswith(f"error: {docs}/bad.pdf: not a readable PDF")
    assert lines[1].startswith("skipped 3 files of types rag does not read (")
    for kind in ("1 '(none)' (gzip)", "1 '.debian' (gzip)", "1 '(none)')", "supported: .csv"):
        assert kind in lines[1], lines[1]

    # --json keeps every file under "errors"; one such file alone is still its own line.
    (docs / "good.txt").write_text(GOOD + "More.\n")
    r = rag("index", str(docs), "--store", str(store), "--json")
    assert len(json.loads(r.stdout)["errors"]) == 4, r.stdout
    r = rag("index", str(docs / "copyright"), "--store", str(store))
    assert r.stderr.startswith(f"error: {docs}/copyright: unsupported file type '(none)'")
