"""Real technical documents read cleanly: Python's own rST pages and two Debian PDF manuals."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from index.chunking import chunk_document
from index.loaders import load_document

LIBRARY = Path("/usr/share/doc/python3.11/html/_sources/library")
TASN = Path("/usr/share/doc/libtasn1-doc/libtasn1.pdf")
MIME = Path("/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf")
PAGES = ["functools", "itertools", "json", "pathlib", "sqlite3"]
needs = pytest.mark.skipif(
    not (LIBRARY.is_dir() and TASN.is_file() and MIME.is_file()),
    reason="system docs missing: run .ci/setup (python3.11-doc, libtasn1-doc, shared-mime-info)",
)
pytestmark = needs

_ROLE = re.compile(r":[\w:.+-]+:`")
_CACHE: dict[Path, object] = {}


def _load(path: Path):
    if path not in _CACHE:
        _CACHE[path] = load_document(path)
    return _CACHE[path]


def _outside_code(doc) -> str:
    """The document text with its code blocks blanked out (same length, same offsets)."""
    text = doc.text
    for a, b in doc.code:
        text = text[:a] + re.sub(r"[^\n]", " ", text[a:b]).replace("\n", " ") + text[b:]
    return text


@pytest.mark.parametrize("name", PAGES)
def test_python_pages_have_no_rst_markup_left(name: str, embedder) -> None:
    doc = _load(LIBRARY / f"{name}.rst.txt")
    assert doc.title.startswith(f"{name} — ")
    chunks = chunk_document(doc, embedder.count_tokens, embedder.budget)
    assert len(chunks) > 10
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text
        prose = _outside_code(doc)[c.start : c.end]
        assert not _ROLE.search(prose), prose
        assert "``" not in prose, prose
        assert not re.search(r"(^|\n)\s*\.\. ", prose), prose
    # Prose never carries a line break: every break outside code separates paragraphs.
    assert not re.search(r"[^\n]\n[^\n]", _outside_code(doc))


def test_python_page_sentences_and_code_come_out_whole(embedder) -> None:
    doc = _load(LIBRARY / "functools.rst.txt")
    sentence = (
        "Because it never needs to evict old values, this is smaller and faster than "
        "lru_cache() with a size limit."
    )
    assert any(sentence in line for line in doc.text.split("\n"))  # wrapped in the source
    assert "Added in version 3.9." in doc.text
    assert "\nlru_cache(maxsize=128, typed=False)\n" in doc.text  # a directive's signature
    fib = (
        "@lru_cache(maxsize=None)\ndef fib(n):\n    if n < 2:\n        return n\n"
        "    return fib(n-1) + fib(n-2)\n\n>>> [fib(n) for n in range(16)]\n"
        "[0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610]"
    )
    assert fib in doc.text
    chunks = chunk_document(doc, embedder.count_tokens, embedder.budget)
    assert any(fib in c.text for c in chunks), "the code block is one unit, never split"
    # Every code block that fits the model lies whole inside one chunk.
    for a, b in doc.code:
        if embedder.count_tokens([doc.text[a:b]])[0] <= embedder.budget - 40:
            assert any(c.start <= a and b <= c.end for c in chunks), doc.text[a:b][:80]


def test_json_and_pathlib_examples_survive_verbatim() -> None:
    json_doc = _load(LIBRARY / "json.rst.txt")
    assert ">>> import json\n>>> json.dumps(['foo', {'bar': ('baz', None, 1.0, 2)}])" in (
        json_doc.text
    )
    assert re.search(r"\ndump\(obj, fp, \*, skipkeys=False, .*\*\*kw\)\n", json_doc.text)
    path_doc = _load(LIBRARY / "pathlib.rst.txt")
    assert "os.path.abspath | Path.absolute" in path_doc.text  # a table row
    assert ">>> from pathlib import Path" in path_doc.text


@pytest.mark.parametrize(
    "path, pages, sentence",
    [
        (
            TASN,
            36,
            "Decodes DER data in ENCODED file, for the ASN1TYPE element described in ASN.1 "
            "DEFINITIONS file, and print decoded structures.",
        ),
        (
            MIME,
            17,
            "Frequently, it is necessary to work out the correct MIME type for a file.",
        ),
    ],
)
def test_pdf_paragraphs_are_reflowed(path: Path, pages: int, sentence: str, embedder) -> None:
    doc = _load(path)
    line = next(x for x in doc.text.split("\n") if sentence in x)
    assert sentence in line  # wrapped across lines in the PDF, one line here
    assert [p.number for p in doc.pages] == list(range(1, pages + 1))
    assert doc.pages[0].start == 0 and doc.pages[-1].end == len(doc.text)
    for a, b in zip(doc.pages, doc.pages[1:], strict=False):
        assert a.end == b.start
    lines = doc.text.split("\n")
    assert not [x for x in lines if re.fullmatch(r"[\divxlc]+", x)], "bare page numbers"
    assert "\n" not in re.sub(r"\n\n", "", doc.text), "every break is a paragraph break"
    # Breaks that fall mid-sentence (lowercase or comma, then lowercase) are rare leftovers
    # of layout extraction, under 2% of all paragraph breaks.
    paras = doc.text.split("\n\n")
    mid = [
        (p, q)
        for p, q in zip(paras, paras[1:], strict=False)
        if len(p) > 50 and re.search(r"[a-z,]$", p) and q[:1].islower()
        and not re.search(r"[{};=]", p + q[:30])
    ]  # fmt: skip
    assert len(mid) <= len(paras) // 50, mid
    for c in chunk_document(doc, embedder.count_tokens, embedder.budget):
        assert doc.text[c.start : c.end] == c.text


def test_libtasn1_headers_hyphens_and_pages() -> None:
    doc = _load(TASN)
    assert doc.title == "Libtasn1"
    assert "Distinguished Encoding Rules (DER) manipulation." in doc.text  # "manip-\nulation"
    assert "parsing and structures management, and" in doc.text  # "man-\nagement"
    assert "pre-allocated buffer" in doc.text  # a real hyphen stays
    assert not re.search(r"^Chapter \d+: .* \d+$", doc.text, re.M), "running header"
    # Text keeps its page: the running header of page 6 is gone, its body stays on page 6.
    at = doc.text.index("This version doesn’t handle the REAL type.")
    assert doc.page_at(at) == 6


def test_mime_spec_drops_running_title_but_keeps_it_once() -> None:
    doc = _load(MIME)
    assert doc.title == "Shared MIME-info Database"
    assert doc.text.split("\n").count("Shared MIME-info Database") == 1
    # A paragraph that runs from page 2 onto page 3 is one line; each part keeps its page.
    joined = "Information found in a directory is added to the information found in previous"
    assert joined in doc.text
    assert doc.page_at(doc.text.index(joined)) == 2
    assert doc.page_at(doc.text.index("directory is added to the information")) == 3
