"""OCR of image-only PDF pages (index/ocr.py, index/pdf.py): real Tesseract, store, embedder."""

import textwrap
from pathlib import Path

import pytest

from index.errors import ConfigError
from index.loaders import load_document
from index.ocr import (
    OcrConfig,
    OcrWord,
    attach_words,
    is_garbage,
    text_quality,
    unavailable,
    words_in,
)
from index.pdf import PdfResult
from index.types import Document, Page

from .conftest import run_rag

# Both pages fit in one chunk (under the embedder's 256 word pieces), which starts on page 1:
# the citation still names page 2, the page that holds the cited words (the catalog's pages,
# index/catalog/manifest.py).
PAGE1 = (
    "The river towns keep their own records of ferries, markets and roads. The ferry to Oslin "
    "leaves every hour from the east pier, and the market opens on Saturdays in the old square."
)
PAGE2 = (
    "The Vant river is crossed by three bridges between Oslin and the sea. The lower crossing "
    "carries the railway and was rebuilt twice after the spring floods of the last century. "
    "The middle crossing is a narrow footbridge used by the market traders and their carts. "
    "Boats wait below it for the tide before they sail up to the mill pond and the locks. "
    "Fishermen mend their nets on the stone steps beside the old customs house every morning. "
    "The towpath runs along the western bank from the harbour wall to the brick kilns. "
    "Walkers cross back by the ferry when the path floods in the autumn storms. "
    "The Zorbel bridge opened in 1937."
)
IMAGE_TOP = 740.0  # points from the bottom of the letter page (792 pt tall) to the image's top
IMAGE_WIDTH = 540.0
LINE_PX, FIRST_LINE_PX = 60, 40


