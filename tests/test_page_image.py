"""Citations on the PDF page (ui/page_image.py), without a browser: a PDF built here with
reportlab, read by the real loader, its cited span found on the rendered page.

Every expected position comes from the drawing commands or from pypdfium2's own character boxes,
never from the code under test.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import astuple, dataclass, replace
from pathlib import Path

import pytest
from PIL import Image

from index import ocr
from index.loaders import load_document
from rag.answer import Citation
from ui import page_image as pi
from ui import page_match as pm
from ui import render
from ui.page_image import Box, PageImageError

FONT, SIZE = "Helvetica", 12
KEEPER = (
    "The Quillmere lighthouse keeper is Orla Venn, who",
    "has tended the lamp since 1987. The lamp burns paraffin oil.",
)
KEEPER_SENTENCE = (
    "The Quillmere lighthouse keeper is Orla Venn, who has tended the lamp since 1987."
)
KEEPER_Y = (700, 684)  # baselines on page 2, in points from the bottom
STORM = ("A storm in the winter of 2003 damaged the", "lantern room, which was rebuilt in spring.")
LENS = ("The observatory's great refrac-", "tor was ground in Jena in 1911 by hand.")


def build_pdf(path: Path) -> Path:
    """Four pages: filler; the keeper sentence over two lines (and a sentence running onto
    page 3); a hyphenated word at a line end; a page with no text layer (a drawing only)."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=letter)
    c.setTitle("Survey of Coastal Lights")
    c.setFont(FONT, 16)
    c.drawString(72, 720, "Survey of Coastal Lights")
    c.setFont(FONT, SIZE)
    for i, y in enumerate(range(690, 560, -16)):
        c.drawString(72, y, f"Section {i + 1} lists harbour beacons, buoys and their colours.")
    c.showPage()
    c.setFont(FONT, SIZE)
    for line, y in zip(KEEPER, KEEPER_Y, strict=True):
        c.drawString(72, y, line)
    c.drawString(72, 100, STORM[0])
    c.showPage()
    c.setFont(FONT, SIZE)
    c.drawString(72, 720, STORM[1])
    c.drawString(72, 704, "It now shows a white flash every ten seconds.")
    c.drawString(72, 688, LENS[0])
    c.drawString(72, 672, LENS[1])
    c.showPage()
    c.rect(72, 500, 300, 100, fill=1)  # a "scan": no text layer
    c.showPage()
    c.save()
    return path


def word_box_px(path: Path, page: int, word: str, width_px: int) -> Box:
    """The pixel box of `word` on the page at `width_px`, from pypdfium2's character boxes."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        pg = pdf[page - 1]
        text = pg.get_textpage()
        found = text.search(word, match_case=True, match_whole_word=True).get_next()
        assert found, f"{word!r} is not on page {page}"
        at, n = found
        boxes = [text.get_charbox(i) for i in range(at, at + n)]
        scale, height = width_px / pg.get_width(), pg.get_height()
    finally:
        pdf.close()
    left, right = min(b[0] for b in boxes), max(b[2] for b in boxes)
    bottom, top = min(b[1] for b in boxes), max(b[3] for b in boxes)
    return Box(left * scale, (height - top) * scale, right * scale, (height - bottom) * scale)


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    return build_pdf(tmp_path_factory.mktemp("pdf") / "coastal lights.pdf")


@pytest.fixture(scope="module")
def doc(pdf: Path):
    return load_document(pdf)


def cited(doc, sentence: str) -> tuple[str, int]:
    """The citation's text and page, from offsets into the cleaned text (as the pipeline has)."""
    start = doc.text.index(sentence)
    end = start + len(sentence)
    return doc.text[start:end], doc.page_at(start)


