"""Check every answer sentence against the chunk(s) it cites, and fix or drop what fails.

A sentence is kept as "supported" when the concatenation of its cited chunks supports it (in
words, or failing on word overlap alone, as a paraphrase MiniLM reads close to one of their
sentences: rag/paraphrase.py), or a cited chunk joined with the retrieved chunk next to it in
the document (both are then cited).
Otherwise it is re-attached to the retrieved chunk that supports it best ("reattached"), provided
a sentence or two adjacent sentences of that chunk carry the support in words (a chunk that
merely shares the claim's words, or reads like it, does not), and when no chunk does it is
dropped (or kept and "flagged", when asked). Each sentence's check records its verdict, score
and the reason (missing items, conflicts, off-topic, adjacent chunks, re-attachment,
paraphrase). Each citation is then narrowed to the sentence(s) of the chunk that carry the
support, so it can be highlighted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from index.text import (
    sentence_spans,
    spell_out,
    squash,
)
from index.units import one_line, reading_units
from rag.answer import Citation, SentenceCheck, Source
from rag.antecedents import misplaced_pronoun
from rag.non_claims import (
    LEAD_IN_WHY,
    NOT_STATED,
    NOT_STATED_WHY,
    TITLE_WHY,
    is_lead_in,
    is_title,
    title_keys,
)
from rag.paraphrase import Embed, accepts
from rag.refer_back import resolve
from rag.refusals import says_not_found
from rag.replies import split_cited
from rag.support import Support, unsupported_reason
from rag.support import support as _score

UNVERIFIED = " (unverified)"  # appended to a kept sentence no passage supports (flagged)


def support(
    claim: str,
    passage: str,
    before: Callable[[], str] | str = "",
    paraphrase: bool = True,
    embed: Embed | None = None,
) -> Support:
    """The support scorer, with a verbatim quote always counting as supported.

    `before` is what the document says before the passage (its title first): a name the claim
    takes from there, where the passage refers back to it ("Alibaba's" for "the company's"),
    is resolved instead of missing (rag/refer_back.py); a name introduced there is not one
    carried over from later in the passage (rag/late_names.py), and a person it names in full
    is the one the passage calls by surname. A callable is asked only when the passage alone
    does not support the claim.

    The rules decide. The fitted alternative (rag.support_model.combined_score: the MiniLM
    cross-encoder with the rules' hard signals) did not beat them held out by article on
    llm_answers_dev (balanced accuracy 0.603 vs 0.664 against paragraphs; figures in
    rag/models/support_encoder.json), so it is measured by eval/fit_support.py, not used here.

    A claim failed on word overlap alone is still kept when the bundled MiniLM reads it as a
    sentence of the passage (rag/paraphrase.py; `paraphrase=False` leaves that out, as the
    fitting script does). `embed`: the bundled MiniLM's vectors, cached (None: its own)."""
    s = _rules(claim, passage, before)
    if paraphrase and not s.supported:
        cos = accepts(claim, passage, s, embed=embed)
        if cos is not None:
            return replace(s, supported=True, semantic=round(cos, 4))
    return s


def _rules(claim: str, passage: str, before: Callable[[], str] | str) -> Support:
    if verbatim(claim, passage):
        return Support(score=1.0, supported=True, missing=())
    # "Saint Johns" is the passage's "St. Johns": both sides compared with abbreviations spelt out.
    claim, passage = spell_out(claim), spell_out(passage)
    s = _score(claim, passage)
    if s.supported or not before:
        return s
    # What the document said before the passage: names introduced there (read only for a
    # sentence the passage alone does not support).
    text = before() if callable(before) else before
    earlier = _recent(text)
    s = _score(claim, passage, earlier=earlier)
    if s.supported or not s.missing:
        return s
    resolved = resolve(claim, passage, text, s.missing)
    if resolved is None:
        return s
    again = _score(resolved, passage, earlier=earlier)
    return again if again.supported else s


# The title and the last stretch of the text before a passage: where a name it refers back to
# was introduced (a whole long document would cost ~2 ms per thousand characters to analyse).
# Measured against the stored chunk holding each quote: on 3,000 SQuAD-derived pairs kept +7 and
# caught -4 (the last 1,500 or 4,000 characters alone: +5 / -3), on llm_answers_dev kept +4
# (+2); the verdicts against the paragraphs themselves do not move.
_TITLE_CHARS, _RECENT_CHARS = 300, 20_000


def _recent(before: str) -> str:
    if len(before) <= _TITLE_CHARS + _RECENT_CHARS:
        return before
    return before[:_TITLE_CHARS] + "\n" + before[-_RECENT_CHARS:]


def verbatim(claim: str, passage: str) -> bool:
    """A quote of more than a few words, found as is (spacing and quote marks folded)."""
    return len(claim) > 20 and squash(claim) in squash(passage)


@dataclass(frozen=True)
class Verified:
    text: str
    sentences: list[SentenceCheck]
    citations: list[Citation]


def _best_span(
    claim: str, src: Source, paraphrase: bool = True, embed: Embed | None = None
) -> tuple[int, int, float]:
    """The sentence of the chunk that supports the claim best, else the best adjacent pair,
    else the whole chunk (doc offsets). `paraphrase`: a sentence may support it as one."""
    # A unit the reader quoted whole: an API signature or a command-line option with its
    # description ("-k --keep: Keep (don't delete) input files."), cited with its name.
    shown = " ".join(claim.split())
    for a, b in reading_units(src.text):
        if "\n" in src.text[a:b] and one_line(src.text[a:b]) == shown:
            return src.start + a, src.start + b, support(claim, shown, paraphrase=False).score
    spans = sentence_spans(src.text)
    for width in (1, 2):
        best: tuple[float, int, int] | None = None
        for i in range(len(spans) - width + 1):
            a, b = spans[i][0], spans[i + width - 1][1]
            s = support(claim, src.text[a:b], paraphrase=paraphrase, embed=embed)
            if s.supported and (best is None or s.score > best[0]):
                best = (s.score, a, b)
        if best is not None:
            return src.start + best[1], src.start + best[2], best[0]
    return src.start, src.end, support(claim, src.text, paraphrase=False).score


def _adjacent(a: Source, b: Source) -> bool:
    """b continues a in one document (it starts where a ends, or overlaps its tail)."""
    return a.source == b.source and a.start < b.start <= a.end + 4


def _joined(a: Source, b: Source) -> str:
    return a.text + " " + b.text[max(0, a.end - b.start) :]


def _neighbour_support(claim: str, cited: list[int], sources: list[Source]):
    """(Support, [i, j]) when a cited chunk joined with an adjacent retrieved chunk supports the
    claim (a sentence whose support spans a chunk boundary), else None."""
    for i in cited:
        for j, other in enumerate(sources):
            if j == i:
                continue
            first, second = (i, j) if _adjacent(sources[i], other) else (j, i)
            if not _adjacent(sources[first], sources[second]):
                continue
            s = support(claim, _joined(sources[first], sources[second]), paraphrase=False)
            if s.supported:
                return s, [first, second]
    return None


def _focused(claim: str, src: Source) -> bool:
    """A sentence or two adjacent sentences of the chunk support the claim on their own: a chunk
    that merely holds the claim's words scattered over unrelated sentences does not."""
    # In words: a sentence MiniLM reads close to the claim does not make scattered words focused.
    a, b, _ = _best_span(claim, src, paraphrase=False)
    return (a, b) != (src.start, src.end) or len(sentence_spans(src.text)) <= 2


_PARAPHRASED = "paraphrase:"


def _paraphrased(s: Support) -> str:
    if s.semantic is None:
        return ""
    return f"{_PARAPHRASED} MiniLM similarity {s.semantic:.2f} with the passage (few shared words)"


def reason_of(s: Support | None) -> str:
    """Why a sentence failed ("missing: 2021; conflict: ..."), "" when it is supported."""
    if s is None:
        return "no citation and no retrieved passage supports it"
    return unsupported_reason(s)


def _needed(claim: str, cited: list[int], s: Support, sources: list[Source], earlier, embed):
    """The cited passages the support needs, and its verdict on them. A model that pads its
    citations ("[1][2][3][4][5][6]" on every sentence) would show the reader five passages that
    say nothing of the claim (ALCE's citation precision counts each as irrelevant). A citation
    goes when the others still support the claim, the last cited first (models cite their main
    source first)."""
    keep = list(cited)
    for i in reversed(cited):
        rest = [j for j in keep if j != i]
        if not rest:
            continue
        before = (lambda r=rest: earlier(sources[r[0]])) if earlier else ""
        t = support(claim, " ".join(sources[j].text for j in rest), before, embed=embed)
        if t.supported:
            keep, s = rest, t
    return keep, s


def _check(claim: str, nums: list[int], sources: list[Source], flag: bool, earlier, embed) -> tuple:
    """(status, cited source indexes, Support or None, reason) of one sentence."""
    cited = [n - 1 for n in nums if 1 <= n <= len(sources)]
    before = (lambda: earlier(sources[cited[0]])) if earlier and cited else ""
    joined = " ".join(sources[i].text for i in cited)
    s = support(claim, joined, before, embed=embed) if cited else None
    if s is not None and s.supported:
        cited, s = _needed(claim, cited, s, sources, earlier, embed)
        return "supported", cited, s, _paraphrased(s)
    near = _neighbour_support(claim, cited, sources)
    if near is not None:
        return "supported", near[1], near[0], "supported by two adjacent chunks"
    first = reason_of(s)
    # The passage the model cited says otherwise ("whose lieutenant is who"): another passage
    # that lacks the contrary words does not make the claim true, so it is not moved. In
    # llm_answers_dev end to end the one claim re-attached from a contradicting citation was a
    # role swap.
    contradicted = s is not None and bool(s.conflicts)
    # Moving a claim to a passage it did not cite, or joining a neighbour, needs the words: a
    # 135M model's filler ("This market is built on the ability to create a new market for AI")
    # reads close enough to some retrieved sentence to pass as a paraphrase of it.
    alone = (
        []
        if contradicted
        else [(support(claim, src.text, paraphrase=False), i) for i, src in enumerate(sources)]
    )
    good = [(x, i) for x, i in alone if x.supported and _focused(claim, sources[i])]
    if good:
        best, i = max(good, key=lambda g: (g[0].score, g[1]))  # ties: as before
        why = f"re-attached: the cited passage does not support it ({first})" if cited else ""
        return "reattached", [i], best, why or "re-attached"
    if s is None:
        s = max((x for x, _ in alone), key=lambda x: x.score, default=None)
    return ("flagged" if flag else "dropped"), cited, s, reason_of(s)


def _verdict(status: str) -> str:
    if status == NOT_STATED:
        return "not-stated"
    return "supported" if status in ("supported", "reattached") else "unsupported"


def verify(
    text: str,
    sources: list[Source],
    flag_unsupported: bool = False,
    on_topic: Callable[[str], bool] | None = None,
    earlier: Callable[[Source], str] | None = None,
    embed: Embed | None = None,
    question: str = "",
) -> Verified:
    """Verify each sentence against its citations (else re-attach, else drop or flag). A
    sentence saying the passages lack something (rag/refusals.py) is kept as is: `not_stated`.

    `on_topic` tells sentences that address the question (small models copy headlines from the
    sources). One that does not is still kept when it is supported and another sentence of the
    answer addresses the question: it carries that answer's context ("It was first released on
    February 7."). An answer of which no sentence addresses the question is dropped whole.
    `earlier(source)` is the document's title and text before a source, for names the cited
    passage refers back to (see `support`). `embed`: the bundled MiniLM's vectors for the
    paraphrase check, e.g. the pipeline's cache when its index uses that model (None: the
    check loads its own). `question`: what the answer answers, for a pronoun whose name it
    gives (rag/antecedents.py: "its name" of the question's Sacramento, from a passage on Fresno).
    """
    rows: list[tuple[str, str, list[int], Support | None, str, bool]] = []
    seen: set[str] = set()
    titles = title_keys(sources)
    previous = ""  # the sentence before: its opening name is what "It" and "its" stand for
    for claim, nums in split_cited(text):
        # Small models repeat themselves and emit list numbers ("3.") as sentences.
        if len(claim.split()) < 3 or squash(claim).lower() in seen:
            continue
        seen.add(squash(claim).lower())
        if is_title(claim, titles):
            # "The business behind Alibaba: How China's tech titan makes billions." (small models
            # list the sources' titles): the passage holds the words, but a title
            # states nothing.
            rows.append((claim, "dropped", [], None, TITLE_WHY, True))
            continue
        if is_lead_in(claim, bool(nums)):
            rows.append((claim, "dropped", [], None, LEAD_IN_WHY, True))
            continue
        if says_not_found(claim):
            # "The sources do not say when.": the model's own word that something is not there,
            # no claim about the world. Kept, uncited, so the reader sees the caveat; dropping it
            # would present what is left as a whole answer.
            rows.append((claim, NOT_STATED, [], None, NOT_STATED_WHY, True))
            continue
        topical = on_topic is None or on_topic(claim)
        status, cited, s, why = _check(claim, nums, sources, flag_unsupported, earlier, embed)
        if s is not None and status in ("supported", "reattached"):
            joined = " ".join(sources[i].text for i in cited)
            if conflict := misplaced_pronoun(claim, previous, question, joined):
                s = replace(s, supported=False, conflicts=(*s.conflicts, conflict))
                status, why = ("flagged" if flag_unsupported else "dropped"), reason_of(s)
        previous = claim
        rows.append((claim, status, cited, s, why, topical))
    anchored = any(r[5] and r[1] in ("supported", "reattached") for r in rows)

    checks: list[SentenceCheck] = []
    kept: list[tuple[str, list[int]]] = []  # sentence, source indexes (0-based)
    for claim, status, cited, s, why, topical in rows:
        if not topical and (not anchored or status in ("dropped", "flagged")):
            if anchored:  # another sentence answers: this one fails on its own, and says why
                why = f"{why or reason_of(s)}; off-topic: does not name the question's words"
            else:
                why = "off-topic: no sentence of the answer addresses the question"
            status, cited = "dropped", []
        elif not topical:
            why = why or "context of the answer (does not name the question's words)"
        checks.append(
            SentenceCheck(
                text=claim,
                citations=[i + 1 for i in cited],
                support=round(s.score, 4) if s else 0.0,
                status=status,
                missing=["off-topic"]
                if why.startswith("off-topic")
                else list(s.missing if s else []),
                verdict=_verdict(status),
                reason=why,
                conflicts=list(s.conflicts) if s else [],
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
        # A paraphrase's citation is the sentence it paraphrases; a claim supported in words is
        # narrowed to the sentences that hold them (or keeps the whole chunk).
        reread = chk.reason.startswith(_PARAPHRASED)
        for i in cited:
            src = sources[i]
            a, b, _ = _best_span(claim, src, paraphrase=reread, embed=embed)
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
        final_checks.append(replace(chk, citations=numbers))
    return Verified(" ".join(parts), final_checks, citations)
