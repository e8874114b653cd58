"""The pure functions that turn an Answer into chat messages and HTML (no store, no browser)."""

from __future__ import annotations

import html
from html.parser import HTMLParser

import pytest

from rag.answer import Answer, Citation, SentenceCheck, Source
from ui import render
from ui.style import CSS

DOC = (
    'Intro line.\n\nAcme & Sons <Ltd> bought 30% of "Widget" Co.\tfor $5 million in 2021.\n'
    "Next paragraph says nothing else. " + "Filler words here. " * 40
)
SPAN = 'Acme & Sons <Ltd> bought 30% of "Widget" Co.\tfor $5 million in 2021.\n'
START = DOC.index(SPAN)


def source(chunk_id: str = "c1", start: int = 0, end: int | None = None, **kw) -> Source:
    end = len(DOC) if end is None else end
    return Source(
        chunk_id=chunk_id,
        source=kw.pop("path", "/docs/acme report.txt"),
        title=kw.pop("title", "Acme buys Widget"),
        start=start,
        end=end,
        text=DOC[start:end],
        score=kw.pop("score", 0.0328),
        dense=kw.pop("dense", 0.71),
        lexical=kw.pop("lexical", 5.5),
        page=kw.pop("page", None),
    )


def citation(n: int = 1, page: int | None = None, chunk_id: str = "c1") -> Citation:
    return Citation(
        n=n,
        source="/docs/acme report.txt",
        title="Acme buys Widget",
        start=START,
        end=START + len(SPAN),
        text=SPAN,
        score=0.71,
        page=page,
        chunk_id=chunk_id,
    )


def answer(**kw) -> Answer:
    base = dict(
        text="Acme bought 30% of Widget in 2021. [1]",
        abstained=False,
        citations=[citation()],
        timings={"retrieve_ms": 10.0, "generate_ms": 5.0, "total_ms": 1500.0},
        sentences=[
            SentenceCheck("Acme bought 30% of Widget in 2021.", [1], 1.0, "supported"),
        ],
        sources=[source(), source("c2", 0, 11, path="/docs/other.txt", dense=None)],
        query="Who bought Widget?",
        backend="extractive",
    )
    base.update(kw)
    return Answer(**base)


class Texts(HTMLParser):
    """Collects the text content of elements matching a tag and class, as a browser would."""

    def __init__(self, tag: str, cls: str):
        super().__init__(convert_charrefs=True)
        self.tag, self.cls = tag, cls
        self.depth = 0
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if self.depth:
            self.depth += tag == self.tag
        elif tag == self.tag and self.cls in classes:
            self.depth = 1
            self.found.append("")

    def handle_endtag(self, tag):
        if self.depth and tag == self.tag:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.found[-1] += data


def texts(markup: str, tag: str, cls: str) -> list[str]:
    p = Texts(tag, cls)
    p.feed(markup)
    p.close()
    return p.found


def _summary(out: str) -> str:
    start = out.index("<summary>")
    return html.unescape(out[start : out.index("</summary>", start)])


# --- escaping and passages --------------------------------------------------------------------


@pytest.mark.parametrize("s", ["a < b & c > d", "q \"x\" 'y'", "line\n\nnext\r\tx", "<script>"])
def test_esc_round_trips_and_writes_no_literal_newline(s):
    out = render.esc(s)
    assert html.unescape(out) == s
    assert "\n" not in out and "<" not in out


def test_passage_window_keeps_the_exact_span_and_trims_context_at_words():
    p = render.passage_window(DOC, START, START + len(SPAN), radius=30)
    assert p.span == SPAN
    assert DOC.index(p.before + p.span + p.after) >= 0
    assert p.clipped_after and not p.clipped_before  # the span is 13 chars into the doc
    assert len(p.after) <= 30 and not p.after.endswith(" ")


def test_passage_window_uses_the_offset_of_a_chunk():
    chunk = source(start=5, end=len(DOC))
    p = render.passage_window(chunk.text, START, START + len(SPAN), offset=chunk.start)
    assert p.span == SPAN


def test_passage_window_refuses_a_span_outside_the_text():
    with pytest.raises(ValueError, match="outside"):
        render.passage_window("short", 3, 50)


def test_passage_for_prefers_the_chunk_then_the_document_then_the_span():
    c = citation()
    assert render.passage_for(c, [source()]).span == SPAN
    other = [source("zz")]
    assert render.passage_for(c, other, doc_text=lambda src: DOC).before.endswith("Intro line.\n\n")
    alone = render.passage_for(c, other, doc_text=lambda src: None)
    assert (alone.before, alone.span, alone.after) == ("", SPAN, "")


# --- one answer -------------------------------------------------------------------------------


def test_answer_html_highlights_exactly_the_cited_text():
    out = render.answer_html(answer(), uid="t0")
    assert "\n" not in out  # one HTML block for the chat's markdown parser
    assert texts(out, "mark", "cite-hl") == [SPAN]
    assert 'class="cite-hl cite-n-1"' in out


def test_answer_html_has_clickable_markers_and_a_collapsed_citation():
    out = render.answer_html(answer(), uid="t0")
    assert texts(out, "a", "cite-ref") == ["[1]"]
    assert '<a class="cite-ref cite-n-1" href="#cite-t0-1">' in out
    assert '<details class="citation cite-n-1" id="cite-t0-1">' in out
    summary = _summary(out)
    assert "Acme buys Widget" in summary and "acme report.txt" in summary
    assert out.startswith('<div class="rag-answer answered">')


def test_citation_shows_the_page_when_there_is_one():
    out = render.answer_html(answer(citations=[citation(page=3)]))
    assert "acme report.txt · p. 3" in _summary(out)