def test_the_cited_sentence_is_highlighted_line_by_line_where_it_is_drawn(pdf: Path, doc):
    text, page = cited(doc, KEEPER_SENTENCE)
    assert page == 2
    im = pi.page_image(str(pdf), page, text)
    assert im.match == "exact" and im.mime == "image/webp" and im.width == pi.PAGE_WIDTH_PX
    assert len(im.boxes) == 2, im.boxes  # one box per line, the sentence spans two
    first, second = im.boxes
    assert first.y1 <= second.y0 + 2  # reading order, top line first
    for word in ("Quillmere", "Venn"):
        assert first.overlaps(word_box_px(pdf, 2, word, im.width)), word
    assert second.overlaps(word_box_px(pdf, 2, "1987", im.width))
    # The sentence ends at "1987."; the next sentence on the same line is not highlighted.
    assert not any(b.overlaps(word_box_px(pdf, 2, "paraffin", im.width)) for b in im.boxes)
    # Where reportlab drew it: x = 72 pt, baseline 700 pt from the bottom of a 792 pt page.
    scale = im.width / 612
    assert abs(first.x0 - 72 * scale) < 6
    assert first.y0 < (792 - KEEPER_Y[0]) * scale < first.y1

    # The image is the page with the highlight painted on it: the paper between two cited
    # words is tinted yellow, the paper above the line stays white.
    img = Image.open(io.BytesIO(im.data)).convert("RGB")
    assert img.size == (im.width, im.height)
    the, quill = word_box_px(pdf, 2, "The", im.width), word_box_px(pdf, 2, "Quillmere", im.width)
    gap = (int((the.x1 + quill.x0) / 2), int((quill.y0 + quill.y1) / 2))
    r, g, b = img.getpixel(gap)
    assert r > 230 and g > 200 and b < 200, (r, g, b)
    assert min(img.getpixel((gap[0], int(first.y0) - 12))) > 240


def test_hyphenated_line_end_and_case_and_spacing_still_match(pdf: Path, doc):
    # The cleaned text keeps "refrac-" and "tor" apart (or joins them): both match the page.
    start = doc.text.index("The observatory's great refrac")
    end = doc.text.index("by hand.", start) + len("by hand.")
    text, page = doc.text[start:end], doc.page_at(start)
    assert page == 3
    im = pi.page_image(str(pdf), page, text)
    assert im.match == "exact" and len(im.boxes) == 2
    assert im.boxes[0].overlaps(word_box_px(pdf, 3, "observatory's", im.width))
    assert im.boxes[1].overlaps(word_box_px(pdf, 3, "Jena", im.width))
    assert pm.find_words(["GREAT", "refrac", "tor", "was"], "great   refractor")[1] == "exact"


def test_a_passage_running_onto_the_next_page_highlights_the_part_on_this_page(pdf: Path, doc):
    sentence = (
        "A storm in the winter of 2003 damaged the lantern room, which was rebuilt in spring."
    )
    text, page = cited(doc, sentence)
    assert page == 2
    im = pi.page_image(str(pdf), page, text)
    assert im.match == "partial" and len(im.boxes) == 1
    assert im.boxes[0].overlaps(word_box_px(pdf, 2, "storm", im.width))
    assert not im.boxes[0].overlaps(word_box_px(pdf, 2, "Quillmere", im.width))


def test_the_page_is_found_from_the_chunk_s_first_page(pdf: Path):
    storm = " ".join(STORM)  # 9 words at the foot of page 2, 7 at the top of page 3
    assert pi.locate(str(pdf), 1, KEEPER_SENTENCE) == 2
    assert pi.locate(str(pdf), 2, storm) == 2  # most of it is there
    assert pi.locate(str(pdf), 1, storm + " It now shows a white flash every ten seconds.") == 3
    assert pi.locate(str(pdf), 3, "Completely unrelated words") == 3  # nowhere: its own page
    assert pi.locate(str(pdf), 4, "anything") == 4  # the last page: no page after it


