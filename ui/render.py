"""Pure functions: an `Answer` (and index reports) -> Gradio chat messages and HTML.

Nothing here touches the store, a model or Gradio, so all of it is unit tested with plain data.

The chat renders each message with a sanitiser that keeps tags, `class` and `id` but strips
`data-*` attributes and scripts, so citation numbers travel in class names (`cite-n-3`), and the
page-level script in `ui.style` opens `details.citation.cite-n-3` when `a.cite-ref.cite-n-3` is
clicked. Every message is one line of HTML without literal newlines: the chat's markdown parser
ends an HTML block at a blank line, so document newlines are written as `&#10;` and kept visible
with `white-space: pre-wrap`. The highlighted `<mark>` therefore holds exactly `citation.text`.
"""

from __future__ import annotations

import base64
import html
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from index.text import MARKER_RE, marker_numbers
from rag.answer import Answer, Citation, SentenceCheck, Source
from ui.page_image import PageImage

PageFigure = PageImage | str | None  # beside a PDF passage: its page, why not, or nothing

PASSAGE_RADIUS = 360  # characters of context shown on each side of a cited span


def esc(text: str) -> str:
    """HTML-escape text so that the browser's text content equals `text` exactly."""
    return (
        html.escape(text, quote=True)
        .replace("\r", "&#13;")
        .replace("\n", "&#10;")
        .replace("\t", "&#9;")
    )


def file_label(source: str, page: int | None = None) -> str:
    """`report.pdf · p. 3`: the file name is what users recognise, the folder is in the title."""
    name = os.path.basename(source) or source
    return f"{name} · p. {page}" if page is not None else name


# --- passages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Passage:
    """The text shown around a citation, split so the middle part is exactly the cited span."""

    before: str
    span: str
    after: str
    clipped_before: bool = False
    clipped_after: bool = False


def passage_window(
    text: str, start: int, end: int, radius: int = PASSAGE_RADIUS, offset: int = 0
) -> Passage:
    """Cut `text` (which begins at document offset `offset`) around the span [start, end).

    The context is trimmed to `radius` characters each side, at a word boundary when there is
    one, so a long chunk does not bury the cited sentence.
    """
    a, b = start - offset, end - offset
    if not (0 <= a <= b <= len(text)):
        raise ValueError(f"span {start}:{end} lies outside the passage at {offset}")
    lo, hi = max(0, a - radius), min(len(text), b + radius)
    if lo > 0:
        space = text.find(" ", lo, a)
        lo = space + 1 if space != -1 else lo
    if hi < len(text):
        space = text.rfind(" ", b, hi)
        hi = space if space != -1 else hi
    return Passage(text[lo:a], text[a:b], text[b:hi], lo > 0, hi < len(text))


def passage_for(
    c: Citation, sources: Iterable[Source], doc_text: Callable[[str], str | None] | None = None
) -> Passage:
    """The retrieved chunk around citation `c`; else the document text; else the span alone."""
    for s in sources:
        if s.chunk_id == c.chunk_id and s.start <= c.start and c.end <= s.end:
            return passage_window(s.text, c.start, c.end, offset=s.start)
    text = doc_text(c.source) if doc_text else None
    if text is not None and text[c.start : c.end] == c.text:
        return passage_window(text, c.start, c.end)
    return Passage("", c.text, "")


# --- one answer -------------------------------------------------------------------------------


def marker_html(n: int, uid: str = "") -> str:
    # The href is a fallback for a browser without the page script: Chromium opens a
    # <details> element that a fragment link points at.
    return f'<a class="cite-ref cite-n-{n}" href="#cite-{uid}-{n}">[{n}]</a>'


def _markers(numbers: Iterable[int], uid: str) -> str:
    return "".join(marker_html(n, uid) for n in numbers)


def _sentence_html(s: SentenceCheck, uid: str) -> str:
    body = esc(s.text)
    if s.citations:
        body += " " + _markers(s.citations, uid)
    if s.status == "flagged":
        why = "no retrieved passage supports this sentence"
        if s.missing:
            why += "; missing: " + ", ".join(s.missing)
        return (
            f'<span class="sent flagged" title="{esc(why)}">{body} '
            '<span class="badge unverified">unverified</span></span>'
        )
    if s.status == "reattached":
        title = "the verifier moved this citation to the passage that supports the sentence"
        return f'<span class="sent reattached" title="{title}">{body}</span>'
    return f'<span class="sent {esc(s.status)}">{body}</span>'


