"""Acceptance on real documents: 15 user questions about five Python pages and two PDF manuals.

The store is built by the real write path (index_paths) and read by the real Pipeline with the
default (extractive) backend. Run with `-s` to print the question / answer / gold / ok table.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from index.pipeline import IndexConfig, index_paths
from index.text import normalize_answer
from rag.pipeline import AskConfig, Pipeline

LIBRARY = Path("/usr/share/doc/python3.11/html/_sources/library")
TASN = Path("/usr/share/doc/libtasn1-doc/libtasn1.pdf")
MIME = Path("/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf")
PAGES = ["functools", "itertools", "json", "pathlib", "sqlite3"]
DOCS = [LIBRARY / f"{p}.rst.txt" for p in PAGES] + [TASN, MIME]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not all(p.is_file() for p in DOCS),
        reason="system docs missing: run"
        " .ci/setup (python3.11-doc, libtasn1-doc, shared-mime-info)",
    ),
]

# (question, gold answers, the document that states it). Written as a user would ask, then
# each gold was checked against the document's cleaned text (load_document(...).text).
QUESTIONS: list[tuple[str, list[str], str]] = [
    ("What is the default maxsize of lru_cache?", ["128"], "functools"),
    (
        "How can I make a function behave differently depending on the type of its first argument?",
        ["singledispatch"],
        "functools",
    ),
    ("Which languages inspired the itertools module?", ["APL, Haskell, and SML"], "itertools"),
    (
        "Which itertools function gives overlapping pairs from an iterable?",
        ["pairwise"],
        "itertools",
    ),
    ("Which RFC specifies the JSON format?", ["RFC 7159"], "json"),
    ("What exception is raised when json.loads gets invalid JSON?", ["JSONDecodeError"], "json"),
    ("In which Python version was pathlib added?", ["3.4"], "pathlib"),
    (
        "Which class lets me manipulate Windows paths on a Unix machine?",
        ["PureWindowsPath"],
        "pathlib",
    ),
    ("Who wrote the sqlite3 module?", ["Gerhard Häring"], "sqlite3"),
    ("What is the minimum SQLite version the sqlite3 module needs?", ["3.7.15"], "sqlite3"),
    ("What is the name of the libtasn1 header file?", ["libtasn1.h"], "libtasn1"),
    ("Which ASN.1 type is not supported by libtasn1?", ["REAL"], "libtasn1"),
    (
        "Under which license can I redistribute the libtasn1 library?",
        ["GNU Lesser General Public License", "LGPL"],
        "libtasn1",
    ),
    ("What is the default weight of a glob pattern?", ["50"], "shared-mime-info"),
    (
        "Which MIME type should be used for a binary file when no magic rule matches?",
        ["application/octet-stream"],
        "shared-mime-info",
    ),
]
REQUIRED = 12  # the acceptance level of issue 8: at least 12 of the 15
# Reached with the exception and version answer types (rag/code_answers.py) and Sphinx's
# "Added in version" wording: a regression floor.
MEASURED = 13

# Markup that must never reach a user: rST roles (:func:`x`, :pep:`8`), inline literals
# (``x``), directives (".. note::" or a ".. " opening a line), Markdown headings and fences.
_MARKUP = {
    "rST role": re.compile(r":[\w:.+-]+:`"),
    "double backquotes": re.compile(r"``"),
    "rST directive": re.compile(r"(?:^|\s)\.\. (?:\S+::|\S)"),
    "Markdown heading": re.compile(r"(?:^|\n)\s*#{1,6}\s"),
    "Markdown fence": re.compile(r"```|~~~"),
}
# A run of citation markers, "[1]" or "[1][2]", closing one evidence sentence.
_MARKERS = re.compile(r"(?:\s*\[\d{1,3}\])+")
# A whole evidence sentence, as the product writes it: "Claim text. [1]".
# - It starts with an uppercase letter, a digit, an opening quote or an opening bracket: a
#   fragment cut out of the middle of a sentence starts with a lowercase word ("and the
#   maximum is 100.").
# - Exception: technical prose opens sentences with a lowercase code name ("json exposes an
#   API ...", "asn1Parser reads a single file ...", "update-mime-database is passed ..."). The
#   first word is accepted when it is code-like (holds "_", ".", "-", a digit or an inner
#   capital, or is followed by "(") or is the module a Python page is titled after.
# - It ends with . ! ? or : optionally followed by closing quotes/brackets, right before its
#   [n] marker: a sentence cut at its end stops mid-clause without that punctuation.
# - It does not start with a list bullet: the bullet is layout, not part of the sentence. A
#   dash or star is one when a space follows it; a command-line option ("-k --keep: Keep
#   (don't delete) input files ...", "--inclusive=yes: Instead of ...") is the subject of its
#   entry's sentence.
_BULLET = re.compile(r"[•‣◦▪]|[–*-]\s")
_STARTS = re.compile(r"""^(?:[0-9"'“‘«(\[]|--?[A-Za-z0-9])""")  # or an option, "-k"
_ENDS = re.compile(r"""[.!?:]["'”’»)\]]*$""")
_CODE_WORD = re.compile(r"^[a-z][\w.-]*")


def _code_like(word: str, rest: str) -> bool:
    return bool(re.search(r"[_.\-0-9]|[a-z][A-Z]", word)) or rest.startswith("(") or word in PAGES


def sentence_problem(sentence: str) -> str | None:
    """Why `sentence` (one evidence sentence without its marker) is not whole, else None."""
    s = sentence.strip()
    if not s:
        return "empty sentence"
    if _BULLET.match(s):
        return "starts with a list bullet"
    if not (s[0].isupper() or _STARTS.match(s)):
        m = _CODE_WORD.match(s)
        if not (m and _code_like(m.group(), s[m.end() :])):
            return "starts mid-sentence"
    if not _ENDS.search(s):
        return "ends without sentence punctuation"
    return None


def problems(answer) -> list[str]:
    """Markup or fragments in an answer's text or direct answer."""
    out: list[str] = []
    for field, value in (("text", answer.text), ("answer", answer.answer or "")):
        for name, rx in _MARKUP.items():
            if rx.search(value):
                out.append(f"{field}: {name}")
    if answer.abstained:
        return out
    parts = _MARKERS.split(answer.text)
    # split() leaves the text after the last marker: every sentence must cite, so it is empty.
    if parts[-1].strip():
        out.append(f"text: uncited tail {parts[-1].strip()!r}")
    for sentence in parts[:-1]:
        why = sentence_problem(sentence)
        if why == "starts mid-sentence" and _opens_in_source(answer, sentence.strip()):
            why = None
        if why:
            out.append(f"text: {why}: {sentence.strip()!r}")
    return out


def _opens_in_source(answer, sentence: str) -> bool:
    """Does a quote of `sentence` start a sentence in its document: at the chunk's start, after
    a blank line, or after a sentence's closing stop? API prose opens sentences with a name in
    lower case that its markup set as code ("*width* (default 80) specifies ...", "``copy``
    copies the file data ..."); a fragment cut out of a sentence, as at a PDF's line break,
    follows a word."""
    chunks = {s.chunk_id: s for s in answer.sources}
    for c in answer.citations:
        src = chunks.get(c.chunk_id)
        if src is None or not " ".join(sentence.split()).startswith(" ".join(c.text.split())[:40]):
            continue
        before = src.text[: c.start - src.start]
        if not before.strip() or before.endswith("\n\n"):
            return True
        if re.search(r"[.!?:][\"'”’)\]]*\s+$", before):
            return True
    return False


def correct(answer, golds: list[str]) -> bool:
    """Not abstained, and a gold is a whole-word run of the SQuAD-normalised answer or text."""
    if answer.abstained:
        return False
    hay = [f" {normalize_answer(t)} " for t in (answer.answer or "", answer.text)]
    return any(f" {normalize_answer(g)} " in h for g in golds for h in hay)


def _short(s: str, n: int) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store = tmp_path_factory.mktemp("real-store")
    report = index_paths(DOCS, IndexConfig(store=store))
    assert not report.errors, report.errors
    return store


@pytest.fixture(scope="module")
def results(store):
    pipeline = Pipeline(AskConfig(index=IndexConfig(store=store)))
    try:
        rows = [(q, golds, doc, pipeline.ask(q)) for q, golds, doc in QUESTIONS]
    finally:
        pipeline.close()
    print(f"\n{'ok':<3} | {'question':<60} | {'answer':<40} | {'gold':<20} | text")
    for q, golds, _doc, a in rows:
        ok = "yes" if correct(a, golds) else "NO"
        shown = "(abstained)" if a.abstained else (a.answer or "-")
        print(
            f"{ok:<3} | {_short(q, 60):<60} | {_short(shown, 40):<40} | "
            f"{_short(golds[0], 20):<20} | {_short(a.text, 160)}"
        )
    n = sum(correct(a, golds) for _q, golds, _d, a in rows)
    print(f"correct: {n}/{len(rows)}")
    return rows


def test_no_fewer_correct_answers_than_measured(results):
    wrong = [(q, a.answer, a.text) for q, golds, _d, a in results if not correct(a, golds)]
    assert len(results) - len(wrong) >= MEASURED, wrong


def test_at_least_12_of_15_are_answered_correctly(results):
    wrong = [(q, a.answer, a.text) for q, golds, _d, a in results if not correct(a, golds)]
    assert len(results) - len(wrong) >= REQUIRED, wrong


def test_answers_are_whole_sentences_without_markup(results):
    bad = {q: p for q, _g, _d, a in results if (p := problems(a))}
    assert not bad, bad


def test_sentence_rule_rejects_fragments_and_accepts_code_names():
    # The rule itself, so a loosened regex cannot pass the test above by accident.
    assert sentence_problem("and the maximum is 100.") == "starts mid-sentence"
    assert sentence_problem("The default weight value is 50, and the") is not None
    assert sentence_problem("json exposes an API familiar to users of marshal.") is None
    assert sentence_problem("asn1Parser reads a single file with ASN.1 definitions.") is None
    assert sentence_problem('"MUST" is to be interpreted as in RFC 2119.') is None
    assert sentence_problem("The correct form is:") is None
    assert sentence_problem("• If the glob matching fails, sniff.") == "starts with a list bullet"
    assert sentence_problem("- If the glob matching fails, sniff.") == "starts with a list bullet"
    assert sentence_problem("-k --keep: Keep (don't delete) input files.") is None
    assert sentence_problem("--inclusive=yes: Instead of exclusive cost, use inclusive.") is None


def test_a_version_note_on_something_else_is_no_answer(store):
    # itertools.batched came in 3.12: the 3.11 page has no word of it, only "Changed in version"
    # notes on other functions, which the reader falls back on. The pathlib question is
    # answered by such a note, on its own subject.
    pipeline = Pipeline(AskConfig(index=IndexConfig(store=store)))
    try:
        absent = pipeline.ask("Since which Python version does itertools offer batched?")
        present = pipeline.ask("In which Python version was pathlib added?")
    finally:
        pipeline.close()
    assert absent.abstained, absent.text
    assert not present.abstained and "3.4" in present.text, present.text


def test_a_lower_case_opening_passes_only_where_the_document_starts_a_sentence():
    from rag.answer import Answer, Citation, Source

    doc = "pprint options.\n\nwidth (default 80) specifies the line width. It wraps\nthe lines."
    src = Source("c1", "/d/pprint.rst", "pprint", 0, len(doc), doc, 1.0, 0.9, None)

    def answer(quote: str) -> Answer:
        start = doc.index(quote)
        cite = Citation(1, src.source, "pprint", start, start + len(quote), quote, 0.9, None, "c1")
        return Answer(f"{quote} [1]", False, [cite], {}, sources=[src])

    # After a blank line: the document's own sentence, whose subject its markup set as code.
    assert problems(answer("width (default 80) specifies the line width.")) == []
    # After a line break inside a sentence (a PDF's, say): a fragment.
    assert problems(answer("the lines.")) == ["text: starts mid-sentence: 'the lines.'"]
