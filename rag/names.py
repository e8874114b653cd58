"""Names a claim must find in its passage: a run of capitalised words (or an acronym, a
surname alone, a place's adjective) is found when the passage names the same thing.

Part of the support scorer's hard requirements (rag/requirements.py calls `check_entities`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from index.text import MONTHS, STOPWORDS
from rag.claims import Doc, analyze, best_sentence, canon, title_stems
from rag.lexicon import GENERIC_NAME_WORDS, NEGATIONS, OPENERS, TITLES


def _is_cap(raw: str) -> bool:
    return raw[:1].isupper() or any(ch.isupper() for ch in raw[1:])


def _ordinary(raw: str) -> bool:
    """A sentence-initial word that is probably not a name (plural, adverb, opener)."""
    low = raw.lower()
    if not raw[1:].islower():
        return False  # "OpenAI", "RDW"
    return low in OPENERS or low.endswith("ly") or (low.endswith("s") and not low.endswith("ss"))


def _entities(c: Doc) -> list[tuple[list[int], bool]]:
    """Runs of capitalised words (word indices) and whether each is a required name.

    Any capitalised word inside a sentence is a name the passage must contain. A single
    capitalised word opening a sentence is usually the subject and usually a name too ("Tencent
    bought ..."), so it is required as well, unless it looks like an ordinary word: a plural
    ("Shares rose"), an adverb ("Recently") or a common opener ("Overall").
    """
    item_spans = [(it.start, it.end) for it in c.items]
    runs: list[tuple[list[int], bool]] = []
    cur: list[int] = []

    def close() -> None:
        if cur:
            first = c.words[cur[0]]
            required = len(cur) > 1 or not c.sentence_start[cur[0]] or not _ordinary(first.raw)
            runs.append((list(cur), required))
        cur.clear()

    for wi, w in enumerate(c.words):
        in_item = any(a <= w.start < b for a, b in item_spans)
        if cur and c.text[c.words[wi - 1].end : w.start].strip():
            close()  # punctuation between two capitalised words separates two names
        if w.kind != "word" or in_item or w.raw == "I":
            close()
            continue
        if _is_cap(w.raw) and not (c.sentence_start[wi] and w.low in STOPWORDS):
            if w.low in NEGATIONS:
                close()
                continue
            cur.append(wi)
        else:
            close()
    close()
    return runs


def _entity_found(c: Doc, run: list[int], p: Doc) -> str:
    """ "all" when the name is in the passage, "some" when only its surname is, else ""."""
    words = _without_generic([c.words[wi] for wi in run])
    stems = [canon(w.low) for w in words]
    if " " + " ".join(stems) + " " in p.word_stems:
        return "all"
    if len(words) == 1 and _demonym_of(words[0].low, p):
        return "all"  # "European" vs "Europe", "Victoria" vs "Victorian"
    letters = "".join(w.low[0] for w in words)
    if len(words) > 1 and letters in p.acronyms:
        return "all"  # "Chief Executive Officer" vs "CEO"
    if len(words) == 1 and words[0].raw.isupper() and len(words[0].raw) > 1:
        acronym = re.sub(r"[^a-z]", "", words[0].low)
        if _expansion_at(acronym, p) >= 0:
            return "all"  # "AI" vs "artificial intelligence"
        if acronym in TITLES and " " + " ".join(title_stems(acronym)) + " " in p.word_stems:
            return "all"  # "CEO" vs "the chief executive"
    # A person named in full in the claim, by surname in the passage ("Eddie Wu" vs "Wu"),
    # unless the passage gives that surname a different first name ("Jack Ma" vs "Pony Ma").
    if 2 <= len(words) <= 3 and all(w.raw.istitle() and w.raw.isalpha() for w in words):
        return "some" if _surname_only(stems, p) else ""
    return ""


def _without_generic(words: list) -> list:
    """A name's words without the generic ones at either end ("Alibaba Group" is "Alibaba")."""
    while len(words) > 1 and words[0].low in GENERIC_NAME_WORDS:
        words = words[1:]
    while len(words) > 1 and words[-1].low in GENERIC_NAME_WORDS:
        words = words[:-1]
    return words


_DEMONYM = ("n", "an", "ian")
# Places whose people or language are not the place plus an ending ("the Spanish ... sent" for
# "Spain sent"). General knowledge, not fitted: the regular ones are the endings above.
_IRREGULAR = {
    place: demonym
    for pair in (
        "spain:spanish britain:british england:english scotland:scottish wales:welsh "
        "ireland:irish france:french netherlands:dutch holland:dutch denmark:danish "
        "sweden:swedish finland:finnish norway:norwegian poland:polish turkey:turkish "
        "greece:greek china:chinese japan:japanese portugal:portuguese switzerland:swiss "
        "germany:german iceland:icelandic lebanon:lebanese vietnam:vietnamese "
        "taiwan:taiwanese sudan:sudanese thailand:thai iraq:iraqi israel:israeli "
        "pakistan:pakistani bangladesh:bangladeshi yemen:yemeni kuwait:kuwaiti "
        "philippines:filipino peru:peruvian us:american"
    ).split()
    for place, demonym in [pair.split(":")]
}
_IRREGULAR.update({d: p for p, d in list(_IRREGULAR.items())})


def _demonym_of(low: str, p: Doc) -> bool:
    """A capitalised passage word that is the claim's place with a demonym ending, or the
    other way round."""
    other = _IRREGULAR.get(low)
    for w in p.words:
        if w.kind != "word" or not w.raw[:1].isupper():
            continue
        if other is not None and w.low == other:
            return True
        if min(len(w.low), len(low)) < 4:
            continue
        short, long = sorted((low, w.low), key=len)
        if long.startswith(short) and long[len(short) :] in _DEMONYM:
            return True
    return False


def _expansion_at(acronym: str, p: Doc) -> int:
    """Content position where consecutive passage words spell `acronym`, or -1."""
    if len(acronym) < 2:
        return -1
    start = p.initials.find(acronym)
    while start >= 0:
        span = p.stems[start : start + len(acronym)]
        # Two-letter acronyms match by chance too easily: demand long words, or capitalised
        # ones ("US" vs "United States").
        words = [p.words[p.tok_word[j]].raw for j in range(start, start + len(acronym))]
        if len(acronym) > 2 or all(len(s) >= 6 for s in span) or all(map(_is_cap, words)):
            return start
        start = p.initials.find(acronym, start + 1)
    return -1


_NOT_FIRST_NAMES = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday president ceo chairman judge "
    "mr mrs ms dr".split()
)


