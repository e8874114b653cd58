"""Each markup and reflow rule on small strings."""

from __future__ import annotations

from index.clean import CODE, Line, clean_lines, code_spans
from index.markup import code_units, md_inline, read_markdown
from index.reflow import reflow_pages
from index.rst import read_rst, rst_inline


def _rst(source: str) -> str:
    return clean_lines(read_rst(source)[0])[0]


def _md(source: str) -> str:
    return clean_lines(read_markdown(source)[0])[0]


def test_rst_roles_literals_links_and_emphasis() -> None:
    assert rst_inline(":func:`lru_cache()` is fast") == "lru_cache() is fast"
    assert rst_inline("see :class:`~pathlib.Path`") == "see Path"
    assert rst_inline(":meth:`~Path.glob()` and :py:func:`!open`") == "glob() and open"
    assert rst_inline("a :class:`date` or :class:`.datetime` object") == "a date or datetime object"
    assert rst_inline("use ``x = *args`` here") == "use x = *args here"
    assert rst_inline("*emphasis* and **strong**") == "emphasis and strong"
    assert rst_inline("`the site <https://x.org>`_ now") == "the site now"
    assert rst_inline(":ref:`the guide <howto-label>`") == "the guide"
    assert rst_inline(":pep:`412` and a note [#]_.") == "PEP 412 and a note."
    assert rst_inline("a --- b") == "a — b"


def test_rst_heading_paragraph_and_literal_block() -> None:
    lines, title = read_rst(
        "Title here\n==========\n\nFirst line of a\nwrapped paragraph::\n\n"
        "    code line 1\n        indented\n\nSection\n-------\n\nText.\n"
    )
    assert title == "Title here"
    assert [(x.text, x.level) for x in lines if x.level] == [("Title here", 1), ("Section", 2)]
    text, kept = clean_lines(lines)
    assert text == (
        "Title here\n\nFirst line of a wrapped paragraph:\n\n"
        "code line 1\n    indented\n\nSection\n\nText."
    )
    assert [text[a:b] for a, b in code_spans(kept)] == ["code line 1\n    indented"]


def test_rst_directives() -> None:
    source = (
        ".. module:: spam\n   :synopsis: Eggs.\n\n.. index:: single: spam\n\n"
        ".. |x| replace:: EX\n\n.. a comment\n   that goes on\n\n"
        ".. function:: fry(eggs, \\\n              bacon)\n   :noindex:\n\n"
        "   Fry the :class:`Egg`.\n\n   .. versionadded:: 3.2\n\n"
        "   .. versionchanged:: 3.4\n      Accepts |x|.\n\n"
        "   .. note::\n\n      Hot *pan*.\n\n.. code-block:: python\n\n   x = 1\n"
    )
    assert _rst(source) == (
        "fry(eggs, bacon)\n\nFry the Egg.\n\nAdded in version 3.2.\n\n"
        "Changed in version 3.4: Accepts EX.\n\nNote: Hot pan.\n\nx = 1"
    )


def test_a_line_opening_with_a_role_is_no_directive_option() -> None:
    # random.rst: the note's last line was taken for an option and dropped, leaving "from
    # ValueError to" (2,578 words of the Python 3.11 docs were lost this way).
    source = (
        ".. deprecated:: 3.10\n   The exception will be changed from :exc:`ValueError` to\n"
        "   :exc:`TypeError`.\n   :noindex:\n"
    )
    assert _rst(source) == (
        "Deprecated since version 3.10: The exception will be changed from ValueError to TypeError."
    )


def test_a_field_body_over_several_lines_is_one_paragraph() -> None:
    source = (
        ".. method:: onclick(fun)\n\n   :param fun: a function called with the\n"
        "               coordinates of the clicked point\n   :param btn: number of the button\n"
        "   :type btn: int\n\n   Bind fun.\n"
    )
    assert _rst(source) == (
        "onclick(fun)\n\nparam fun: a function called with the coordinates of the clicked point"
        "\n\nparam btn: number of the button\n\ntype btn: int\n\nBind fun."
    )


def test_rst_doctest_lists_and_tables() -> None:
    source = (
        "* first item\n  continues here\n* second\n\n1. one\n2. two\n\n"
        ">>> 1 + 1\n2\n\n"
        "=====  =====\nA      B\n=====  =====\nx      y\n=====  =====\n\n"
        "+-----+-----+\n| c   | d   |\n+=====+=====+\n| e   | f   |\n+-----+-----+\n"
    )
    assert _rst(source) == (
        "first item continues here\n\nsecond\n\none\n\ntwo\n\n>>> 1 + 1\n2\n\n"
        "A | B\n\nx | y\n\nc | d\n\ne | f"
    )


def test_markdown_paragraphs_lists_tables_and_code() -> None:
    source = (
        "# Head\n\nA *wrapped*\nparagraph.\n\n- item one\n  more\n- item two\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n```py\nif x:\n    y()\n```\n\n    indented code\n"
    )
    assert _md(source) == (
        "Head\n\nA wrapped paragraph.\n\nitem one more\n\nitem two\n\na | b\n\n1 | 2\n\n"
        "if x:\n    y()\n\nindented code"
    )
    assert md_inline("[text](http://x) and `code`") == "text and code"


