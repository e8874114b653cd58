"""Code blocks are kept in the store (index/catalog `code`) so the reader never quotes a line of
code as the sentence that answers a question that does not ask for code; Node.js history lines
("Added in: v17.0.0.") answer version questions."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.units import reading_units, with_signatures
from tests.conftest import ask_store

PAGE = """# Decoder

## Class: `TextMangler`

<!-- YAML
added: v0.1.99
-->

The mangler turns bytes into text.

```js
const mangler = new TextMangler('latin1');
mangler.write(buffer);
```

When no encoding is given, the mangler decodes as UTF-8.

## Promises API

<!-- YAML
added: v17.0.0
-->

The promise-based mangler resolves once the input ends.
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    from index.pipeline import IndexConfig, index_paths

    docs = tmp_path_factory.mktemp("docs")
    (docs / "mangler.md").write_text(PAGE, encoding="utf-8")
    store = tmp_path_factory.mktemp("store")
    report = index_paths([docs], IndexConfig(store=store), progress=False)
    assert report.added == 1 and not report.errors, report
    return store


def test_the_store_keeps_code_blocks_and_retrieval_marks_them(store):
    from index.pipeline import IndexConfig
    from index.reader import IndexReader
    from rag.retrieval import RetrievalConfig, retrieve

    reader = IndexReader(IndexConfig(store=store))
    try:
        [source] = reader.sources()
        text = reader.doc_text(source)
        blocks = reader.code_in(source, 0, len(text))
        assert [text[a:b] for a, b in blocks] == [
            "const mangler = new TextMangler('latin1');\nmangler.write(buffer);"
        ]
        found = retrieve(reader, "Which encoding does the mangler use?", RetrievalConfig())
        marked = [s.text[a:b] for s in found for a, b in s.code]
        assert marked and all(m in blocks_text for m in marked for blocks_text in [text])
        assert all("const mangler" in m or "mangler.write" in m for m in marked)
    finally:
        reader.close()


def test_a_code_line_is_never_a_pick_unless_code_is_asked_for(embedder):
    from rag.answer import Source
    from rag.reader import read

    prose = "Creates a new StringDecoder instance. The encoding argument defaults to UTF-8."
    code = "const decoder = new StringDecoder('utf8');\nconst cent = Buffer.from([0xC2, 0xA2]);"
    text = f"{prose}\n\n{code}"
    block = ((len(prose) + 2, len(text)),)

    def picks(question, blocks):
        src = Source("c0", "/d/a.md", "A", 0, len(text), text, 1.0, 0.9, None, code=blocks)
        r = read(question, [src], embedder.embed)
        return r, [p.text for p in r.picks]

    q = "Which encoding does new StringDecoder() use when I pass no encoding?"
    plain, unmarked = picks(q, ())
    assert any("const decoder" in t for t in unmarked)  # read as text, the code line is picked
    marked, kept = picks(q, block)
    assert kept[0] == "The encoding argument defaults to UTF-8."
    assert not any("const" in t for t in kept), kept
    # The lines stay among what the answerability model reads: P(answerable) barely moves.
    assert abs(marked.p_answerable - plain.p_answerable) < 0.05
    # A question that asks for code by name may be answered by a line of it.
    _, asked = picks("Which function creates the cent buffer?", block)
    assert any("Buffer.from" in t for t in asked), asked


def test_a_history_line_answers_only_a_version_or_time_question(embedder):
    from rag.answer import Source
    from rag.reader import read
    from rag.ruled_out import history_line

    assert history_line("os.totalmem(): Added in: v0.3.3.")
    assert history_line("os.totalmem()\n\nAdded in: v0.3.3.")  # a heading joins its history
    assert history_line("Added in version 3.9.")
    assert not history_line("Changed in version 3.11: Raises TypeError for a bad mode.")
    text = (
        "os.totalmem()\n\nAdded in: v0.3.3.\n\n"
        "Returns the total amount of system memory in bytes as an integer."
    )

    def first_pick(question):
        src = Source("c0", "/d/os.md", "OS", 0, len(text), text, 1.0, 0.9, None)
        return read(question, [src], embedder.embed).picks[0].text

    # Measured before the rule: the history line was the first pick for this question.
    assert first_pick("Which libuv function does os.totalmem() call?").startswith("Returns")
    assert first_pick("Which Node version added os.totalmem()?").startswith("os.totalmem()")
    assert first_pick("When was os.totalmem() added?").startswith("os.totalmem()")


