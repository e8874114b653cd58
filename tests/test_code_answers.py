"""Technical text: an API question is answered by an identifier (rag/code_answers.py), an answer
phrase stays on one line (rag/spans.py), and a sentence a code block cut in two is no evidence
(index/units.py)."""

from index.units import reading_units
from rag.code_answers import code_like, identifier_first, wants_code
from rag.features import tokenize
from rag.reader import Pick
from rag.spans import candidate_spans


def _pick(text: str, answer: str | None, probability: float) -> Pick:
    return Pick(0, 0, len(text), text, probability, answer, 0.9)


ECHO = _pick(
    "If you want to manipulate Windows paths on a Unix machine (or vice versa).",
    "Unix machine (or vice versa)",
    0.95,
)
NAMES = _pick(
    "You cannot instantiate a WindowsPath when running on Unix, but you can instantiate "
    "PureWindowsPath.",
    "PureWindowsPath",
    0.02,
)


def test_questions_that_ask_for_a_code_entity_by_name():
    assert wants_code("Which class lets me manipulate Windows paths on a Unix machine?")
    assert wants_code("What exception is raised when json.loads gets invalid JSON?")
    assert wants_code("Which itertools function gives overlapping pairs?")
    assert not wants_code("Who wrote the sqlite3 module?")
    assert not wants_code("What is the default weight of a glob pattern?")


def test_identifiers_are_told_from_words():
    for code in ("PureWindowsPath", "JSONDecodeError", "json.loads", "@cache", "lru_cache()"):
        assert code_like(code), code
    for word in ("McDonald", "iPhone", "Unix machine (or vice versa)", "3.4", "U.S.", "REAL"):
        assert not code_like(word), word
    # A plain name is code where the sentence calls it.
    assert code_like("pairwise", "pairwise(iterable): Return successive overlapping pairs.")
    assert not code_like("pairwise", "Return successive pairwise overlapping pairs.")


def test_the_sentence_naming_the_class_goes_first():
    q = "Which class lets me manipulate Windows paths on a Unix machine?"
    assert identifier_first(q, [ECHO, NAMES]) == (NAMES, ECHO)


def test_the_sentence_after_the_best_one_may_name_the_exception():
    rule = "It is an error for changes to contain fields defined with init=False."
    both = rule + " A ValueError will be raised in this case."
    best = _pick(rule, "contain fields", 0.9)
    other = _pick("Values in changes replace the fields.", "changes", 0.05)

    def following(p: Pick) -> Pick | None:
        return _pick(both, None, p.probability) if p is best else None

    q = "What does dataclasses.replace raise if my changes include an init=False field?"
    assert wants_code(q)
    top, rest = identifier_first(q, [best, other], following)
    assert (top.text, top.answer, rest) == (both, "ValueError", other)
    # No identifier after it, or a question that asks for none: unchanged.
    assert identifier_first(q, [best, other], lambda p: None) == (best, other)
    assert identifier_first("What is the rule for changes?", [best, other], following) == (
        best,
        other,
    )


def test_order_kept_when_the_question_asks_for_no_code_or_the_best_already_names_one():
    assert identifier_first("Where can Windows paths be manipulated?", [ECHO, NAMES]) == (
        ECHO,
        NAMES,
    )
    first = _pick("pairwise(iterable): Return successive overlapping pairs.", "pairwise", 0.9)
    other = _pick("See also itertools.tee for copies.", "itertools.tee", 0.05)
    q = "Which itertools function gives overlapping pairs?"
    assert identifier_first(q, [first, other]) == (first, other)
    # An identifier the question already names is no answer to it.
    named = _pick("json.loads parses a string.", "json.loads", 0.05)
    q = "What exception does json.loads raise on invalid input?"
    assert identifier_first(q, [ECHO, named]) == (ECHO, named)


def test_an_answer_phrase_never_spans_a_signature_and_its_description():
    text = "Sniffer()\n\nThe Sniffer class is used to deduce the format of a CSV file."
    spans = [s.text for s in candidate_spans(tokenize(text), text, set())]
    assert "Sniffer" in spans and "CSV file" in spans
    assert not [s for s in spans if "\n" in s], spans


def test_a_sentence_continued_after_a_code_block_is_no_evidence():
    text = (
        "The sequence\n\nprog = re.compile(pattern)\n\nis equivalent to\n\n"
        "result = re.match(pattern, string)\n\nbut using re.compile is more efficient.\n\n"
        "json exposes an API familiar to users of marshal."
    )
    units = [text[a:b] for a, b in reading_units(text)]
    assert not [u for u in units if u.startswith(("but ", "is "))], units
    assert "json exposes an API familiar to users of marshal." in units  # a code name opens it


def test_the_following_sentence_is_the_next_one_of_the_same_paragraph():
    from rag.answer import Source
    from rag.features import split_sentences
    from rag.reader import _with_next

    text = "It is an error to do so. A ValueError is raised.\n\nOther paragraph here."
    src = Source("c0", "/d/a.txt", "A", 0, len(text), text, 1.0, 0.9, None)
    sentences = split_sentences([src])
    first = next(s for s in sentences if s.text.startswith("It is"))
    pick = Pick(0, first.start, first.end, first.text, 0.9, None, 0.0)
    pair = _with_next(pick, sentences, [src])
    assert pair.text == "It is an error to do so. A ValueError is raised."
    second = next(s for s in sentences if s.text.startswith("A ValueError"))
    last = Pick(0, second.start, second.end, second.text, 0.9, None, 0.0)
    assert _with_next(last, sentences, [src]) is None  # a blank line ends the paragraph