def build_scanned_pdf(path: Path) -> Path:
    """Page 1 has a text layer; page 2 is only an image of text (rendered with Pillow)."""
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=letter)
    text = c.beginText(72, 720)
    text.setFont("Helvetica", 11)
    for line in textwrap.wrap(PAGE1, 85):
        text.textLine(line)
    c.drawText(text)
    c.showPage()
    lines = textwrap.wrap(PAGE2, 60)
    image = Image.new("L", (2200, 2 * FIRST_LINE_PX + LINE_PX * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=40)
    for k, line in enumerate(lines):
        draw.text((60, FIRST_LINE_PX + LINE_PX * k), line, fill=0, font=font)
    height = IMAGE_WIDTH * image.height / image.width
    c.drawImage(ImageReader(image), 36, IMAGE_TOP - height, width=IMAGE_WIDTH, height=height)
    c.showPage()
    c.save()
    return path


def expected_top(line: int, pdf: Path) -> float:
    """Where the top of image line `line` lies on page 2, as a fraction of the page height."""
    lines = textwrap.wrap(PAGE2, 60)
    image_px = 2 * FIRST_LINE_PX + LINE_PX * len(lines)
    image_pt = IMAGE_WIDTH * image_px / 2200
    return (792 - IMAGE_TOP + (FIRST_LINE_PX + LINE_PX * line) / image_px * image_pt) / 792


# ---------------------------------------------------------------- the garbage rule


def test_text_quality_and_the_garbage_rule():
    good = "The Zorbel bridge opened in 1937. " * 3
    n, bad, words = text_quality(good)
    assert n == len(good.replace(" ", "")) and bad == 0 and words > 0.9
    assert not is_garbage(good)
    # Dot leaders of a contents page are layout, not garbage.
    assert not is_garbage("Introduction ........................ 1\nSyntax ................ 7")
    assert is_garbage("")
    assert is_garbage("  7  ")  # a scanner's page number is not a text layer
    assert is_garbage('!"#$%&\'()*+,-./ !"#$ %&\'()*+ !"#$%')  # glyph ids shown as ASCII
    assert is_garbage("\ufffd" * 30 + " bridge")  # replacement characters
    assert is_garbage("\ue001\ue002\ue003\ue004 " * 5 + "the bridge opened")  # private use
    assert not is_garbage("A few odd symbols \ue001 in a long line of otherwise plain text.")


def test_config_errors_name_the_value():
    with pytest.raises(ConfigError, match="'sometimes'.*auto, always, never"):
        OcrConfig(mode="sometimes")
    with pytest.raises(ConfigError, match="--ocr-lang 'eng; rm'"):
        OcrConfig(lang="eng; rm")
    assert OcrConfig(lang="eng+deu").lang == "eng+deu"


def test_missing_language_data_names_the_package():
    assert unavailable("eng") is None
    why = unavailable("zzz")
    assert "tesseract-ocr-zzz" in why


def test_word_boxes_map_to_cleaned_text_offsets():
    text = "Cover page.\n\nThe Zorbel bridge opened in 1937 after manipulation."
    doc = Document("x.pdf", text, "x", pages=[Page(1, 0, 13), Page(2, 13, len(text))])
    words = ["The", "Zorbel", "bridge", "HEADER", "opened", "in", "1937", "after", "manip-"]
    boxes = [OcrWord(w, 0.1 * i, 0.2, 0.1 * i + 0.05, 0.25) for i, w in enumerate(words)]
    boxes.append(OcrWord("ulation.", 0.9, 0.3, 0.95, 0.35))
    attach_words(doc, {2: boxes})
    assert doc.pages[0].words == ()
    found = doc.pages[1].words
    # A word cleaning dropped (a running header) is left out, not matched elsewhere.
    assert [w.text for w in found] == [w for w in words if w != "HEADER"] + ["ulation."]
    for w in found:
        assert text[w.start : w.end] == w.text.rstrip("-")
    i = text.index("1937")
    assert [(w.text, w.x0) for w in words_in(doc, i, i + 4)] == [("1937", 0.6000000000000001)]


def test_without_tesseract_the_file_is_indexed_and_the_pages_named(tmp_path, monkeypatch):
    monkeypatch.setattr("index.ocr.shutil.which", lambda name: None)
    result = PdfResult()
    doc = load_document(build_scanned_pdf(tmp_path / "scan.pdf"), pdf=result)
    assert "ferry to Oslin" in doc.text and "Zorbel" not in doc.text
    assert result.ocr_skipped == [2]
    assert "apt-get install tesseract-ocr tesseract-ocr-eng" in result.ocr_why
    assert "pip install pytesseract" in result.ocr_why


# ---------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    docs = tmp_path_factory.mktemp("docs")
    return build_scanned_pdf(docs / "river towns.pdf")


@pytest.mark.slow
def test_image_page_is_read_and_cited_as_page_2(scanned, tmp_path, monkeypatch):
    from index.pipeline import IndexConfig, index_paths
    from rag.pipeline import AskConfig, Pipeline

    cfg = IndexConfig(store=tmp_path / "store")
    report = index_paths([scanned.parent], cfg, progress=False)
    assert report.added == 1 and not report.errors and report.ocr_skipped == []
    p = Pipeline(AskConfig(index=cfg))
    try:
        a = p.ask("When did the Zorbel bridge open?")
    finally:
        p.close()
    assert not a.abstained, a.text
    assert "1937" in f"{a.answer} {a.text}"
    cited = [c for c in a.citations if "Zorbel" in c.text]
    assert cited and all(c.page == 2 for c in cited), a.to_dict()
    chunk = next(s for s in a.sources if s.chunk_id == cited[0].chunk_id)
    assert chunk.page == 1 and "Oslin" in chunk.text  # one chunk over both pages

    # The word boxes put the cited words where the image drew them on page 2.
    doc = load_document(scanned)
    boxes = words_in(doc, cited[0].start, cited[0].end)
    zorbel = next(w for w in boxes if w.text == "Zorbel")
    line = next(k for k, t in enumerate(textwrap.wrap(PAGE2, 60)) if "Zorbel" in t)
    assert abs(zorbel.y0 - expected_top(line, scanned)) < 0.01, (zorbel, line)
    assert 36 / 612 < zorbel.x0 < zorbel.x1 < (36 + IMAGE_WIDTH) / 612
    assert doc.text[zorbel.start : zorbel.end] == "Zorbel"

    # The store keeps those boxes (to 1/10,000 of the page), and the page view draws from them
    # without running Tesseract again.
    from index.reader import IndexReader
    from ui import page_image as pi

    def no_tesseract(*args):
        raise AssertionError("Tesseract ran in the page view")

    monkeypatch.setattr(pi, "_ocr_layer", no_tesseract)
    reader = IndexReader(cfg)
    try:
        stored = reader.page_words(str(scanned), 2)
        assert reader.page_words(str(scanned), 1) == ()  # a text page has none
        figure = pi.citation_figure(cited[0], reader.page_words)
    finally:
        reader.close()
    ocr_page_words = doc.pages[1].words
    assert [(w.text, w.start, w.end) for w in stored] == [
        (w.text, w.start, w.end) for w in ocr_page_words
    ]
    assert all(abs(a.y0 - b.y0) <= 5e-5 for a, b in zip(stored, ocr_page_words, strict=True))
    assert isinstance(figure, pi.PageImage) and figure.page == 2 and figure.match == "exact"
    top = expected_top(line, scanned) * figure.height
    assert any(b.y0 - 6 <= top <= b.y1 for b in figure.boxes), (figure.boxes, top)


@pytest.mark.slow
def test_ocr_never_names_the_skipped_page(scanned, tmp_path):
    from index.pipeline import IndexConfig, index_paths

    cfg = IndexConfig(store=tmp_path / "store", ocr=OcrConfig(mode="never"))
    report = index_paths([scanned.parent], cfg, progress=False)
    assert report.added == 1 and report.errors == []
    assert report.to_dict()["ocr_skipped"] == [
        {
            "source": str(scanned),
            "pages": [2],
            "reason": "--ocr never was given; re-index with --ocr auto",
        }
    ]
    # The command's summary says it too: one line on stderr naming the file and the page.
    r = run_rag("index", str(scanned.parent), "--store", str(tmp_path / "cli"), "--ocr", "never")
    assert f"warning: {scanned}: page(s) 2 need OCR, skipped: --ocr never" in r.stderr
    assert "added 1" in r.stdout
