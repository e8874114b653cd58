"""Loaders and cleaning: real corpus files plus small fixtures written into tmp_path."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from index.clean import clean_text
from index.errors import LoadError
from index.loaders import SUPPORTED_SUFFIXES, load_document
from index.types import Document

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus"
MULTI = CORPUS / "004_e116aba1b0a9a83c.txt"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")


def _assert_sections_cover(doc: Document) -> None:
    assert doc.sections, "every document has at least one section"
    assert doc.sections[0].start == 0
    assert doc.sections[-1].end == len(doc.text)
    for a, b in zip(doc.sections, doc.sections[1:], strict=False):
        assert a.end == b.start and a.start < a.end


def _evidence() -> list[tuple[str, str]]:
    pairs = []
    for line in (SHARED / "eval" / "seed_qa_dev.jsonl").read_text(encoding="utf-8").splitlines():
        pairs += [(e["doc"], e["quote"]) for e in json.loads(line)["evidence"]]
    for line in (SHARED / "eval" / "grounding_pairs_dev.jsonl").read_text().splitlines():
        item = json.loads(line)
        pairs.append((item["doc"], item["passage"]))
    return pairs


# ---------------------------------------------------------------- real corpus


@needs_corpus
def test_every_evidence_quote_survives_cleaning() -> None:
    docs = {p.name: load_document(p) for p in CORPUS.glob("*.txt")}
    pairs = _evidence()
    assert pairs
    missing = [(name, q) for name, q in pairs if q not in docs[name].text]
    assert not missing


@needs_corpus
@pytest.mark.parametrize(
    "name, title",
    [
        ("000_915b0e003521c9a3.txt", "Ali's Strategic Shift in AI"),
        ("001_a55ab43c6b0c8f50.txt", "Alibaba new CEO announces strategic focus on ‘User First’"),
        ("002_5e5dd4bcab1e23e9.txt", "Alibaba’s Wild Ride: From Beijing’s Crackdown"),
        ("003_41f5c29054460f31.txt", "Alibaba AI Disrupts Business, Sparks Ethics Debates"),
    ],
)
def test_single_article_files_have_a_human_title_and_one_section(name: str, title: str) -> None:
    doc = load_document(CORPUS / name)
    assert doc.title.startswith(title)
    assert doc.source == str((CORPUS / name).resolve())
    assert len(doc.sections) == 1 and doc.sections[0].title == doc.title
    _assert_sections_cover(doc)
    assert doc.pages == []


@needs_corpus
def test_boilerplate_lines_are_gone_and_text_kept() -> None:
    texts = {p.name: load_document(p).text for p in CORPUS.glob("*.txt")}
    junk = {
        "Advertisements", "Continue Reading", "Comments (146 Comments)", "👁️ 43 0",
        "6 views0 comments", "Leave A Comment", "Connect with us", "Published", "on", "By",
        "top of page", "bottom of page", "Trending", "Recent Posts", "See All", "11 mins read",
    }  # fmt: skip
    for name, text in texts.items():
        lines = set(text.splitlines())
        assert not lines & junk, name
        assert "\n\n\n" not in text and not any(x != x.strip() for x in text.splitlines())
    assert "“The hallmark of Jack" in texts["004_e116aba1b0a9a83c.txt"]  # curly quotes kept


@needs_corpus
def test_repeated_caption_and_title_are_kept_once() -> None:
    caption = "Alibaba's headquarters in Hangzhou, East China's Zhejiang Province Photo: cnsphoto"
    assert load_document(CORPUS / "001_a55ab43c6b0c8f50.txt").text.count(caption) == 1
    doc = load_document(CORPUS / "002_5e5dd4bcab1e23e9.txt")
    assert doc.text.count(doc.title) == 1


@needs_corpus
def test_multi_article_file_splits_into_four_titled_sections() -> None:
    doc = load_document(MULTI)
    _assert_sections_cover(doc)
    titles = [s.title for s in doc.sections]
    assert len(titles) == 4, titles
    assert titles[0] == "The business behind Alibaba: How China’s tech titan makes billions"
    assert titles[1] == "OpenAI temporarily blocked from using ‘Cameo’ after trademark lawsuit"
    assert titles[2] == "OpenAI announces shopping research tool in latest e-commerce push"
    assert titles[3].startswith("Tesla fans told by Dutch safety regulator")
    assert doc.title == titles[0]

    def section_of(quote: str) -> str:
        section = doc.section_at(doc.text.index(quote))
        assert section is not None
        return section.title

    assert section_of("more than $400 billion has been wiped off Alibaba’s value") == titles[0]
    assert section_of("U.S. District Judge Eumi K. Lee granted") == titles[1]
    assert section_of("Shopping research is rolling out") == titles[2]
    assert section_of("Dutch regulators are telling Tesla fans") == titles[3]
    # each section's own headline lies inside it, after its category label
    for s in doc.sections:
        assert s.title in doc.text[s.start : s.end]


@needs_corpus
def test_loading_is_deterministic() -> None:
    assert load_document(MULTI) == load_document(MULTI)


# ---------------------------------------------------------------- cleaning


def test_clean_drops_whole_boilerplate_lines_only() -> None:
    raw = (
        "A Title Here\n\nAdvertisements\n\nHe went on   a trip.  \nShare this:\nLike this:\n"
        "Loading...\nRelated\nShare\n\n\n\nWe rely on comments from readers.\nComments (3)\n"
    )
    assert clean_text(raw) == (
        "A Title Here\n\nHe went on a trip.\n\nWe rely on comments from readers."
    )


def test_clean_splits_a_marker_glued_to_a_sentence() -> None:
    raw = "Other companies have also launched their own AI projects.Connect with us\nNext line."
    assert (
        clean_text(raw) == "Other companies have also launched their own AI projects.\nNext line."
    )
    # but never inside a sentence
    assert clean_text("Click Connect with us to reach the team.") == (
        "Click Connect with us to reach the team."
    )


def test_clean_keeps_unicode_and_removes_consecutive_duplicates() -> None:
    raw = "“Quoted” café\u00a0text\n\n“Quoted” café\u00a0text\nDifferent line\n"
    assert clean_text(raw) == "“Quoted” café\u00a0text\nDifferent line"


# ---------------------------------------------------------------- formats


def _write_pdf(path: Path, pages: list[str]) -> None:
    """A minimal valid PDF (Helvetica text, one line per page) with a correct xref table."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1"
               " /BaseFont /Helvetica >>"]  # fmt: skip
    kids = []
    for text in pages:
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream.decode()}\nendstream")
        content = len(objects)
        objects.append(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content} 0 R >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += (
        b"trailer\n"
        + f"<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    path.write_bytes(bytes(out))


def test_pdf_pages_have_spans_in_the_cleaned_text(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    _write_pdf(path, ["Quarterly Results Overview", "Revenue grew by twelve percent."])
    doc = load_document(path)
    assert [p.number for p in doc.pages] == [1, 2]
    assert doc.pages[0].start == 0 and doc.pages[-1].end == len(doc.text)
    assert doc.pages[0].end == doc.pages[1].start
    assert doc.page_at(doc.text.index("Revenue grew")) == 2
    assert doc.page_at(doc.text.index("Quarterly")) == 1
    assert doc.title == "Quarterly Results Overview"
    _assert_sections_cover(doc)


def test_pdf_ligature_glyphs_read_as_their_letters(tmp_path: Path) -> None:
    # Helvetica's StandardEncoding draws "fi" as one glyph (octal 256); pypdf gives U+FB01,
    # which no question word, BM25 token or MiniLM word piece matches.
    path = tmp_path / "manual.pdf"
    _write_pdf(path, ["The con\\256guration \\256le is read \\256rst."])
    doc = load_document(path)
    assert doc.text == "The configuration file is read first."


def test_docx_paragraphs_and_heading_title(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Draft notes, internal")
    document.add_heading("Cloud Strategy 2025", level=1)
    document.add_paragraph("Alibaba Cloud plans new regions.")
    document.add_paragraph("Margins are expected to improve.")
    path = tmp_path / "plan.docx"
    document.save(str(path))
    doc = load_document(path)
    assert doc.title == "Cloud Strategy 2025"
    assert "Alibaba Cloud plans new regions.\n\nMargins are expected to improve." in doc.text
    assert len(doc.sections) == 1 and doc.sections[0].title == doc.title


def test_docx_without_headings_uses_first_line(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Meeting summary")
    document.add_paragraph("We agreed on the budget.")
    path = tmp_path / "m.docx"
    document.save(str(path))
    assert load_document(path).title == "Meeting summary"


def test_html_drops_chrome_and_keeps_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Site | Story</title><style>p{color:red}</style></head><body>"
        "<header><a>Home</a> <a>World</a></header><nav>Menu links</nav>"
        "<article><h1>Alibaba &amp; the <em>AI</em> race</h1>"
        "<p>First   paragraph\n about Qwen.</p><p>Second<br>line two.</p>"
        "<script>var x = 1;</script><aside>Sidebar</aside></article>"
        "<footer>© 2025 Example</footer></body></html>",
        encoding="utf-8",
    )
    doc = load_document(path)
    assert doc.title == "Alibaba & the AI race"
    assert doc.text == ("Alibaba & the AI race\n\nFirst paragraph about Qwen.\n\nSecond\nline two.")


def _load_html(path: Path, source: str):
    path.write_text(source, encoding="utf-8")
    return load_document(path)


def test_html_drops_a_texinfo_manuals_node_lines_menus_and_contents(tmp_path: Path) -> None:
    # How GNU Texinfo renders a manual (bc, time, nettle in /usr/share/doc): a node line before
    # every section, a menu of child nodes, and a table of contents naming every heading, which
    # matches any question's words and answers none. Doxygen's page body is a div.contents of
    # its own, kept: only the div after a contents heading is the table of contents.
    doc = _load_html(
        tmp_path / "bc.html",
        "<html><head><title>bc Command Manual</title></head><body>"
        '<h2 class="contents-heading">Table of Contents</h2><div class="contents"><ul>'
        '<li><a href="#Intro">1 Introduction</a></li><li><a href="#Opt">1.2 Options</a></li>'
        '</ul></div><div class="header"><p>Next: <a href="#Intro" rel="next">Introduction</a>,'
        ' Up: <a href="#Top" rel="up">Top</a> [<a href="#SEC_Contents">Contents</a>]</p></div>'
        '<table class="menu"><tr><td>&bull; <a href="#Intro">Introduction</a></td></tr></table>'
        '<h2 class="chapter">1 Introduction</h2><p>bc is a calculator language.</p>'
        '<div class="contents"><p>Doxygen keeps its body here.</p></div></body></html>',
    )
    assert doc.text == (
        "1 Introduction\n\nbc is a calculator language.\n\nDoxygen keeps its body here."
    )


def test_a_short_list_after_its_lead_in_is_one_sentence(tmp_path: Path) -> None:
    # Each item alone names nothing a question asks; the lead-in alone answers nothing.
    md = tmp_path / "tool.md"
    md.write_text(
        "# Tool\n\nIt supports these formats:\n\n- JSON\n- YAML files\n\n## Install\n\n"
        "Run the installer.\n\nNotes:\n\n* This item is a whole sentence of its own, kept.\n"
        "* Short\n",
        encoding="utf-8",
    )
    assert load_document(md).text == (
        "Tool\n\nIt supports these formats: JSON; YAML files\n\nInstall\n\nRun the installer."
        "\n\nNotes:\n\nThis item is a whole sentence of its own, kept.\n\nShort"
    )
    html = _load_html(
        tmp_path / "p.html",
        "<html><body><main><h1>T</h1><p>The library supports:</p><ul><li>Digest</li>"
        "<li><p>Basic</p></li><li>WSSE</li></ul><h2>Next</h2><p>Other text.</p></main></body>"
        "</html>",
    )
    assert html.text == "T\n\nThe library supports: Digest; Basic; WSSE\n\nNext\n\nOther text."
    rst = tmp_path / "urllib.rst"
    rst.write_text(
        "urllib\n======\n\nurllib collects several modules:\n\n"
        "* :mod:`urllib.request` for opening URLs\n* :mod:`urllib.parse` for parsing URLs\n",
        encoding="utf-8",
    )
    assert load_document(rst).text == (
        "urllib\n\nurllib collects several modules: urllib.request for opening URLs; "
        "urllib.parse for parsing URLs"
    )


def test_a_term_and_its_definition_are_one_paragraph(tmp_path: Path) -> None:
    # Alone, "remove files produced by previous builds ..." never names the tool it describes:
    # a <dl> (bzip2's options) or AsciiDoc's two-cell rows (ninja's tools) show term and
    # definition side by side, and so does the cleaned text.
    long = " ".join(["It removes them all."] * 25)  # a cell of a page's length: layout
    doc = _load_html(
        tmp_path / "manual.html",
        "<html><body><dl><dt>-k --keep</dt><dd><p>Keep input files.</p><p>More.</p></dd>"
        "<dt>Note:</dt><dd>Terms may end in a colon.</dd></dl><div class='hdlist'><table>"
        "<tr><td><p><code>cleandead</code></p></td><td><p>remove files produced by previous"
        f" builds.</p><p>{long}</p></td></tr><tr><td><p>one</p></td><td><p>two</p></td>"
        "<td><p>three</p></td></tr></table></div></body></html>",
    )
    assert doc.text == (
        "-k --keep: Keep input files.\n\nMore.\n\nNote: Terms may end in a colon.\n\n"
        f"cleandead: remove files produced by previous builds.\n\n{long}\n\n"
        "one\n\ntwo\n\nthree"
    )


def test_html_drops_chrome_marked_by_roles_and_permalinks(tmp_path: Path) -> None:
    # How Sphinx renders a page (the Python docs): breadcrumbs and sidebar are <div
    # role="navigation">, the footer a <div class="footer">, every heading and signature ends
    # in a "¶" permalink. The Python 3.11 library pages lose 60,210 words of this (7%).
    doc = _load_html(
        tmp_path / "glob.html",
        '<html><body><div class="related" role="navigation"><a href="../index.html">index</a>'
        ' Python »</div><div class="inline-search" role="search"><input></div>'
        '<div class="body" role="main"><h1>glob — paths<a class="headerlink" href="#glob">¶</a>'
        '</h1><dl><dt>glob.glob(pathname)<a href="#glob.glob">¶</a></dt><dd><p>Return a'
        ' list; see <a href="#note">the note</a>.</p></dd></dl></div>'
        '<div class="sphinxsidebar" role="navigation menu"><p>Previous topic</p></div>'
        '<div class="footer">© Copyright 2001, PSF. Found a bug?</div></body></html>',
    )
    assert doc.title == "glob — paths"
    # A definition list shows its term beside its definition (index/lists.py).
    assert doc.text == "glob — paths\n\nglob.glob(pathname): Return a list; see the note."


def test_html_reads_the_pages_main_and_keeps_code_verbatim(tmp_path: Path) -> None:
    # How mdBook renders a chapter (the Rust book): a keyboard-help popup and a menu bar with
    # the book's <h1> outside <main>, a theme picker (role="menu"), the chapter an <h2> in
    # <main> (a <button>'s label in it, as in rustdoc's titles), code in <pre> whose indentation
    # and lone "}" lines are the code.
    doc = _load_html(
        tmp_path / "ch04.html",
        "<html><body><div id='help'><h2>Keyboard shortcuts</h2><p>Press S to search</p></div>"
        "<div class='menu-bar'><h1 class='menu-title'>The Book</h1><ul role='menu'>"
        "<li><button>Light</button></li></ul><span hidden>Loading</span></div>"
        "<main><h2>What Is Ownership?<button>Copy item path</button></h2>"
        "<p>Ownership is a set of rules that govern how a program manages memory,"
        " checked by the compiler at every build.</p>"
        "<pre><code>fn main() {\n    let s = String::from(&quot;hi&quot;);\n\n    drop(s);\n}"
        "</code></pre><p>Listing 4-1: A scope.</p></main></body></html>",
    )
    assert doc.title == "What Is Ownership?"
    code = 'fn main() {\n    let s = String::from("hi");\n\n    drop(s);\n}'
    assert doc.text == (
        "What Is Ownership?\n\nOwnership is a set of rules that govern how a program manages "
        f"memory, checked by the compiler at every build.\n\n{code}\n\nListing 4-1: A scope."
    )
    assert [doc.text[a:b] for a, b in doc.code] == [code]


def test_html_banner_h1_is_no_title_and_code_variants_keep_their_lines(tmp_path: Path) -> None:
    # Node.js's API pages: the site's name is the <h1> of a page-level <header>, the page's own
    # heading an <h2> with a "#" anchor, and a snippet's ES-module and CommonJS forms two <code>
    # elements of one <pre>.
    doc = _load_html(
        tmp_path / "fs.html",
        "<html><head><title>File system | Node.js Docs</title></head><body>"
        "<header><h1>Node.js documentation</h1></header><div id='apicontent'>"
        "<h2>File system<a href='#file-system'>#</a></h2><p>Use the promise API:</p>"
        "<pre><input type='checkbox'><code class='mjs'>import * as fs from 'node:fs';</code>"
        "<code class='cjs'>"
        "const fs = require('node:fs');</code></pre></div></body></html>",
    )
    assert doc.title == "File system | Node.js Docs"
    assert doc.text == (
        "File system\n\nUse the promise API:\n\n"
        "import * as fs from 'node:fs';\nconst fs = require('node:fs');"
    )


def test_html_role_attribute_may_list_fallback_roles(tmp_path: Path) -> None:
    doc = _load_html(
        tmp_path / "r.html",
        '<body><div role="navigation menu">Home | Docs</div><p>The text itself.</p>'
        '<div role="contentinfo region">© 2026</div></body>',
    )
    assert doc.text == "The text itself."


def test_html_title_falls_back_to_title_tag(tmp_path: Path) -> None:
    path = tmp_path / "t.htm"
    path.write_text("<title>Quarterly memo</title><p>Body text here.</p>", encoding="utf-8")
    assert load_document(path).title == "Quarterly memo"


def test_html_with_several_articles_gets_one_section_each(tmp_path: Path) -> None:
    path = tmp_path / "feed.html"
    path.write_text(
        "<h1>Tech news</h1><article><h2>First story</h2><p>One.</p></article>"
        "<article><h2>Second story</h2><p>Two.</p></article>",
        encoding="utf-8",
    )
    doc = load_document(path)
    assert [s.title for s in doc.sections] == ["First story", "Second story"]
    _assert_sections_cover(doc)


def test_markdown_strips_syntax_and_splits_on_top_headings(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text(
        "# Qwen release\n\nAlibaba released **Qwen** with [weights](https://x.y/z).\n\n"
        "## Details\n\n- open `weights`\n\n# Tesla update\n\nFSD is *supervised*.\n",
        encoding="utf-8",
    )
    doc = load_document(path)
    assert doc.title == "Qwen release"
    assert "Alibaba released Qwen with weights." in doc.text
    assert "\nopen weights\n" in doc.text and "FSD is supervised." in doc.text  # bullet gone
    assert "#" not in doc.text and "**" not in doc.text
    assert [s.title for s in doc.sections] == ["Qwen release", "Tesla update"]
    _assert_sections_cover(doc)


def test_byline_markers_split_a_plain_text_feed(tmp_path: Path) -> None:
    path = tmp_path / "feed.txt"
    path.write_text(
        "Connect with us\nPublished\non\nFirst headline about chips\nBody one.\n"
        "Continue Reading\nBusiness\nSecond headline about cars\nPublished\non\nBy\n"
        "Body two.\nContinue Reading\n",
        encoding="utf-8",
    )
    doc = load_document(path)
    assert [s.title for s in doc.sections] == [
        "First headline about chips",
        "Second headline about cars",
    ]
    assert doc.text[doc.sections[1].start :].startswith("Business\nSecond headline")


def test_utf8_bom_and_utf16_bom_are_decoded(tmp_path: Path) -> None:
    a = tmp_path / "bom.txt"
    a.write_bytes("\ufeffCafé notes\nSome text.".encode())
    assert load_document(a).text.startswith("Café notes")
    b = tmp_path / "wide.txt"
    b.write_bytes("Café notes\nSome text.".encode("utf-16"))
    assert load_document(b).title == "Café notes"


def test_supported_suffixes() -> None:
    assert SUPPORTED_SUFFIXES == {
        ".txt", ".md", ".markdown", ".rst", ".html", ".htm", ".pdf", ".docx", ".pptx", ".epub",
        ".csv", ".tsv",
    }  # fmt: skip


# ---------------------------------------------------------------- errors


def _load_error(path: Path) -> str:
    with pytest.raises(LoadError) as info:
        load_document(path)
    message = str(info.value)
    assert path.name in message and info.value.path == str(path.resolve())
    assert "\n" not in message
    return message


def test_corrupt_pdf(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(bytes(range(256)) * 8)
    assert "not a PDF" in _load_error(path)
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    assert "not a readable PDF" in _load_error(truncated)


def test_corrupt_docx(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 definitely not a zip")
    assert "not a readable .docx" in _load_error(path)


def test_binary_text_file(tmp_path: Path) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(b"abc\x00\x01\x02")
    assert "binary file" in _load_error(path)


def test_empty_file_and_whitespace_only_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert "empty" in _load_error(empty)
    blank = tmp_path / "blank.md"
    blank.write_text("  \n\nAdvertisements\n\n", encoding="utf-8")
    assert "no text left" in _load_error(blank)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("hidden", encoding="utf-8")
    if os.geteuid() != 0:
        path.chmod(0)
        try:
            assert "permission denied" in _load_error(path)
        finally:
            path.chmod(0o644)

    # root reads anything, so also simulate the failure
    def deny(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", deny)
    assert "permission denied" in _load_error(path)


def test_directory_named_like_a_file(tmp_path: Path) -> None:
    path = tmp_path / "folder.txt"
    path.mkdir()
    assert "directory" in _load_error(path)


def test_non_utf8_text_names_the_offset(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("café au lait".encode("latin-1"))
    message = _load_error(path)
    assert "not valid UTF-8" in message and "offset 3" in message
    assert "0xe9" in message and "re-save" in message


def test_unsupported_suffix_lists_supported_ones(tmp_path: Path) -> None:
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(b"x")
    message = _load_error(path)
    assert "'.xlsx'" in message
    assert all(s in message for s in SUPPORTED_SUFFIXES)