def test_text_not_on_the_page_gives_the_page_without_a_highlight(pdf: Path):
    im = pi.page_image(str(pdf), 1, "Completely unrelated words about volcanoes.")
    assert im.match == "none" and im.boxes == () and im.data


def test_matching_picks_the_longest_run_and_refuses_stray_words():
    page = "a b the lamp burns oil c the lamp d".split()
    found, how = pm.find_words(page, "Yesterday the lamp burns oil brightly")
    assert how == "partial" and list(found) == [2, 3, 4, 5]
    assert pm.find_words(page, "the sea")[1] == "none"  # one common word is not a match
    # A footnote marker on the page that the cleaned text dropped, a word split differently:
    # the runs around them join, and the whole passage is highlighted.
    page = "x y Eddie Wu 3 became chief executive of the group in 2023 z".split()
    found, how = pm.find_words(page, "Eddie Wu became chief executive of the group in 2023.")
    assert how == "close" and list(found) == list(range(2, 13))
    found, how = pm.find_words(page, "Wu became chief exec utive of the group in 2023")
    assert how == "close" and (found.start, found.stop) == (3, 13)
    # Runs far apart do not join: the longest one stands alone.
    page = "chief executive of the group a b c d e f g became in 2023".split()
    found, how = pm.find_words(page, "chief executive of the group became in 2023")
    assert how == "partial" and list(found) == [0, 1, 2, 3, 4]
    assert pm.find_words(page, "")[1] == "none"


