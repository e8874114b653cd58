"""Chunks are sentence-aware, exact spans of the cleaned text, and never truncated."""

from index.chunking import chunk_document, sentence_spans
from index.loaders import load_document
from index.types import Document, Section

from .conftest import CORPUS


def reference_tokenizer():
    """The bundled model's own (transformers) tokenizer: an independent check of the ONNX
    embedder's token counts and of what the model reads."""
    from transformers import AutoTokenizer

    from index.embedders import bundled_minilm_path

    return AutoTokenizer.from_pretrained(str(bundled_minilm_path()))


def test_sentence_spans_are_trimmed_exact_spans():
    text = "  First one. Second “quoted.” Third?\nHeadline without stop\n\nLast.  "
    spans = sentence_spans(text)
    parts = [text[a:b] for a, b in spans]
    assert parts == ["First one.", "Second “quoted.”", "Third?", "Headline without stop", "Last."]


def test_corpus_chunks_fit_the_model_and_match_offsets(embedder):
    tok = reference_tokenizer()
    for path in sorted(CORPUS.iterdir()):
        doc = load_document(path)
        chunks = chunk_document(doc, embedder.count_tokens, embedder.budget)
        assert chunks, path
        for c in chunks:
            assert doc.text[c.start : c.end] == c.text
            # With special tokens the model must read the whole chunk: nothing truncated.
            assert len(tok(c.text)["input_ids"]) <= embedder.max_tokens
            assert c.n_tokens == len(tok(c.text, add_special_tokens=False)["input_ids"])
        # Coverage: every sentence of the document lands in some chunk.
        covered = set()
        for c in chunks:
            covered.update(range(c.start, c.end))
        for a, b in sentence_spans(doc.text):
            assert a in covered and b - 1 in covered


def test_long_sentence_is_split_not_truncated(embedder):
    words = " ".join(f"word{i} alpha-beta" for i in range(900))
    text = "Short intro. " + words + ". Ending sentence."
    doc = Document("/x.txt", text, "T", [Section("T", 0, len(text))])
    chunks = chunk_document(doc, embedder.count_tokens, embedder.budget)
    assert len(chunks) > 4
    tok = reference_tokenizer()
    total = 0
    for c in chunks:
        n = len(tok(c.text)["input_ids"])
        assert n <= embedder.max_tokens  # the bundled MiniLM truncates at 256
        total += n
    # The whole text is read: the chunks together hold every word.
    joined = " ".join(c.text for c in chunks)
    assert "word899" in joined and "word0" in joined


def test_chunks_do_not_cross_articles(embedder):
    doc = load_document(CORPUS / "004_e116aba1b0a9a83c.txt")
    assert len(doc.sections) >= 2
    chunks = chunk_document(doc, embedder.count_tokens, embedder.budget)
    for c in chunks:
        sec = doc.section_at(c.start)
        assert sec is not None and c.end <= sec.end
        assert c.title == sec.title


def test_a_signature_line_stays_with_its_description():
    # Packed by sentences alone, a chunk could end on the signature and leave its description,
    # the only text that says what it does, to the next chunk.
    head = " ".join(f"Sentence number {i} says little." for i in range(5))
    sig = "SpooledTemporaryFile(max_size=0, mode='w+b', buffering=-1, encoding=None)"
    text = f"{head}\n\n{sig}\n\nThis class operates exactly as TemporaryFile does."
    doc = Document("/x.rst", text, "T", [Section("T", 0, len(text))])

    def words(texts):
        return [len(t.split()) for t in texts]

    for budget in range(12, 40):
        for c in chunk_document(doc, words, budget, overlap_tokens=4):
            if sig in c.text:
                assert c.text.endswith("TemporaryFile does."), (budget, c.text)


def test_a_texinfo_definition_line_reads_with_its_description():
    # Nettle's PDF manual: the definition line, its category at the right margin, then the
    # paragraph that says what the function does without naming it.
    from index.units import one_line, reading_units

    sig = "int memeql_sec (const void *a, const void *b, size t n ) [Function]"
    text = f"7.10 Miscellaneous functions\n\n{sig}\n\nSide-channel silent comparison of a and b."
    units = [one_line(text[a:b]) for a, b in reading_units(text)]
    assert units[-1] == f"{sig}: Side-channel silent comparison of a and b."
    # A category in brackets after prose is no definition line.
    prose = "See the list of types (below) [Function]. It is long.\n\nNext paragraph here."
    assert len(reading_units(prose)) == 3