def test_abstention_looks_different_and_names_what_is_missing():
    a = answer(
        text='The documents do not say: "Who bought Widget?". Not covered by any passage: Widget.',
        abstained=True,
        citations=[],
        sentences=[],
        uncovered=["Widget"],
    )
    out = render.answer_html(a)
    assert out.startswith('<div class="rag-answer abstained">')
    assert "cite-ref" not in out and "<mark" not in out
    assert texts(out, "span", "chip") == ["Widget"]
    assert "No answer in the documents" in out


def test_unsupported_sentences_are_marked():
    a = answer(
        text="Acme bought 30% of Widget in 2021. [1] Widget is based in Ohio. (unverified)",
        sentences=[
            SentenceCheck("Acme bought 30% of Widget in 2021.", [1], 1.0, "supported"),
            SentenceCheck("Widget is based in Ohio.", [], 0.1, "flagged", ["ohio"]),
            SentenceCheck("Widget makes 9 gadgets.", [], 0.0, "dropped", ["9"]),
            SentenceCheck("Acme paid $5 million.", [1], 0.9, "reattached"),
        ],
    )
    out = render.answer_html(a)
    assert texts(out, "span", "flagged") == ["Widget is based in Ohio. unverified"]
    assert "missing: ohio" in out
    assert texts(out, "li", "dropped") == ["Widget makes 9 gadgets. missing: 9"]
    assert "Removed by verification (1)" in out
    assert texts(out, "span", "reattached") == ["Acme paid $5 million. [1]"]
    # The dropped sentence is not part of the answer body.
    assert "9 gadgets" not in texts(out, "p", "answer-text")[0]


def test_a_caveat_the_model_wrote_is_shown_uncited():
    a = answer(
        text="Acme bought 30% of Widget in 2021. [1] The documents do not say why.",
        sentences=[
            SentenceCheck("Acme bought 30% of Widget in 2021.", [1], 1.0, "supported"),
            SentenceCheck("The documents do not say why.", [], 0.0, "not_stated"),
        ],
    )
    out = render.answer_html(a)
    assert texts(out, "span", "not_stated") == ["The documents do not say why."]
    assert ".sent.not_stated {" in CSS  # set apart from the verified claims


def test_answer_without_sentence_checks_links_the_markers_in_its_text():
    out = render.answer_html(answer(sentences=[], text="A <b> [1] and [2]."), uid="x")
    assert texts(out, "a", "cite-ref") == ["[1]", "[2]"]
    assert texts(out, "p", "answer-text") == ["A <b> [1] and [2]."]


def test_meta_shows_the_condensed_query_only_for_a_rewritten_follow_up():
    a = answer(query="When did Daniel Zhang step down?")
    assert "searched for" in render.answer_html(a, question="When did he step down?")
    assert "searched for" not in render.answer_html(a, question="When did Daniel Zhang step down?")
    assert "extractive · 1.5 s" in render.answer_html(a)


def test_meta_shows_how_a_misspelt_question_was_read():
    assert "read as" not in render.answer_html(answer())
    out = render.answer_html(answer(query="Who bought Widgt?", read_as="Who bought Widget?"))
    assert texts(out, "div", "meta") == ["extractive · 1.5 s · read as “Who bought Widget?”"]


def test_streaming_and_error_messages_escape_their_text():
    assert texts(render.streaming_html("a <b> [1"), "p", "answer-text") == ["a <b> [1▍"]
    err = render.error_html("cannot reach http://x/v1 <refused>")
    assert 'class="rag-answer rag-error"' in err
    assert texts(err, "p", "error-text") == ["cannot reach http://x/v1 <refused>"]


def test_answer_messages_are_gradio_messages():
    user, bot = render.answer_messages("Who <bought>?", answer(), uid="t1")
    assert user == {"role": "user", "content": "Who &lt;bought&gt;?"}
    assert bot["role"] == "assistant" and "cite-t1-1" in bot["content"]


# --- side panels ------------------------------------------------------------------------------


def test_sources_panel_lists_every_chunk_with_its_scores():
    out = render.sources_html(answer())
    assert out.count("<tr") == 1 + 2
    assert out.count('<tr class="cited">') == 1 and out.count('<tr class="uncited">') == 1
    assert "0.0328" in out and "0.710" in out and "5.50" in out
    assert "<td>–</td>" in out  # the second chunk was found by BM25 only
    assert "other.txt" in out and "/docs/other.txt" in out  # name shown, path as tooltip
    assert "for “Who bought Widget?”" in out


def test_sources_panel_before_any_question():
    assert "appear here" in render.sources_html(None)


def test_status_line():
    st = {"documents": 1, "chunks": 40, "embedder": "minilm:x", "store": "/s <1>"}
    out = render.status_html(st, "/s <1>")
    assert "<b>1</b> document<" in out and "<b>40</b> chunks" in out
    assert "minilm:x" in out and "/s &lt;1&gt;" in out
    assert "No index yet" in render.status_html(None, "/nowhere")


def test_upload_report_lists_each_file_and_its_error():
    out = render.upload_html(
        [
            render.FileResult("a.txt", "added", "3 chunks embedded"),
            render.FileResult("b<.pdf", "error", "not a PDF"),
        ],
        "done: 1 indexed, 1 failed",
    )
    assert texts(out, "li", "added") == ["a.txt added 3 chunks embedded"]
    assert texts(out, "li", "error") == ["b<.pdf error not a PDF"]
    assert "done: 1 indexed, 1 failed" in out
    assert "Drop files" in render.upload_html([])


def test_the_direct_answer_comes_first_then_the_evidence():
    out = render.answer_html(answer(answer="30% <of> Widget"))
    assert out.index("direct-answer") < out.index("answer-text")
    assert "Answer:</span> 30% &lt;of&gt; Widget" in out
    assert "direct-answer" not in render.answer_html(answer())
