"""The chat UI in a real browser: Playwright drives Debian's headless Chromium against the app,
served by `ui.app.launch` on 127.0.0.1 from a store built here from the shared corpus.

Screenshots go outside the repository: $RAG_SCREENSHOTS, else /tmp/rag-ui-screens/.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from index.pipeline import IndexConfig, index_paths
from rag.pipeline import AskConfig, Pipeline
from tests.conftest import free_port
from tests.test_page_image import build_pdf, word_box_px
from ui.app import launch
from ui.page_image import Box

os.environ["HF_HUB_OFFLINE"] = "1"

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SCREENS = Path(os.environ.get("RAG_SCREENSHOTS") or "/tmp/rag-ui-screens")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
QUESTION = "Which computer vision company did Alibaba take stakes in?"  # dev-09: SenseTime
NEW_FILE = "zephyrine_observatory.txt"
NEW_TEXT = """The Zephyrine Observatory

The Zephyrine Observatory is a small mountain observatory that opened in 2019.
Talia Brandvold directs the Zephyrine Observatory; she has been its director since it opened.
Its main telescope has a mirror of 1.2 metres and is used to track near-Earth asteroids.
"""
ANSWER_TIMEOUT = 90_000  # ms: the first question also loads the embedder
# Gradio's queue calls pandas APIs that pandas 3 deprecates; not ours to fix.
pytestmark = [
    pytest.mark.filterwarnings("ignore:.*no_silent_downcasting"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]


@pytest.fixture(scope="module")
def cfg(tmp_path_factory) -> AskConfig:
    store = tmp_path_factory.mktemp("ui-store")
    report = index_paths([CORPUS], IndexConfig(store=store), progress=False)
    assert report.errors == [] and report.chunks > 0
    return AskConfig(index=IndexConfig(store=store))


@pytest.fixture(scope="module")
def url(cfg: AskConfig) -> Iterator[str]:
    port = free_port()
    # The settings test types base URLs and models in the page: the operator's opt-in.
    app = launch(cfg, host="127.0.0.1", port=port, block=False, allow_client_settings=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        app.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Browser, url: str) -> Iterator[Page]:
    pg = browser.new_page(viewport={"width": 1400, "height": 1000})
    pg.goto(url)
    expect(pg.locator("#index-status")).to_contain_text("documents", timeout=30_000)
    yield pg
    pg.close()


def ask(page: Page, question: str) -> None:
    """Type a question, send it, and wait until the streamed answer is replaced by the final one."""
    done = page.locator("#chat .rag-answer:not(.streaming)")
    before = done.count()
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()
    expect(done).to_have_count(before + 1, timeout=ANSWER_TIMEOUT)


def test_answer_cites_and_highlights_the_exact_span(page: Page, cfg: AskConfig):
    pipeline = Pipeline(cfg)
    try:
        expected = pipeline.ask(QUESTION)
    finally:
        pipeline.close()
    assert not expected.abstained and expected.citations
    first = expected.citations[0]
    expect(page.locator("#index-status")).to_contain_text("5 documents")

    # Record the partial texts the chat shows while tokens stream in.
    page.evaluate(
        """() => {
          window.streamed = [];
          new MutationObserver(() => {
            for (const el of document.querySelectorAll('#chat .rag-answer.streaming')) {
              const t = el.querySelector('.answer-text').textContent;
              if (t !== window.streamed[window.streamed.length - 1]) window.streamed.push(t);
            }
          }).observe(document.body, {subtree: true, childList: true, characterData: true});
        }"""
    )
    ask(page, QUESTION)
    answer = page.locator("#chat .rag-answer").last
    expect(answer).to_have_class("rag-answer answered")
    streamed = page.evaluate("window.streamed")
    assert any("SenseTime" in t for t in streamed), streamed  # partial text came before the end
    expect(answer.locator(".answer-text")).to_contain_text("SenseTime")
    marker = answer.locator("a.cite-ref.cite-n-1").first
    expect(marker).to_have_text("[1]")

    details = answer.locator("details.citation.cite-n-1")
    assert details.evaluate("d => d.open") is False
    marker.click()
    expect(details).to_have_attribute("open", "")
    summary = details.locator("summary")
    expect(summary).to_contain_text(first.title)
    expect(summary).to_contain_text(Path(first.source).name)
    mark = details.locator("mark.cite-hl")
    expect(mark).to_be_visible()
    assert mark.text_content() == first.text

    # The sources panel lists the retrieved chunks, the cited one marked.
    expect(page.locator("#sources tr.cited")).not_to_have_count(0)
    assert page.locator("#sources tr").count() == len(expected.sources) + 1  # + header

    SCREENS.mkdir(parents=True, exist_ok=True)
    details.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENS / "answer_citation.png"), full_page=True)


def test_upload_then_ask_what_only_that_file_says(page: Page, cfg: AskConfig, tmp_path: Path):
    new = tmp_path / NEW_FILE
    new.write_text(NEW_TEXT, encoding="utf-8")

    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really a PDF")

    page.locator("#upload input[type=file]").set_input_files([str(new), str(broken)])
    report = page.locator("#upload-report")
    expect(report).to_contain_text("done: 1 indexed, 1 failed", timeout=60_000)
    expect(report.locator("li.added")).to_contain_text(NEW_FILE)
    expect(report.locator("li.error")).to_contain_text("broken.pdf")
    expect(page.locator("#index-status")).to_contain_text("6 documents")
    assert (cfg.index.store / "uploads" / NEW_FILE).read_text(encoding="utf-8") == NEW_TEXT

    ask(page, "Who directs the Zephyrine Observatory?")
    answer = page.locator("#chat .rag-answer").last
    expect(answer).to_have_class("rag-answer answered")
    expect(answer.locator(".answer-text")).to_contain_text("Talia Brandvold")
    expect(answer.locator("details.citation .cite-file").first).to_have_text(NEW_FILE)
    answer.locator("a.cite-ref.cite-n-1").first.click()
    expect(answer.locator("details.citation.cite-n-1 mark.cite-hl")).to_contain_text(
        "Talia Brandvold"
    )

    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "upload_done.png"), full_page=True)


def test_follow_up_abstention_and_setting_errors(page: Page):
    # A follow-up is condensed with the conversation: the footer shows what was searched.
    ask(page, "Who is Eddie Wu?")
    ask(page, "What strategic focuses did he announce?")
    answer = page.locator("#chat .rag-answer").last
    expect(answer.locator(".answer-text")).to_contain_text("User First")
    expect(answer.locator(".meta")).to_contain_text(
        "searched for “What strategic focuses did Eddie Wu"
    )

    # An abstention looks different from an answer and names what is not covered.
    ask(page, "What is the capital of France?")
    answer = page.locator("#chat .rag-answer").last
    expect(answer).to_have_class("rag-answer abstained")
    expect(answer.locator(".uncovered")).to_contain_text("France")

    # An invalid setting and an unreachable server: one clear line in the page.
    page.get_by_text("Settings", exact=True).first.click()
    page.locator("#backend").get_by_text("openai", exact=True).click()
    page.locator("#base-url textarea, #base-url input").first.fill("ftp://example.org")
    page.locator("#apply").click()
    expect(page.locator("#settings-note .notice.error")).to_contain_text("not an http(s) URL")

    dead = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    page.locator("#base-url textarea, #base-url input").first.fill(dead)
    page.locator("#model textarea, #model input").first.fill("some-model")
    page.locator("#apply").click()
    expect(page.locator("#settings-note .notice.info")).to_contain_text("openai:some-model")
    ask(page, "Who is Eddie Wu?")
    answer = page.locator("#chat .rag-answer").last
    expect(answer).to_have_class("rag-answer rag-error")
    expect(answer).to_contain_text(f"cannot reach the LLM server at {dead}")
    assert "Traceback" not in page.content()

    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "abstain_and_error.png"), full_page=True)


# --- a PDF citation on its page (ui/page_image.py) --------------------------------------------


@pytest.fixture(scope="module")
def pdf_url(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """The app over a store holding one PDF built here (its own store: the corpus tests count
    documents)."""
    root = tmp_path_factory.mktemp("pdf-ui")
    (root / "docs").mkdir()
    pdf = build_pdf(root / "docs" / "coastal lights.pdf")
    index_cfg = IndexConfig(store=root / "store")
    report = index_paths([root / "docs"], index_cfg, progress=False)
    assert report.errors == [] and report.chunks > 0
    port = free_port()
    app = launch(AskConfig(index=index_cfg), host="127.0.0.1", port=port, block=False)
    try:
        yield f"http://127.0.0.1:{port}/", pdf
    finally:
        app.close()


# A word's box (natural pixels of the page image) -> where the browser shows it, once scrolled to
# the middle of whatever scrolls it: a transparent marker over the word is scrolled into view.
_SCROLL_TO_WORD = """(img, b) => {
  const fig = img.parentElement;
  fig.style.position = 'relative';
  const k = img.getBoundingClientRect().width / img.naturalWidth;
  const m = document.createElement('div');
  m.id = 'word-probe';
  m.style.cssText = `position:absolute;pointer-events:none;left:${img.offsetLeft + b[0] * k}px;` +
    `top:${img.offsetTop + b[1] * k}px;width:${(b[2] - b[0]) * k}px;height:${(b[3] - b[1]) * k}px`;
  fig.appendChild(m);
  m.scrollIntoView({block: 'center', inline: 'center'});
}"""


def _mean_rgb(image, box) -> tuple[float, float, float]:
    from PIL import ImageStat

    crop = image.crop(tuple(round(v) for v in (box.x0, box.y0, box.x1, box.y1)))
    return tuple(ImageStat.Stat(crop.convert("RGB")).mean)


@pytest.mark.slow
def test_a_pdf_citation_shows_its_page_with_the_cited_words_highlighted(
    browser: Browser, pdf_url: tuple[str, Path]
):
    from PIL import Image

    url, pdf = pdf_url
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(url)
        expect(page.locator("#index-status")).to_contain_text("1 document", timeout=30_000)
        ask(page, "Who is the lighthouse keeper at Quillmere?")
        answer = page.locator("#chat .rag-answer").last
        expect(answer).to_have_class("rag-answer answered")
        expect(answer.locator(".answer-text")).to_contain_text("Orla Venn")
        answer.locator("a.cite-ref.cite-n-1").first.click()
        details = answer.locator("details.citation.cite-n-1")
        expect(details).to_have_attribute("open", "")
        expect(details.locator(".cite-file")).to_have_text("coastal lights.pdf · p. 2")
        expect(details.locator("mark.cite-hl")).to_contain_text("Orla Venn")

        # The page image is shown beside the passage, loaded, with its highlight boxes.
        img = details.locator("figure.page-view img.page-img")
        expect(img).to_be_visible()
        expect(details.locator("figure.page-view figcaption")).to_contain_text("p. 2:")
        natural = img.evaluate("i => i.complete ? i.naturalWidth : 0")
        assert natural > 0
        alt = img.get_attribute("alt") or ""
        boxes = [Box(*map(float, b.split(","))) for b in re.findall(r"\d+,\d+,\d+,\d+", alt)]
        assert boxes, alt

        # The highlight covers the known word, located independently from PDFium's char boxes.
        quill = word_box_px(pdf, 2, "Quillmere", natural)
        assert any(b.overlaps(quill) for b in boxes), (boxes, quill)
        paraffin = word_box_px(pdf, 2, "paraffin", natural)  # same line, next sentence
        assert not any(b.overlaps(paraffin) for b in boxes), (boxes, paraffin)

        # And it is painted where the browser shows the word: click to enlarge, then the
        # displayed pixels over "Quillmere" are tinted yellow, those over "paraffin" are not.
        SCREENS.mkdir(parents=True, exist_ok=True)
        details.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENS / "pdf_citation_beside.png"))
        img.click()
        expect(details.locator("figure.page-view.zoomed")).to_have_count(1)
        # Read the pixels the browser shows over each word, the word scrolled to the middle of
        # whatever scrolls it first: the enlarged page is taller than the chat's visible area,
        # and a screenshot of the whole image read the word's region blank (all 255, not even
        # its ink) in three full-suite runs, never in isolation. A clip computed from the
        # viewport's coordinates read it blank once more (CI, 254/254): the window scrolls too,
        # so the clip is left to Playwright, as a screenshot of a transparent probe over the word.
        img.evaluate("i => i.decode()")

        def painted(word: Box) -> tuple[float, float, float]:
            img.evaluate(_SCROLL_TO_WORD, [word.x0, word.y0, word.x1, word.y1])
            probe = page.locator("#word-probe")
            shot = Image.open(io.BytesIO(probe.screenshot()))
            probe.evaluate("m => m.remove()")
            return _mean_rgb(shot, Box(0, 0, shot.width, shot.height))

        r, _, b = painted(quill)
        assert r - b > 40, (r, b)
        r, _, b = painted(paraffin)
        assert abs(r - b) < 15, (r, b)

        page.screenshot(path=str(SCREENS / "pdf_citation_zoomed.png"))
    finally:
        page.close()
