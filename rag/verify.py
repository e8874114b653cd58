"""Check every answer sentence against the chunk(s) it cites, and fix or drop what fails.

A sentence is kept as "supported" when the concatenation of its cited chunks supports it.
Otherwise it is re-attached to the retrieved chunk that supports it best ("reattached"), and
when no chunk does it is dropped (or kept and "flagged", when asked). Each citation is then
narrowed to the sentence(s) of the chunk that carry the support, so it can be highlighted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from index.text import MARKER_RE, marker_numbers, sentence_spans, squash, strip_markers
from rag.answer import Citation, SentenceCheck, Source
from rag.support import Support
from rag.support import support as _score

UNVERIFIED = " (unverified)"  # appended to a kept sentence no passage supports (flagged)


def support(claim: str, passage: str) -> Support:
    """The support scorer, with a verbatim quote always counting as supported."""
    if len(claim) > 20 and squash(claim) in squash(passage):
        return Support(score=1.0, supported=True, missing=())
    return _score(claim, passage)


@dataclass(frozen=True)
class Verified:
    text: str
    sentences: list[SentenceCheck]
    citations: list[Citation]


_LEADING = re.compile(rf"^(?:{MARKER_RE.pattern})+")


def split_cited(text: str) -> list[tuple[str, list[int]]]:
    """Answer text -> [(sentence without markers, cited numbers)].

    Markers written after the full stop ("It rose. [2] Then ...") belong to the sentence
    before them, not to the one they precede.
    """
    out: list[tuple[str, list[int]]] = []
    for a, b in sentence_spans(text):
        raw = text[a:b]
        lead = _LEADING.match(raw)
        if lead and out:
            out[-1][1].extend(marker_numbers(lead.group()))
            raw = raw[lead.end() :]
        nums = marker_numbers(raw)
        claim = strip_markers(raw).strip()
        if not claim:
            # A line holding only markers belongs to the sentence before it.
            if out and nums:
                out[-1][1].extend(nums)
            continue
        out.append((claim, nums))
    return [(claim, list(dict.fromkeys(nums))) for claim, nums in out]


def _best_span(claim: str, src: Source) -> tuple[int, int, float]:
    """The sentence of the chunk that supports the claim best, else the best adjacent pair,
    else the whole chunk (doc offsets)."""
    spans = sentence_spans(src.text)
    for width in (1, 2):
        best: tuple[float, int, int] | None = None
        for i in range(len(spans) - width + 1):
            a, b = spans[i][0], spans[i + width - 1][1]
            s = support(claim, src.text[a:b])
            if s.supported and (best is None or s.score > best[0]):
                best = (s.score, a, b)
        if best is not None:
            return src.start + best[1], src.start + best[2], best[0]
    return src.start, src.end, support(claim, src.text).score


def verify(
    text: str,
    sources: list[Source],
    flag_unsupported: bool = False,
    on_topic: Callable[[str], bool] | None = None,
) -> Verified:
    """Verify each sentence; `on_topic` rejects true sentences that do not address the question
    (small models copy headlines from the sources)."""
    checks: list[SentenceCheck] = []
    kept: list[tuple[str, list[int]]] = []  # sentence, source indexes (0-based)
    seen: set[str] = set()
    for claim, nums in split_cited(text):
        # Small models repeat themselves and emit list numbers ("3.") as sentences.
        if len(claim.split()) < 3 or squash(claim).lower() in seen:
            continue
        seen.add(squash(claim).lower())
        if on_topic is not None and not on_topic(claim):
            checks.append(SentenceCheck(claim, [], 0.0, "dropped", ["off-topic"]))
            continue
        cited = [n - 1 for n in nums if 1 <= n <= len(sources)]
        status = "supported"
        s = support(claim, " ".join(sources[i].text for i in cited)) if cited else None
        if s is None or not s.supported:
            alone = [(support(claim, src.text), i) for i, src in enumerate(sources)]
            good = [(x.score, i) for x, i in alone if x.supported]
            if good:
                score, i = max(good)
                s = support(claim, sources[i].text)
                cited, status = [i], "reattached"
            else:
                status = "flagged" if flag_unsupported else "dropped"
                if s is None:
                    s = max((x for x, _ in alone), key=lambda x: x.score, default=None)
        checks.append(
            SentenceCheck(
                text=claim,
                citations=[i + 1 for i in cited],
                support=round(s.score, 4) if s else 0.0,
                status=status,
                missing=list(s.missing) if s else [],
            )
        )
        if status != "dropped":
            kept.append((claim, cited if status != "flagged" else []))

    # Number citations in order of first use; one citation per distinct cited span.
    citations: list[Citation] = []
    by_span: dict[tuple[str, int, int], int] = {}
    parts: list[str] = []
    final_checks: list[SentenceCheck] = []
    ki = 0
    for chk in checks:
        if chk.status == "dropped":
            final_checks.append(chk)
            continue
        claim, cited = kept[ki]
        ki += 1
        numbers: list[int] = []
        for i in cited:
            src = sources[i]
            a, b, _ = _best_span(claim, src)
            key = (src.chunk_id, a, b)
            if key not in by_span:
                by_span[key] = len(citations) + 1
                citations.append(
                    Citation(
                        n=by_span[key],
                        source=src.source,
                        title=src.title,
                        start=a,
                        end=b,
                        text=src.text[a - src.start : b - src.start],
                        score=round(src.dense if src.dense is not None else src.score, 4),
                        page=src.page,
                        chunk_id=src.chunk_id,
                    )
                )
            numbers.append(by_span[key])
        numbers = list(dict.fromkeys(numbers))
        marker = "".join(f"[{n}]" for n in numbers)
        suffix = UNVERIFIED if chk.status == "flagged" else ""
        parts.append(f"{claim}{' ' + marker if marker else ''}{suffix}")
        final_checks.append(
            SentenceCheck(chk.text, numbers, chk.support, chk.status, list(chk.missing))
        )
    return Verified(" ".join(parts), final_checks, citations)