def test_node_history_answers_which_version_added_a_section(store):
    a = ask_store(store, "Since which version is the Promises API of the mangler available?")
    assert not a.abstained and a.answer == "v17.0.0", a.to_dict()


def test_a_heading_and_its_history_line_read_as_one_unit():
    text = "Promises API\n\nAdded in: v17.0.0.\n\nThe promise-based API resolves."
    spans = [(0, 12), (14, 32), (34, len(text))]
    assert [text[a:b] for a, b in with_signatures(text, spans)] == [
        "Promises API\n\nAdded in: v17.0.0.",
        "The promise-based API resolves.",
    ]
    # A sentence before a history line is no heading of it.
    prose = "It is stable.\n\nAdded in: v2.0.0."
    assert [prose[a:b] for a, b in reading_units(prose)] == ["It is stable.", "Added in: v2.0.0."]


def test_versions_of_reads_node_releases_and_their_labels():
    from rag.code_answers import versions_of

    asked = "since which node version is the promises api available?"
    assert versions_of("Promises API\n\nAdded in: v17.0.0.", asked) == ["v17.0.0"]
    # A deprecation label does not say when something was added.
    added = "which node version added it?"
    assert versions_of("Deprecated since: v14.0.0.", added) == []
    assert versions_of("Added in: v19.4.0, v18.14.0.", added) == ["v19.4.0", "v18.14.0"]
    # "Which 19.x version" asks for a release of that line.
    line = "we're stuck on node 19. which 19.x version added it?"
    assert versions_of("Added in: v0.3.3.", line) == []
    assert versions_of("Added in: v18.14.0, v19.4.0.", line) == ["v19.4.0"]


def test_a_question_for_a_default_reads_the_entry_through_to_its_default_label():
    from rag.answer import Source
    from rag.defaults import default_first
    from rag.reader import Pick

    text = (
        "historySize {number} Maximum number of history lines retained. To disable the history"
        " set this value to 0. Default: 30.\ntabSize {integer} Spaces per tab. Default: 8."
    )
    src = Source("c0", "/d/readline.md", "readline", 0, len(text), text, 1.0, 0.9, None)
    end = text.index(" To disable")
    top = Pick(0, 0, end, text[:end], 0.9, "Maximum number", 0.5)
    other = Pick(0, text.index("tabSize"), len(text), text[text.index("tabSize") :], 0.1, None, 0)
    q = "If I don't set historySize, how many history lines does it keep by default?"
    first, second = default_first(q, (top, other), [src])
    assert first.answer == "30" and first.text.endswith("Default: 30.") and second == other
    assert text[first.start : first.end] == first.text
    # A question that asks for no default is left alone.
    assert default_first("How many history lines are kept?", (top, other), [src]) == (top, other)


def test_a_short_label_closing_a_quote_stays_with_its_sentence():
    from rag.replies import split_cited

    text = "tabSize {integer} The number of spaces a tab is equal to (minimum 1). Default: 8. [1]"
    assert split_cited(text) == [
        ("tabSize {integer} The number of spaces a tab is equal to (minimum 1). Default: 8.", [1])
    ]
    # Other short pieces are still their own (verification skips them).
    assert split_cited("It rose. Yes. [2]") == [("It rose.", []), ("Yes.", [2])]


def test_a_bare_version_label_is_read_with_its_documents_other_sentences():
    from rag.answer import SentenceCheck, Source
    from rag.pipeline import by_document

    def src(name):
        return Source("c", name, f"{name} page", 0, 1, "x", 1.0, 0.9, None)

    sources = [src("argparse.rst"), src("argparse.rst"), src("random.rst")]

    def check(text, n):
        return SentenceCheck(text, [n], 1.0, "supported")

    kept = [
        check("Added in version 3.9.", 1),
        check("exit_on_error: Normally, when you pass an invalid argument list ...", 2),
        check("Changed in version 3.2: Moved to the version 2 scheme.", 3),
    ]
    assert by_document(kept, sources) == [
        "Added in version 3.9. exit_on_error: Normally, when you pass an invalid argument list"
        " ... argparse.rst page",
        "exit_on_error: Normally, when you pass an invalid argument list ...",
        "Changed in version 3.2: Moved to the version 2 scheme.",  # a note says its own subject
    ]