def test_markdown_front_matter_gives_the_title_and_its_summary_is_text() -> None:
    source = (
        "---\ntitle: npm-config\nsection: 1\ndescription: Manage the npm configuration files\n"
        "---\n\n### Synopsis\n\nSet a key.\n"
    )
    lines, title = read_markdown(source)
    assert title == "npm-config"
    assert clean_lines(lines)[0] == "Manage the npm configuration files\n\nSynopsis\n\nSet a key."


def test_a_markdown_comment_over_several_lines_is_never_text() -> None:
    # Its middle lines were read as a paragraph and a list item ("- b: c").
    source = "One.\n\n<!-- a note\n- b: c\nmore -->\n\nTwo.\n\n<!-- x -->Three.\n"
    assert _md(source) == "One.\n\nTwo.\n\nThree."


def test_html_in_markdown_gives_its_text_and_its_tables_rows() -> None:
    # READMEs and the Node.js docs write raw HTML: it reached answers as markup ("<kbd>Ctrl
    # </kbd>", '<a id="intro">', "<td><code>SSL_OP_ALL</code></td> <td>Applies ...").
    source = (
        'Press <kbd>Ctrl</kbd>+<kbd>C</kbd>, see <a href="x">the docs</a>.<br/>Then run '
        "`npm install <pkg>` with <Buffer 01>.\n\n"
        '<a id="intro"></a>\n## Intro\n\n'
        "<table>\n<tr><th>Constant</th><th>Description</th></tr>\n"
        "<tr><td><code>SSL_OP_ALL</code></td><td>Applies bug workarounds.</td></tr>\n"
        "</table>\n\nAfter.\n"
    )
    text = _md(source)
    assert text.startswith(
        "Press Ctrl+C, see the docs. Then run npm install <pkg> with <Buffer 01>.\n\nIntro\n\n"
    )
    assert "Constant: SSL_OP_ALL; Description: Applies bug workarounds." in text
    assert text.endswith("\n\nAfter.") and "<" not in text.replace("<pkg>", "").replace(
        "<Buffer", ""
    )


def test_node_api_history_reads_as_nodejs_org_shows_it() -> None:
    # Node.js API pages keep each entry's history in a YAML comment; nodejs.org shows it as
    # "Added in: v8.0.0" and a table of changes. Before, "version: v20.8.0 pr-url: https://...
    # description: ..." leaked as an item and the "added" line was lost.
    source = (
        "## `util.promisify(original)`\n\n<!-- YAML\nadded: v8.0.0\nchanges:\n"
        "  - version:\n    - v20.8.0\n    - v18.19.0\n"
        "    pr-url: https://github.com/nodejs/node/pull/49609\n"
        "    description: Calling `promisify` on a function that returns a `Promise` is\n"
        "      deprecated.\n-->\n\nTakes a function.\n"
    )
    assert _md(source) == (
        "util.promisify(original)\n\nAdded in: v8.0.0.\n\nChanged in: v20.8.0, v18.19.0: "
        "Calling promisify on a function that returns a Promise is deprecated.\n\nTakes a function."
    )
    assert _md("<!-- YAML\n: not: yaml: [\n-->\n\nText.\n") == "Text."


def test_code_lines_are_verbatim_and_never_boilerplate() -> None:
    lines = [Line("Intro text."), Line(""), Line("print", kind=CODE), Line("  x  =  1", kind=CODE)]
    text, kept = clean_lines(lines)
    assert text == "Intro text.\n\nprint\n  x  =  1"  # "print" alone would be boilerplate
    assert code_spans(kept) == [(13, len(text))]


def test_code_units_keep_a_block_whole_or_split_at_lines() -> None:
    text = "Prose. More prose.\n\na = 1. b = 2\nc = 3"
    code = [(20, len(text))]
    spans = [(0, 6), (7, 18), (20, 26), (27, 32), (33, len(text))]

    def count(texts):
        return [len(t.split()) for t in texts]

    assert code_units(text, spans, code, count, 100) == [(0, 6), (7, 18), (20, len(text))]
    # Over budget: whole lines, never a cut inside a line.
    assert code_units(text, spans, code, count, 5) == [(0, 6), (7, 18), (20, 32), (33, 38)]


def _layout(*lines: str) -> list[str]:
    return list(lines)


def test_reflow_joins_wrapped_lines_and_undoes_hyphens() -> None:
    body = [
        "Running Header",
        "This is a paragraph of text that wraps across several lines in the PDF and its",
        "implementation is described in this very long sentence which needs some implemen-",
        "tation details and a well-known pattern that is well- and known in the text, well",
        "known to all.",
        "   A new paragraph starts with an indent and goes on for quite a while to be long.",
        "",
        "7",
    ]
    pages = [body, ["Running Header", *body[1:-1], "8"], ["Running Header", "Last page.", "9"]]
    text, kept = clean_lines(reflow_pages(pages))
    first = (
        "This is a paragraph of text that wraps across several lines in the PDF and its "
        "implementation is described in this very long sentence which needs some "
        "implementation details and a well-known pattern"
    )
    assert text.startswith("Running Header\n\n" + first)  # page 1 keeps the running title
    assert text.count("Running Header") == 1
    assert "\n7" not in text and "\n8" not in text  # page numbers gone
    assert "\n\nA new paragraph starts" in text
    # Every kept line keeps its own page: page 2 starts where its first line was joined on.
    assert kept[0].page == 1 and any(k.page == 2 and k.joined is False for k in kept)