def _surname_only(stems: list[str], p: Doc) -> bool:
    last = stems[-1]
    bare = False
    for k, pw in enumerate(p.words):
        if pw.kind != "word" or not pw.raw[:1].isupper() or canon(pw.low) != last:
            continue
        prev = p.words[k - 1] if k > 0 else None
        if prev is None or p.sentence_start[k] or not _is_cap(prev.raw) or prev.kind != "word":
            bare = True
        elif canon(prev.low) in stems:
            bare = True
        elif prev.low in STOPWORDS or prev.low in MONTHS or prev.low in _NOT_FIRST_NAMES:
            bare = True
        else:
            return False  # the passage names someone else with this surname
    return bare


# A first line longer than this is a paragraph, not a title (the titles and headlines of the
# dev corpora run 1-11 words).
_TITLE_WORDS = 16


def _subject_unsaid(c: Doc, run: list[int], p: Doc, earlier: Doc) -> bool:
    """The name is the document's subject, in its title (the first line of the text before the
    passage, when short), and the passage sentence the claim follows leaves it unsaid rather
    than naming another ("An IPCC report chapter has ..." from "A chapter has ..." under
    "Intergovernmental Panel on Climate Change"; not "Wu is Alibaba's CEO" from "Wu is
    Tencent's CEO" under "Alibaba's new chief")."""
    line = earlier.text.split("\n", 1)[0]
    if len(line.split()) > _TITLE_WORDS or _entity_found(c, run, analyze(line)) != "all":
        return False
    best = best_sentence(c, p)
    claim = set(c.stems)
    return not any(
        k == best
        and w.kind == "word"
        and _is_cap(w.raw)
        and not p.sentence_start[j]
        and p.word_stem[j] not in claim
        for j, (w, k) in enumerate(zip(p.words, p.word_sentence, strict=True))
    )


def check_entities(
    c: Doc,
    p: Doc,
    matched: list[bool],
    weight: list[float],
    missing: list[str],
    earlier: Doc | None = None,
) -> list[tuple[list[int], list[int]]]:
    """Required names must be in the passage. Returns the names it holds: (claim positions,
    passage positions of the name's last word), for the role check.

    A person the passage names by surname alone ("Wu") whom the document introduced in full
    before it (`earlier`: "Eddie Wu") is the claim's "Eddie Wu": the first name is matched too.
    Without that introduction the first name stays unmatched: "Northern France" is not "France"."""
    word_tokens: dict[int, list[int]] = {}
    for i, wi in enumerate(c.tok_word):
        word_tokens.setdefault(wi, []).append(i)
    names: list[tuple[list[int], list[int]]] = []
    for run, required in _entities(c):
        toks = [i for wi in run for i in word_tokens.get(wi, ())]
        for i in toks:
            weight[i] = 2.0  # names carry more of a claim than ordinary words
        if not required:
            continue
        found = _entity_found(c, run, p)
        if found == "some" and earlier is not None and _entity_found(c, run, earlier) == "all":
            found = "all"
        if not found and earlier is not None and _subject_unsaid(c, run, p, earlier):
            found = "all"
        if found == "all":
            for i in toks:
                matched[i] = True
        elif not found:
            missing.append(c.text[c.words[run[0]].start : c.words[run[-1]].end])
        words = [c.words[wi] for wi in run if c.words[wi].low not in GENERIC_NAME_WORDS]
        where = p.positions.get(canon(words[-1].low), []) if found and words and toks else []
        where = [j for j in where if _is_cap(p.words[p.tok_word[j]].raw)]  # "Fresno Station"
        same = next((k for k, (_, w) in enumerate(names) if w == where), None)
        if same is not None:
            names[same][0].extend(toks)  # the same name twice ("AI models and AI agents")
        elif where:
            names.append((toks, where))
    return names


