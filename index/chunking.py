"""Sentence-aware chunking bounded by the embedder's real token limit.

A chunk never crosses an article (section) boundary, so a citation can name the article it
came from, and never exceeds the embedder's budget, so nothing is silently truncated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from index.limits import Limits
from index.markup import code_units
from index.text import sentence_spans
from index.types import Chunk, Document
from index.units import with_signatures

CountTokens = Callable[[Sequence[str]], list[int]]
COUNT_BATCH = 512  # texts per tokenizer call: a 50 MB file's token ids never exist at once


def _count(text: str, spans: list[tuple[int, int]], count: CountTokens) -> list[int]:
    out: list[int] = []
    for i in range(0, len(spans), COUNT_BATCH):
        out += count([text[a:b] for a, b in spans[i : i + COUNT_BATCH]])
    return out


def _cut_chars(text: str, span: tuple[int, int], max_chars: int) -> list[tuple[int, int]]:
    """Hard-split a span longer than `max_chars` characters, at whitespace when there is some.

    The tokenizer cannot bound these: 'x' * 200000 is one [UNK] token. Pieces are trimmed
    spans of `text`, so `text[start:end]` is still each chunk's text.
    """
    a, b = span
    if b - a <= max_chars:
        return [span]
    out: list[tuple[int, int]] = []
    while b - a > max_chars:
        limit = a + max_chars
        # The last whitespace in the second half of the window, else a cut mid-word.
        half = a + max_chars // 2
        cut = max(text.rfind(" ", half, limit), text.rfind("\n", half, limit))
        cut = cut if cut > a else limit
        end = cut
        while end > a and text[end - 1].isspace():
            end -= 1
        if end > a:
            out.append((a, end))
        a = cut
        while a < b and text[a].isspace():
            a += 1
    if b > a:
        out.append((a, b))
    return out


def _split_long(
    text: str, span: tuple[int, int], n_tokens: int, budget: int, count: CountTokens
) -> list[tuple[int, int, int]]:
    """Cut an over-long sentence at whitespace into pieces that fit the budget."""
    a, b = span
    words = [(m.start() + a, m.end() + a) for m in re.finditer(r"\S+", text[a:b])]
    counts = count([text[s:e] for s, e in words])
    pieces: list[tuple[int, int, int]] = []
    cur_start, cur_tokens, last_end = None, 0, a
    for (s, e), c in zip(words, counts, strict=True):
        if cur_start is not None and cur_tokens + c > budget:
            pieces.append((cur_start, last_end, cur_tokens))
            cur_start, cur_tokens = None, 0
        if cur_start is None:
            cur_start = s
        if c > budget:
            # A single "word" longer than the budget (a URL, a base64 blob): cut by characters.
            step = max(1, (e - s) * budget // (c + 1))
            for k in range(s, e, step):
                pieces.append((k, min(e, k + step), 0))
            cur_start, cur_tokens = None, 0
            last_end = e
            continue
        cur_tokens += c
        last_end = e
    if cur_start is not None:
        pieces.append((cur_start, last_end, cur_tokens))
    if any(t == 0 for _, _, t in pieces):
        recount = count([text[s:e] for s, e, _ in pieces])
        pieces = [(s, e, t) for (s, e, _), t in zip(pieces, recount, strict=True)]
    return pieces


def chunk_document(
    doc: Document,
    count_tokens: CountTokens,
    max_tokens: int,
    overlap_tokens: int = 32,
    max_chars: int = Limits.max_chunk_chars,
) -> list[Chunk]:
    """Pack whole sentences into chunks of at most `max_tokens` tokens (no special tokens)
    and at most `max_chars` characters (a sentence longer than that is cut).

    Token counts of whitespace-separated pieces add up exactly for word-piece tokenizers,
    so a chunk's count is the sum of its sentences' counts. Consecutive chunks share the
    last sentence of the previous one when it is short (at most `overlap_tokens`).
    """
    chunks: list[Chunk] = []
    sections = doc.sections or []
    if not sections:
        from index.types import Section

        sections = [Section(doc.title, 0, len(doc.text))]
    for section in sections:
        # A signature or option line and its description pack as one: a chunk that ended on
        # "SpooledTemporaryFile(max_size=0, ...)" left its description to the next chunk.
        spans = with_signatures(doc.text, sentence_spans(doc.text, section.start, section.end))
        spans = code_units(doc.text, spans, doc.code, count_tokens, max_tokens)  # code: whole
        spans = [p for s in spans for p in _cut_chars(doc.text, s, max_chars)]
        if not spans:
            continue
        counts = _count(doc.text, spans, count_tokens)
        units: list[tuple[int, int, int]] = []
        for span, n in zip(spans, counts, strict=True):
            if n > max_tokens:
                units.extend(_split_long(doc.text, span, n, max_tokens, count_tokens))
            else:
                units.append((span[0], span[1], n))
        for a, b, n in _pack(units, max_tokens, overlap_tokens, max_chars):
            chunks.append(
                Chunk(
                    source=doc.source,
                    title=section.title or doc.title,
                    start=a,
                    end=b,
                    text=doc.text[a:b],
                    page=doc.page_at(a),
                    n_tokens=n,
                )
            )
    return chunks


def _pack(
    units: list[tuple[int, int, int]], budget: int, overlap: int, max_chars: int
) -> list[tuple[int, int, int]]:
    out: list[tuple[int, int, int]] = []
    cur: list[tuple[int, int, int]] = []
    total = 0
    for unit in units:
        if cur and (total + unit[2] > budget or unit[1] - cur[0][0] > max_chars):
            out.append((cur[0][0], cur[-1][1], total))
            last = cur[-1]
            carry = (
                last[2] <= overlap
                and last[2] + unit[2] <= budget
                and unit[1] - last[0] <= max_chars
                and len(cur) > 1
            )
            cur, total = ([last], last[2]) if carry else ([], 0)
        cur.append(unit)
        total += unit[2]
    if cur:
        out.append((cur[0][0], cur[-1][1], total))
    return out
