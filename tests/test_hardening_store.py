"""Hardening of the store (issue 14, items 11 and 14): a --store that is a file, a garbage or
unreadable catalog, a read-only store, a full disk. Each gives one line, never a traceback,
and readers keep working where they can: opening a store to read it must not write it."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import index.catalog
import index.disk
import index.store
from index.pipeline import CATALOG_FILE, IndexConfig, index_paths
from rag.cli import main

from .conftest import BIN
from .test_hardening_files import GOOD, rag_without_dac

QUESTION = "What does SenseTime make?"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("built")
    (root / "docs").mkdir()
    (root / "docs" / "good.txt").write_text(GOOD)
    index_paths([root / "docs"], IndexConfig(store=root / "store"), progress=False)
    return root


@pytest.fixture
def store(built: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "store"
    shutil.copytree(built / "store", dst)
    return dst


def one_line_error(capsys, argv: list[str]) -> str:
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and err.startswith("rag: error: "), err
    return err


def every_command(store: Path, docs: Path) -> list[list[str]]:
    s = ["--store", str(store)]
    return [["status", *s], ["ask", QUESTION, *s], ["index", str(docs), *s], ["check", *s]]


def test_store_that_is_a_file(tmp_path: Path, built: Path, capsys):
    f = tmp_path / "notes.txt"
    f.write_text("not a store")
    for argv in every_command(f, built / "docs"):
        err = one_line_error(capsys, argv)
        if argv[0] != "ask":  # the read path says "no index at" (also one line)
            assert f"--store {f} is a file, not a store folder" in err, err
    assert f.read_text() == "not a store"


def test_garbage_catalog(store: Path, built: Path, capsys):
    (store / CATALOG_FILE).write_bytes(os.urandom(8192))
    for argv in every_command(store, built / "docs"):
        err = one_line_error(capsys, argv)
        assert f"{store / CATALOG_FILE} is not a readable catalog (file is not a database)" in err
        assert "--rebuild" in err


def test_unreadable_catalog(store: Path, built: Path):
    (store / CATALOG_FILE).chmod(0)
    for argv in every_command(store, built / "docs")[::2]:  # status, index
        r = rag_without_dac(*argv)
        assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
        assert f"cannot read {store / CATALOG_FILE}: permission denied" in r.stderr


def _snapshot(folder: Path) -> dict:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def test_read_only_store_is_queried_without_writing(store: Path, built: Path):
    modes = {p: p.stat().st_mode for p in [store, *store.rglob("*")]}
    for p, mode in modes.items():
        p.chmod(mode & ~0o222)
    before = _snapshot(store)
    try:
        r = rag_without_dac("ask", QUESTION, "--store", str(store), "--json")
        assert r.returncode == 0, r.stderr  # before: "attempt to write a readonly database"
        ans = json.loads(r.stdout)
        assert not ans["abstained"] and "computer vision" in ans["citations"][0]["text"]
        r = rag_without_dac("status", "--store", str(store))
        assert r.returncode == 0 and "chunks:    1 (1 vectors)" in r.stdout, r.stderr
        r = rag_without_dac("index", str(built / "docs"), "--store", str(store))
        assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
        assert f"the store {store} is read-only" in r.stderr
        assert _snapshot(store) == before  # opening to read wrote nothing
    finally:
        for p, mode in modes.items():
            p.chmod(mode)


# --- item 11: a full disk ------------------------------------------------------------------


def test_disk_full_is_one_line_fake(store: Path, tmp_path: Path, monkeypatch, capsys):
    """Bounded fake, always run: Chroma's own wording of a full disk and no free space."""
    more = tmp_path / "more"
    more.mkdir()
    (more / "m.txt").write_text("Hangzhou is the home of Alibaba Group.\n")

    def full(*args, **kwargs):
        raise RuntimeError("Failed to apply logs to the metadata segment")

    monkeypatch.setattr(index.store.ChromaStore, "add", full)
    monkeypatch.setattr(index.disk, "free_bytes", lambda where: 0)
    err = one_line_error(capsys, ["index", str(more), "--store", str(store)])
    assert "no space left on the disk holding" in err and "re-run" in err, err
    monkeypatch.undo()
    assert main(["status", "--store", str(store), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["chunks"] == 1  # nothing half-written


FULL_DISK = """
set -u
mount -t tmpfs -o size=12m tmpfs "$MNT" || exit 97
cd "$MNT"
run() {
    name=$1; shift
    "$RAG" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"; echo $? >"$OUT/$name.rc"
}
run index index "$DOCS" --store st --json
avail=$(df -k --output=avail . | tail -1)
fallocate -l $(( (avail - 200) * 1024 )) filler || exit 98
run full index "$MORE" --store st --json
run status status --store st
run ask ask "$QUESTION" --store st --json
rm filler
run again index "$MORE" --store st --json
run check check --store st
"""


def _namespace_cmd() -> list[str] | None:
    """`unshare` args that give a private mount namespace where we may mount a tmpfs."""
    if not shutil.which("unshare") or not shutil.which("fallocate"):
        return None
    for args in (["unshare", "-m"], ["unshare", "-rm"]):  # root; else a user namespace
        probe = subprocess.run([*args, "true"], capture_output=True)
        if probe.returncode == 0:
            return args
    return None


@pytest.mark.slow
def test_disk_full_on_a_real_tmpfs(tmp_path: Path, built: Path):
    ns = _namespace_cmd()
    if ns is None:
        pytest.skip("cannot mount a tmpfs here (no unshare); test_disk_full_is_one_line_fake runs")
    more = tmp_path / "more"
    more.mkdir()
    words = "Alibaba Hangzhou company vision software market data model cloud".split()
    for i in range(6):
        (more / f"m{i}.txt").write_text(" ".join(words[(i + j) % 9] for j in range(6000)) + ".\n")
    out, mnt = tmp_path / "out", tmp_path / "mnt"
    out.mkdir()
    mnt.mkdir()
    env = {**os.environ, "MNT": str(mnt), "OUT": str(out), "RAG": str(BIN / "rag"),
           "DOCS": str(built / "docs"), "MORE": str(more), "QUESTION": QUESTION}  # fmt: skip
    p = subprocess.run([*ns, "sh", "-c", FULL_DISK], env=env, capture_output=True, timeout=600)
    if p.returncode == 97:
        pytest.skip(f"mount -t tmpfs refused: {p.stderr.decode()[-200:]}")

    def result(name: str) -> tuple[int, str, str]:
        rc = int((out / f"{name}.rc").read_text())
        return rc, (out / f"{name}.out").read_text(), (out / f"{name}.err").read_text()

    assert result("index")[0] == 0
    rc, _, err = result("full")
    # Before: a Chroma traceback ("Failed to apply logs to the metadata segment").
    assert rc == 2 and err.count("\n") == 1 and "no space left on the disk" in err, err
    rc, stdout, err = result("status")
    assert rc == 0 and "documents: 1" in stdout, err
    rc, stdout, err = result("ask")
    assert rc == 0 and "computer vision" in json.loads(stdout)["text"], err
    rc, stdout, err = result("again")  # space is back: one re-run completes the work
    assert rc == 0 and json.loads(stdout)["added"] == 6, err
    rc, stdout, err = result("check")
    assert rc == 0 and "problems: none" in stdout, stdout + err