def spliced_names(c: Doc, passage: Doc | Callable[[], Doc]) -> list[str]:
    """Names of two or more words in `c` that `p` does not hold, whose first word starts another
    of its names and whose last word ends yet another: "Joseph Scheele" where the passage has
    "Carl Wilhelm Scheele" and "Joseph Priestley", "German Ghetto" where it has "German Gestapo"
    and "Warsaw Ghetto", "Carl von Hampson" where it has "Carl von Linde" and "William Hampson".
    The question's name is spliced from two of the passage's, which names neither; how SQuAD
    2.0's askers wrote a question to look answerable (Rajpurkar et al. 2018, "entity swap"). A
    name the passage holds with more capitalised words inside ("Fort William Henry" for "Fort
    Henry"), run together ("SkyDrive" for "Sky Drive") or in the plural is found. A person's
    name runs over a particle ("von", "de", ...).

    `passage` may be a callable, asked only when `c` has a name of two words or more: about a
    fifth of SQuAD's questions do, and analysing six retrieved chunks costs ~10 ms."""
    out: list[str] = []
    p: Doc | None = None
    run_together = ""
    for run in _linked(c):
        words = _without_generic([c.words[wi] for wi in run if _is_cap(c.words[wi].raw)])
        if len(words) < 2:
            continue
        if p is None:
            p = passage() if callable(passage) else passage
            run_together = "".join(w.low for w in p.words)
        if _entity_found(c, run, p) or "".join(c.words[wi].low for wi in run) in run_together:
            continue
        stems = {canon(w.low) for w in words}
        first, last = canon(words[0].low), canon(words[-1].low)
        starts = ends = spans = False
        for k, w in enumerate(p.words):
            if w.kind != "word" or not _is_cap(w.raw):
                continue
            if canon(w.low) == first:
                nxt = _next_name_word(p, k)
                starts |= nxt is not None and canon(p.words[nxt].low) not in stems
                # "Fort William Henry" holds "Fort Henry"; "Chicago Booth" does not hold
                # "Chicago Business Booth".
                j, inside = nxt, 0
                while j is not None and canon(p.words[j].low) != last:
                    j, inside = _next_name_word(p, j), inside + 1
                spans |= j is not None and inside > 0
            if canon(w.low) == last and not p.sentence_start[k]:
                prev = _previous_name_word(p, k)
                ends |= prev is not None and canon(p.words[prev].low) not in stems
        if starts and ends and not spans:
            out.append(c.text[c.words[run[0]].start : c.words[run[-1]].end])
    return out


# Lower-case words inside a person's name: "Carl von Linde", "Tamara de Lempicka". Not "of":
# "University of Maynard" of "University of Chicago" and "Robert Maynard Hutchins" is caught with
# it (13 more training questions of qa.jsonl, all unanswerable; 4 held out, 4), but so was an
# answerable question of blind news set C, an organisation's name written as users write it.
_PARTICLES = frozenset("von van de du da del der la le".split())


def _linked(c: Doc) -> list[list[int]]:
    """The required names of `c` (word indices), two joined into one over a particle between
    them ("Carl" "von" "Hampson")."""
    runs = [run for run, required in _entities(c) if required]
    out: list[list[int]] = []
    for run in runs:
        if out:
            gap = list(range(out[-1][-1] + 1, run[0]))
            lows = [c.words[g].low for g in gap]
            if 0 < len(lows) <= 2 and all(w in _PARTICLES for w in lows):  # "de la"
                out[-1] = [*out[-1], *gap, *run]
                continue
        out.append(list(run))
    return out


def _next_name_word(p: Doc, k: int) -> int | None:
    """The index of the capitalised word that continues the name at word k of `p` (right after
    it, or after a particle), else None."""
    j = k + 1
    while j < len(p.words) and p.words[j].low in _PARTICLES and j - k <= 2:
        j += 1
    return j if _joined(p, k, j) else None


def _previous_name_word(p: Doc, k: int) -> int | None:
    j = k - 1
    while j > 0 and p.words[j].low in _PARTICLES and k - j <= 2:
        j -= 1
    if j < 0 or p.words[j].low in STOPWORDS:
        return None
    return j if _joined(p, j, k) else None


def _joined(p: Doc, a: int, b: int) -> bool:
    """Words a < b of `p` belong to one name: b is a capitalised word, a particle or two between
    them, and only spaces."""
    if not 0 <= a < b < len(p.words):
        return False
    w = p.words[b]
    if w.kind != "word" or not _is_cap(w.raw) or any(x.kind != "word" for x in p.words[a:b]):
        return False
    return all(
        not p.text[x.end : y.start].strip()
        for x, y in zip(p.words[a:b], p.words[a + 1 : b + 1], strict=True)
    )