def test_a_version_label_shares_only_its_event_with_the_question():
    from rag.answer_features import states_a_version

    q = "In which Python version was textwrap.dedent added?"
    assert not states_a_version(q, ["Added in version 3.4."])  # dates some other entry
    assert states_a_version(q, ["dedent(text): Added in version 3.4."])


def test_a_default_stated_in_prose_answers_only_for_what_the_question_names():
    from rag.answer import Source
    from rag.defaults import default_first
    from rag.reader import Pick

    text = (
        "get_close_matches(word, possibilities, n=3, cutoff=0.6): Return the best matches.\n"
        "Optional argument n (default 3) is the maximum number of close matches to return.\n"
        "width (default 80) specifies the desired maximum number of characters per line."
    )
    src = Source("c0", "/d/a.rst", "A", 0, len(text), text, 1.0, 0.9, None)

    def pick(line):
        a = text.index(line)
        return Pick(0, a, a + len(line), line, 0.5, None, 0.0)

    lines = text.split("\n")
    sig, n, width = pick(lines[0]), pick(lines[1]), pick(lines[2])
    # "n (default 3)" is no default of the cutoff: the reader's order stands.
    q = "What's the default cutoff score in get_close_matches?"
    assert default_first(q, (sig, n), [src]) == (sig, n)
    [first] = default_first("What line width does pprint aim for by default?", (width,), [src])
    assert first.answer == "80" and first.text == lines[2]


def test_is_there_a_function_asks_for_its_name():
    from rag.code_answers import answer_kind

    assert answer_kind("Is there a shlex function that glues a list of args back together?")
    assert answer_kind("Is there a function in node:path that converts it, and what's it called?")
    assert answer_kind("Is there a limit on the size?") is None


def test_a_default_is_asked_for_in_a_users_words_and_read_for_the_name_asked():
    from rag.answer import Source
    from rag.defaults import asks_default, default_first
    from rag.reader import Pick

    assert asks_default("If I do new StringDecoder() without telling it an encoding, which one?")
    assert asks_default("How much indentation does it add if I leave indent alone?")
    assert not asks_default("Which encoding does the decoder use for UTF-16 input?")
    text = (
        "Set context to True to show differences, else the default is False. The number of"
        " context lines is set by n which defaults to three."
    )
    src = Source("c0", "/d/difflib.rst", "difflib", 0, len(text), text, 1.0, 0.9, None)
    top = Pick(0, 0, len(text), text, 0.9, None, 0.0)
    [first] = default_first("How many context lines if I don't set n?", (top,), [src])
    assert first.answer == "three"  # not "False", the default of context


def test_a_bare_label_must_find_every_name_the_question_asks_about():
    from rag.answer_features import states_a_version

    title = "pathlib — Object-oriented filesystem paths"
    assert states_a_version(
        "In which Python version was pathlib added?", [f"Added in version 3.4. {title}"]
    )
    # The page's module is not the function asked about.
    q = "In which Python version was textwrap.dedent added?"
    assert not states_a_version(q, ["Added in version 3.4. textwrap — Text wrapping and filling"])


def test_an_entrys_name_is_the_subject_of_a_default_in_its_description():
    from rag.answer import Source
    from rag.defaults import asks_default, default_first
    from rag.reader import Pick

    assert asks_default("If I just write @dataclass without arguments, what does order take?")
    text = "order: If true (the default is False), __lt__ and __gt__ methods will be generated."
    src = Source("c0", "/d/dataclasses.rst", "dataclasses", 0, len(text), text, 1.0, 0.9, None)
    top = Pick(0, 0, len(text), text, 0.9, None, 0.0)
    q = "If I write @dataclass without arguments, what value does the order flag take?"
    [first] = default_first(q, (top,), [src])
    assert first.answer == "False"
    # Another entry's default is no answer.
    assert default_first("What is the default of eq?", (top,), [src]) == (top,)