def _text_with_markers(text: str, uid: str) -> str:
    """Fallback when an answer carries no sentence checks: link the [n] markers in its text."""
    parts, last = [], 0
    for m in MARKER_RE.finditer(text):
        parts.append(esc(text[last : m.start()]))
        parts.append(
            (" " if m.group()[:1].isspace() else "") + _markers(marker_numbers(m.group()), uid)
        )
        last = m.end()
    parts.append(esc(text[last:]))
    return "".join(parts)


def body_html(answer: Answer, uid: str = "") -> str:
    """The answer sentences with clickable markers; unsupported ones visibly marked."""
    kept = [s for s in answer.sentences if s.status != "dropped"]
    if not kept:
        return _text_with_markers(answer.text, uid)
    return " ".join(_sentence_html(s, uid) for s in kept)


_MATCH_NOTES = {
    "exact": "the cited words are highlighted",
    "close": "the cited words are highlighted (the page's text differs slightly)",
    "partial": "the part of the passage on this page is highlighted (it runs onto another)",
    "none": "the cited words were not found in this page's text layer",
    "no text": "this page has no text layer, so the cited words cannot be placed on it",
}


def page_figure_html(c: Citation, figure: PageFigure) -> str:
    """The cited page as an image beside the passage, or why it is missing; "" for no PDF.

    The alt text lists the highlight boxes (x0,y0,x1,y1 in the image's pixels): it survives
    the chat's sanitiser, which drops data-* attributes, and says where to look.
    """
    if isinstance(figure, str):
        return f'<div class="page-note">page image unavailable: {esc(figure)}</div>'
    if figure is None:
        return ""
    src = f"data:{figure.mime};base64," + base64.b64encode(figure.data).decode("ascii")
    boxes = "; ".join(f"{b.x0:.0f},{b.y0:.0f},{b.x1:.0f},{b.y1:.0f}" for b in figure.boxes)
    where = f"highlighted at {boxes} (pixels of the {figure.width}×{figure.height} image)"
    alt = f"Page {figure.page} of {file_label(c.source)}, {where if boxes else 'no highlight'}"
    return (
        f'<figure class="page-view match-{esc(figure.match.replace(" ", "-"))}">'
        f'<img class="page-img" src="{src}" width="{figure.width}" height="{figure.height}" '
        f'alt="{esc(alt)}" title="click to enlarge"><figcaption>p. {figure.page}: '
        f"{esc(_MATCH_NOTES.get(figure.match, figure.match))}</figcaption></figure>"
    )


def citation_html(c: Citation, passage: Passage, uid: str = "", figure: PageFigure = None) -> str:
    """A collapsible citation: title, file (and page), the passage with the span marked and,
    for a PDF, the page image with the span highlighted beside it."""
    before = ("…" if passage.clipped_before else "") + esc(passage.before)
    after = esc(passage.after) + ("…" if passage.clipped_after else "")
    mark = f'<mark class="cite-hl cite-n-{c.n}">{esc(passage.span)}</mark>'
    text = f'<div class="passage">{before}{mark}{after}</div>'
    page = page_figure_html(c, figure)
    # The index knows the page a chunk starts on; the figure, the page the cited words are on.
    number = figure.page if isinstance(figure, PageImage) else c.page
    return (
        f'<details class="citation cite-n-{c.n}" id="cite-{uid}-{c.n}">'
        f'<summary><span class="cite-num">[{c.n}]</span> '
        f'<span class="cite-title">{esc(c.title or file_label(c.source))}</span> '
        f'<span class="cite-file" title="{esc(c.source)}">{esc(file_label(c.source, number))}'
        f"</span> "
        f'<span class="cite-score">similarity {c.score:.2f}</span></summary>'
        + (f'<div class="cite-body">{text}{page}</div>' if page else text)
        + f'<div class="cite-offsets">characters {c.start}–{c.end} of the cleaned text</div>'
        "</details>"
    )