@dataclass(frozen=True)
class Ocr:
    """Shaped like index.types.WordBox: fractions of the page, offsets in the cleaned text."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    start: int | None = None
    end: int | None = None


OCR_TEXT = "The lamp burns paraffin oil. Elsewhere"
OCR_WORDS = [  # "The lamp burns" on one line, "paraffin oil." on the next, then another word
    ("The", 0.1, 0.2, 0.15, 0.22),
    ("lamp", 0.16, 0.2, 0.22, 0.22),
    ("burns", 0.23, 0.2, 0.3, 0.22),
    ("paraffin", 0.1, 0.23, 0.2, 0.25),
    ("oil.", 0.21, 0.23, 0.25, 0.25),
    ("Elsewhere", 0.5, 0.5, 0.6, 0.52),
]


@pytest.mark.parametrize("with_offsets", [True, False])
def test_ocr_word_boxes_stand_in_for_a_missing_text_layer(pdf: Path, with_offsets: bool):
    assert pi.page_image(str(pdf), 4, "The lamp burns paraffin oil.").match == "no text"
    words, at = [], 0
    for text, *box in OCR_WORDS:
        at = OCR_TEXT.index(text, at)
        offsets = (at, at + len(text)) if with_offsets else (None, None)
        words.append(Ocr(text, *box, *offsets))
    span = (OCR_TEXT.index("lamp"), OCR_TEXT.index("oil") + 3)  # "lamp burns paraffin oil"
    im = pi.page_image(str(pdf), 4, OCR_TEXT[span[0] : span[1]], span, words)
    assert im.match == "exact" and len(im.boxes) == 2  # two lines
    w, h = im.width, im.height
    top, bottom = im.boxes
    assert abs(top.x0 - (0.16 * w - pi.PAD)) < 1 and abs(top.x1 - (0.3 * w + pi.PAD)) < 1
    assert abs(bottom.y1 - (0.25 * h + pi.PAD)) < 1
    assert not any(b.overlaps(Box(0.5 * w, 0.5 * h, 0.6 * w, 0.52 * h)) for b in im.boxes)


SCAN = ("The Zorbel bridge opened in 1937", "and carries the railway over", "the Vant river.")
SCAN_TOP, SCAN_WIDTH, LINE_PX, FIRST_PX = 740.0, 540.0, 60, 40  # points; pixels of the image


def build_scan(path: Path) -> Path:
    """One page that is only an image of three lines of text (no text layer)."""
    from PIL import ImageDraw, ImageFont
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("L", (2200, 2 * FIRST_PX + LINE_PX * len(SCAN)), 255)
    pen, font = ImageDraw.Draw(image), ImageFont.load_default(size=40)
    for k, line in enumerate(SCAN):
        pen.text((60, FIRST_PX + LINE_PX * k), line, fill=0, font=font)
    c = canvas.Canvas(str(path), pagesize=letter)
    height = SCAN_WIDTH * image.height / image.width
    c.drawImage(ImageReader(image), 36, SCAN_TOP - height, width=SCAN_WIDTH, height=height)
    c.save()
    return path


@pytest.mark.skipif(ocr.unavailable("eng") is not None, reason="Tesseract is not installed")
def test_a_scanned_page_is_read_by_tesseract_and_the_cited_lines_highlighted(tmp_path: Path):
    pdf = build_scan(tmp_path / "scan.pdf")
    im = pi.page_image(str(pdf), 1, "The Zorbel bridge opened in 1937 and carries the railway")
    assert im.match in ("exact", "close") and len(im.boxes) == 2, (im.match, im.boxes)
    scale = im.width / 612  # pixels per point
    for k, box in enumerate(im.boxes):  # where the drawing put each line's top
        top = (792 - SCAN_TOP + (FIRST_PX + LINE_PX * k) * SCAN_WIDTH / 2200) * scale
        assert box.y0 - 6 <= top <= box.y1, (k, top, box)
    third = (792 - SCAN_TOP + (FIRST_PX + LINE_PX * 2 + 20) * SCAN_WIDTH / 2200) * scale
    assert all(b.y1 < third for b in im.boxes), "the third line is not cited"
    left = (36 + 60 * SCAN_WIDTH / 2200) * scale  # the image's left edge + the text's indent
    assert abs(im.boxes[0].x0 - left) < 8, (im.boxes[0], left)


def test_the_citation_s_own_page_is_drawn_without_searching(pdf: Path, doc, monkeypatch):
    def no_search(*args):
        raise AssertionError("searched the pages although the citation names its page")

    monkeypatch.setattr(pi, "locate", no_search)
    figure = pi.citation_figure(keeper_citation(doc, str(pdf)))
    assert isinstance(figure, pi.PageImage) and figure.page == 2 and figure.match == "exact"
    # A passage running onto page 3 stays on page 2, where it starts (the part there is lit).
    storm = " ".join(STORM)
    start = doc.text.index(storm)
    c = Citation(1, str(pdf), "t", start, start + len(storm), storm, 0.7, doc.page_at(start))
    figure = pi.citation_figure(c)
    assert isinstance(figure, pi.PageImage) and (figure.page, figure.match) == (2, "partial")


def test_stored_ocr_word_boxes_are_used_without_tesseract(pdf: Path, monkeypatch):
    def no_tesseract(*args):
        raise AssertionError("Tesseract ran although the store has the word boxes")

    monkeypatch.setattr(pi, "_ocr_layer", no_tesseract)
    at, words = 0, []
    for text, *box in OCR_WORDS:
        at = OCR_TEXT.index(text, at)
        words.append(Ocr(text, *box, at, at + len(text)))
    asked = []

    def page_words(source: str, page: int):
        asked.append((source, page))
        return words if page == 4 else ()

    span = (OCR_TEXT.index("paraffin"), OCR_TEXT.index("oil") + 4)
    c = Citation(1, str(pdf), "t", *span, OCR_TEXT[span[0] : span[1]], 0.7, 4)
    figure = pi.citation_figure(c, page_words)
    assert isinstance(figure, pi.PageImage) and figure.match == "exact", figure
    assert asked == [(str(pdf), 4)] and len(figure.boxes) == 1
    w, h = figure.width, figure.height
    assert abs(figure.boxes[0].x0 - (0.1 * w - pi.PAD)) < 1
    assert abs(figure.boxes[0].y0 - (0.23 * h - pi.PAD)) < 1


def test_pdfium_calls_hold_the_index_s_lock(tmp_path: Path):
    """The page view and the indexer (`--watch`) share PDFium, which is not thread-safe."""
    import threading

    from index.pdf import PDFIUM_LOCK

    path = build_pdf(tmp_path / "locked.pdf")
    done = threading.Event()
    with PDFIUM_LOCK:
        worker = threading.Thread(
            target=lambda: (pi.page_image(str(path), 2, KEEPER_SENTENCE), done.set())
        )
        worker.start()
        assert not done.wait(0.5), "the page was drawn while the index held PDFium"
    assert done.wait(30)
    worker.join()


def test_renders_are_cached_per_file_version(tmp_path: Path):
    path = build_pdf(tmp_path / "c.pdf")
    pi._render.cache_clear()
    pi.page_image(str(path), 2, KEEPER_SENTENCE)
    pi.page_image(str(path), 2, "Orla Venn")
    assert pi._render.cache_info().hits == 1 and pi._render.cache_info().misses == 1
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # the file changed
    pi.page_image(str(path), 2, KEEPER_SENTENCE)
    assert pi._render.cache_info().misses == 2


def test_missing_file_bad_page_and_non_pdf_are_one_line_errors(pdf: Path, tmp_path: Path):
    with pytest.raises(PageImageError, match="moved or deleted since indexing"):
        pi.page_image(str(tmp_path / "gone.pdf"), 1, "x")
    with pytest.raises(PageImageError, match="has 4 pages, not a page 9; re-index"):
        pi.page_image(str(pdf), 9, "x")
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(PageImageError, match="cannot open .*bad.pdf as a PDF"):
        pi.page_image(str(bad), 1, "x")


def keeper_citation(doc, source: str) -> Citation:
    text, page = cited(doc, KEEPER_SENTENCE)
    start = doc.text.index(text)
    return Citation(
        1, source, "Survey of Coastal Lights", start, start + len(text), text, 0.7, page
    )


def test_the_citation_view_shows_the_page_beside_the_passage_for_pdfs_only(
    pdf: Path, doc, tmp_path: Path
):
    c = keeper_citation(doc, str(pdf))
    # A store indexed before page spans were kept names the page the chunk starts on: none of
    # the sentence is there, so the pages after it are searched.
    c = replace(c, page=1)
    figure = pi.citation_figure(c)
    assert isinstance(figure, pi.PageImage) and figure.page == 2 and figure.match == "exact"
    out = render.citation_html(c, render.Passage("", c.text, ""), "u", figure)
    assert "coastal lights.pdf · p. 2</span>" in out
    assert '<div class="cite-body"><div class="passage">' in out
    assert 'figure class="page-view match-exact"' in out and "data:image/webp;base64," in out
    alt = re.search(r'alt="([^"]*)"', out).group(1)
    boxes = [tuple(map(int, b.split(","))) for b in re.findall(r"\d+,\d+,\d+,\d+", alt)]
    assert boxes == [tuple(round(v) for v in astuple(b)) for b in figure.boxes]
    assert "Page 2 of coastal lights.pdf" in alt and "\n" not in out

    # Not a PDF: the view is exactly what it was; a PDF gone since indexing: one line why.
    txt = replace(c, source=str(tmp_path / "notes.txt"), page=None)
    assert pi.citation_figure(txt) is None
    plain = render.citation_html(txt, render.Passage("", c.text, ""), "u")
    assert render.citation_html(txt, render.Passage("", c.text, ""), "u", None) == plain
    assert "cite-body" not in plain and "page-view" not in plain
    gone = pi.citation_figure(replace(c, source=str(tmp_path / "moved.pdf")))
    assert isinstance(gone, str) and "moved or deleted since indexing" in gone
    out = render.citation_html(c, render.Passage("", c.text, ""), "u", gone)
    assert '<div class="page-note">page image unavailable: ' in out
