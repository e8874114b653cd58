"""A manual's option list, through the real write and read paths: the option a question asks for
is the answer, and the cited passage is the option with its description (index/units.py,
rag/code_answers.py)."""

from pathlib import Path

import pytest

from index.loaders import load_document
from index.pipeline import IndexConfig, index_paths

MANUAL = """<html><head><title>squeeze manual</title></head><body><main>
<h1>squeeze manual</h1>
<h2>How to use squeeze</h2>
<p>squeeze compresses files using a block-sorting algorithm. It reads the named files and
replaces each with a compressed copy ending in .sq. By default the original files are deleted
once their compressed copies are written.</p>
<p>squeeze usually allocates several megabytes of memory to operate in.</p>
<h2>Options</h2>
<dl>
<dt>-c --stdout</dt><dd><p>Compress or decompress to standard output.</p></dd>
<dt>-d --decompress</dt><dd><p>Force decompression, whatever name the program is run by.</p></dd>
<dt>-k --keep</dt><dd><p>Keep (don't delete) input files during compression or
decompression.</p></dd>
<dt>-s --small</dt><dd><p>Reduce memory usage, for compression, decompression and testing.
Files are decompressed using a modified algorithm which needs less memory.</p></dd>
<dt>-q --quiet</dt><dd><p>Suppress non-essential warning messages.</p></dd>
</dl>
</main></body></html>
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("manual")
    (folder / "squeeze.html").write_text(MANUAL, encoding="utf-8")
    store = tmp_path_factory.mktemp("store")
    report = index_paths([folder], IndexConfig(store=store))
    assert not report.errors, report.errors
    return folder / "squeeze.html", store


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "option"),
    [
        ("Which option makes squeeze use less memory?", "-s --small"),
        ("What flag sends the output to stdout instead of a file?", "-c --stdout"),
    ],
)
def test_the_option_asked_for_is_the_answer(store, question: str, option: str) -> None:
    from rag import ask

    page, path = store
    answer = ask(question, store=str(path), llm="extractive")
    assert not answer.abstained, answer.text
    assert answer.answer == option
    assert answer.text.startswith(f"{option}: ")  # shown on one line, the option first
    cited = answer.citations[0]
    assert cited.text.startswith(option)
    text = load_document(page).text
    assert text[cited.start : cited.end] == cited.text


def test_an_option_with_its_default_heads_its_description() -> None:
    # Valgrind's manual: "--opt=<value> [default: ...]" on its own line, then what it does. The
    # description never names the option, so the two are one unit, as "-k --keep" is.
    from index.units import reading_units

    text = (
        "--fullpath-after=<string> [default: don't show source paths]\n\n"
        "By default Valgrind only shows the filenames in stack traces.\n\n"
        "--trace-children=<yes|no> [default: no]\n\nWhen enabled, Valgrind traces children."
    )
    units = [text[a:b] for a, b in reading_units(text)]
    assert units == [
        "--fullpath-after=<string> [default: don't show source paths]\n\n"
        "By default Valgrind only shows the filenames in stack traces.",
        "--trace-children=<yes|no> [default: no]\n\nWhen enabled, Valgrind traces children.",
    ], units