def _dropped_html(dropped: list[SentenceCheck]) -> str:
    if not dropped:
        return ""
    items = "".join(
        f'<li class="sent dropped">{esc(s.text)}'
        + (
            f' <span class="missing">missing: {esc(", ".join(s.missing))}</span>'
            if s.missing
            else ""
        )
        + "</li>"
        for s in dropped
    )
    return (
        f'<details class="dropped-list"><summary>Removed by verification ({len(dropped)}): '
        f"no passage supports {'it' if len(dropped) == 1 else 'them'}</summary><ul>{items}</ul>"
        "</details>"
    )


def _meta_html(answer: Answer, question: str | None) -> str:
    bits = []
    if answer.backend:
        bits.append(esc(answer.backend))
    if (total := answer.timings.get("total_ms")) is not None:
        bits.append(f"{total / 1000:.1f} s")
    if question is not None and answer.query and answer.query.strip() != question.strip():
        # A follow-up was rewritten with the conversation's context: show what was searched.
        bits.append(f"searched for “{esc(answer.query)}”")
    if answer.read_as:  # a misspelt word read as the documents spell it (rag/spelling.py)
        bits.append(f"read as “{esc(answer.read_as)}”")
    return f'<div class="meta">{" · ".join(bits)}</div>' if bits else ""


def answer_html(
    answer: Answer,
    uid: str = "",
    question: str | None = None,
    doc_text: Callable[[str], str | None] | None = None,
    page_figure: Callable[[Citation], PageFigure] | None = None,
) -> str:
    """The whole assistant message for `answer`, as one line of HTML.

    `uid` keeps element ids unique when several answers are on the page; `question` lets the
    footer show the condensed query when it differs; `doc_text(source)` is a fallback for a
    citation whose chunk is not among `answer.sources`; `page_figure(citation)` gives a PDF
    citation's page image (ui.page_image.citation_figure).
    """
    dropped = [s for s in answer.sentences if s.status == "dropped"]
    if answer.abstained:
        words = "".join(f'<span class="chip">{esc(w)}</span>' for w in answer.uncovered)
        return (
            '<div class="rag-answer abstained">'
            '<div class="abstain-head">No answer in the documents</div>'
            f'<p class="abstain-text">{esc(answer.text)}</p>'
            + (f'<div class="uncovered">Not covered: {words}</div>' if words else "")
            + _dropped_html(dropped)
            + _meta_html(answer, question)
            + "</div>"
        )
    cites = "".join(
        citation_html(
            c,
            passage_for(c, answer.sources, doc_text),
            uid,
            page_figure(c) if page_figure else None,
        )
        for c in answer.citations
    )
    # The direct answer first, then the evidence sentences with their citations.
    direct = (
        f'<p class="direct-answer"><span class="label">Answer:</span> {esc(answer.answer)}</p>'
        if answer.answer
        else ""
    )
    return (
        '<div class="rag-answer answered">'
        + direct
        + f'<p class="answer-text">{body_html(answer, uid)}</p>'
        + (f'<div class="citations">{cites}</div>' if cites else "")
        + _dropped_html(dropped)
        + _meta_html(answer, question)
        + "</div>"
    )


def streaming_html(text: str) -> str:
    """The assistant message while tokens arrive: raw text, not yet verified."""
    return (
        f'<div class="rag-answer streaming"><p class="answer-text">{esc(text)}'
        '<span class="cursor">▍</span></p>'
        '<div class="meta">checking citations…</div></div>'
    )


def error_html(message: str) -> str:
    return (
        '<div class="rag-answer rag-error"><div class="error-head">Could not answer</div>'
        f'<p class="error-text">{esc(message)}</p></div>'
    )


def user_message(question: str) -> dict:
    return {"role": "user", "content": esc(question)}


def assistant_message(content_html: str) -> dict:
    return {"role": "assistant", "content": content_html}


def answer_messages(question: str, answer: Answer, uid: str = "") -> list[dict]:
    """One chat turn as Gradio messages: the question and the rendered, verified answer."""
    return [user_message(question), assistant_message(answer_html(answer, uid, question))]