def test_reflow_keeps_real_hyphens() -> None:
    page = [
        "The parser reads a file, and the things that are well understood and known are well",
        "known; this line is long enough to be a full line of the text block here, and a well-",
        "known trick is used by the parser that reads an ASN.1 file with the help of the ASN.1-",
        "based form which is used in a line that is itself long enough to count as full.",
    ]
    text = clean_lines(reflow_pages([page]))[0]
    assert "\n" not in text
    assert "a well-known trick" in text  # "well" and "known" are words; "wellknown" is not
    assert "the ASN.1-based form" in text  # not plain letters before the hyphen


def test_reflow_joins_a_word_broken_at_a_hyphen_in_a_narrow_block() -> None:
    # crc-doc.1.0.pdf's abstract is set narrower than the page: its lines look short, and
    # "improv-" / "ing state of the art" was cut into two paragraphs.
    body = "The body of the paper runs across the full width of the page, as body text does"
    page = [
        body,
        body,
        body,
        "   modern Intel and AMD CPUs in 1.2 cycles, improv-",
        "   ing state of the art over word-by-word CRCs.",
        body,
        body,
    ]
    text = clean_lines(reflow_pages([page]))[0]
    assert "in 1.2 cycles, improving state of the art" in text


def test_reflow_joins_a_word_in_capitals_and_a_justified_line_with_wide_gaps() -> None:
    # libtasn1.pdf: "OP-" / "TIONAL" is OPTIONAL broken at the line's end (the document has it
    # whole); a justified line whose small capitals were set apart ("SEQUENCE         OF") is
    # no table row when it goes on with the sentence the line above left open.
    page = [
        "  If an element is OPTIONAL, the call returns an error; and if an element is OP-",
        "  TIONAL and this returns NOT_FOUND, it means the element is not present. The first of",
        "  a SEQUENCE         OF or SET      OF is named ?1. The second one is named ?2 and",
        "  so on for every element of the sequence that the structure holds at this point.",
        "  That holds for every structure the library reads under the licence called CC-",
        "  BY here: CC-BY is kept as it is written, in this line of the document's text.",
    ]
    text = clean_lines(reflow_pages([page]))[0]
    assert "if an element is OPTIONAL and this returns" in text
    assert "The first of a SEQUENCE OF or SET OF is named ?1. The second" in text
    assert "licence called CC-BY here" in text  # the document writes it hyphenated as often


# crc-doc.1.0.pdf's title page: a centred title whose last word stands alone, shifted and after a
# short line (which otherwise starts a paragraph), then the byline.
_BODY = "The body of the paper runs across the full width of the page, as body text does"
_TITLE_PAGE = [
    "    Everything we know about CRC but afraid to",
    "                                                forget",
    "",
    "                         Andrew Kadatch and Bob Jenkins",
    "",
]


def test_reflow_joins_a_line_that_ends_in_a_word_no_text_ends_in() -> None:
    # A line ending in "to", "the", "of", "and" ... runs on into a lower-case next line.
    page = [
        *_TITLE_PAGE,
        "5.2. Using Cachegrind, cg_annotate and",
        "cg_merge",
        _BODY,
        "Short line ending a paragraph",
        "   next paragraph, indented, in lower case",
        "A heading about",
        "   Python",
    ]
    text = clean_lines(reflow_pages([page]))[0]
    paragraphs = text.split("\n\n")
    assert paragraphs[0] == "Everything we know about CRC but afraid to forget"
    assert paragraphs[1] == "Andrew Kadatch and Bob Jenkins"  # the next text stays apart
    assert "5.2. Using Cachegrind, cg_annotate and cg_merge" in paragraphs
    # A line that ends in a content word still ends there; a capital after "about" may be a
    # new line of a heading or another text: both stay as the layout has them.
    assert "next paragraph, indented, in lower case" in paragraphs
    assert "Python" in paragraphs


def test_a_title_wrapped_over_two_lines_is_the_documents_title() -> None:
    from index.loaders import _first_title

    text, kept = clean_lines(reflow_pages([[*_TITLE_PAGE, _BODY, _BODY]]))
    assert _first_title(kept, text) == "Everything we know about CRC but afraid to forget"
    # A wrapped paragraph longer than a headline is prose, not a title: the next line is.
    prose = [_BODY, _BODY, _BODY, "", "A Short Heading", "", _BODY]
    text, kept = clean_lines(reflow_pages([prose]))
    assert _first_title(kept, text) == "A Short Heading"