# --- side panels ------------------------------------------------------------------------------


def _num(x: float | None, digits: int = 3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def sources_html(answer: Answer | None) -> str:
    """The retrieved chunks, best first, with their fused, dense and lexical scores."""
    if answer is None or not answer.sources:
        return '<div class="sources empty">Retrieved passages appear here after a question.</div>'
    cited: dict[str, list[int]] = {}
    for c in answer.citations:
        cited.setdefault(c.chunk_id, []).append(c.n)
    rows = []
    for rank, s in enumerate(answer.sources, 1):
        ns = cited.get(s.chunk_id, [])
        nums = "".join(f'<span class="cite-num">[{n}]</span>' for n in ns)
        snippet = s.text if len(s.text) <= 240 else s.text[:240].rsplit(" ", 1)[0] + "…"
        rows.append(
            f'<tr class="{"cited" if ns else "uncited"}">'
            f"<td>{rank}</td>"
            f'<td><details class="source-chunk"><summary>'
            f'<span class="src-title">{esc(s.title or file_label(s.source))}</span> '
            f'<span class="src-file" title="{esc(s.source)}">{esc(file_label(s.source, s.page))}'
            f"</span></summary>"
            f'<div class="passage">{esc(snippet)}</div></details></td>'
            f"<td>{_num(s.score, 4)}</td><td>{_num(s.dense)}</td><td>{_num(s.lexical, 2)}</td>"
            f"<td>{nums}</td></tr>"
        )
    head = (
        "<tr><th>#</th><th>passage</th><th title='reciprocal rank fusion'>fused</th>"
        "<th title='cosine similarity'>dense</th><th title='BM25'>lexical</th><th>cited</th></tr>"
    )
    query = f'<div class="sources-query">for “{esc(answer.query)}”</div>' if answer.query else ""
    return (
        f'<div class="sources">{query}<table class="sources-table">{head}{"".join(rows)}'
        "</table></div>"
    )


def status_html(status: Mapping | None, store: str) -> str:
    """The index status line; `status` is `store_status(...)`, or None when there is no index."""
    if status is None:
        return (
            f'<div class="index-status empty">No index yet in <code>{esc(store)}</code>: '
            "add documents below to build one.</div>"
        )
    docs, chunks = status.get("documents", 0), status.get("chunks", 0)
    return (
        '<div class="index-status">'
        f'<span class="stat docs"><b>{docs}</b> document{"" if docs == 1 else "s"}</span> · '
        f'<span class="stat chunks"><b>{chunks}</b> chunk{"" if chunks == 1 else "s"}</span> · '
        f'<span class="stat embedder">embedder <b>{esc(status.get("embedder") or "none")}</b>'
        "</span> · "
        f'<span class="stat store" title="{esc(str(status.get("store", store)))}">store '
        f"<code>{esc(str(status.get('store', store)))}</code></span></div>"
    )


@dataclass(frozen=True)
class FileResult:
    """What happened to one uploaded file."""

    name: str
    status: str  # "waiting" | "indexing" | "added" | "updated" | "unchanged" | "error"
    detail: str = ""


def upload_html(results: list[FileResult], summary: str = "") -> str:
    """Per-file progress and errors of an upload."""
    if not results:
        return '<div class="upload-report empty">Drop files above to add them to the index.</div>'
    rows = "".join(
        f'<li class="file {esc(r.status)}"><span class="file-name">{esc(r.name)}</span> '
        f'<span class="file-status">{esc(r.status)}</span>'
        + (f' <span class="file-detail">{esc(r.detail)}</span>' if r.detail else "")
        + "</li>"
        for r in results
    )
    tail = f'<div class="upload-summary">{esc(summary)}</div>' if summary else ""
    return f'<div class="upload-report"><ul>{rows}</ul>{tail}</div>'


def notice_html(message: str, kind: str = "info") -> str:
    """A one-line notice, e.g. the result of applying settings; kind is "info" or "error"."""
    return f'<div class="notice {esc(kind)}">{esc(message)}</div>'
