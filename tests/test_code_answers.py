"""Technical text: an API question is answered by an identifier (rag/code_answers.py), an answer
phrase stays on one line (rag/spans.py), and a sentence a code block cut in two is no evidence
(index/units.py)."""

from index.units import reading_units
from rag.code_answers import (
    answer_kind,
    code_like,
    identifier_first,
    states_an_exception,
    wants_code,
)
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
    assert answer_kind("What gets thrown if I compare a UUID against a plain string?") == (
        "exception"
    )
    # ... or by its use: what a reader uses, calls or creates is an entry of the API.
    assert wants_code("I'm worried about timing attacks. What should I use instead of == ?")
    assert wants_code("What do I call on each argument to make it safe for a shell?")
    assert not wants_code("What should I do when the build fails?")
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


def test_an_answer_phrase_never_stops_inside_a_notation():
    # bisect's "The insort() functions are O(n) because ..." was answered "O".
    text = "The insort() functions are O(n) because the search is logarithmic."
    spans = [s.text for s in candidate_spans(tokenize(text), text, set())]
    assert "O(n)" in spans and "insort()" in spans
    assert not [s for s in spans if s.endswith(" O") or s == "O"], spans


def test_a_sentence_continued_after_a_code_block_is_no_evidence():
    text = (
        "The sequence\n\nprog = re.compile(pattern)\n\nis equivalent to\n\n"
        "result = re.match(pattern, string)\n\nbut using re.compile is more efficient.\n\n"
        "json exposes an API familiar to users of marshal."
    )
    units = [text[a:b] for a, b in reading_units(text)]
    assert not [u for u in units if u.startswith(("but ", "is "))], units
    assert "json exposes an API familiar to users of marshal." in units  # a code name opens it


def test_a_doctest_prompt_line_is_no_unit():
    text = (
        "Unlike commonprefix, this returns a valid path.\n\n"
        ">>> os.path.commonprefix(['/usr/lib', '/usr/local/lib'])\n'/usr/l'"
    )
    units = [text[a:b] for a, b in reading_units(text)]
    assert units == ["Unlike commonprefix, this returns a valid path."]


def test_a_signature_is_not_joined_to_the_next_sections_heading():
    text = (
        "        Subnormal\n        FloatOperation(DecimalException, exceptions.TypeError)\n\n"
        "Floating Point Notes\n\npairwise(iterable)\n\nReturn successive overlapping pairs."
    )
    units = [text[a:b] for a, b in reading_units(text)]
    assert "FloatOperation(DecimalException, exceptions.TypeError)" in units, units
    assert "Floating Point Notes" in units
    # A description is still joined to its signature.
    assert "pairwise(iterable)\n\nReturn successive overlapping pairs." in units


def test_a_unit_is_shown_on_one_line_with_a_colon_only_after_a_signature():
    from index.units import one_line

    assert one_line("pairwise(iterable)\n\nReturn successive pairs.") == (
        "pairwise(iterable): Return successive pairs."
    )
    # Two table rows read on together (the reader's continuation) are two sentences: a colon
    # after the first one's full stop showed "... is deprecated.: Version: v8.0.0 ...".
    rows = "Version: v20.8.0; Changes: X is deprecated.\nVersion: v8.0.0; Changes: Added."
    assert (
        one_line(rows)
        == "Version: v20.8.0; Changes: X is deprecated. Version: v8.0.0; Changes: Added."
    )


def test_the_following_sentence_is_the_next_one_of_the_same_paragraph():
    from rag.answer import Source
    from rag.continuation import following
    from rag.features import split_sentences

    text = "It is an error to do so. A ValueError is raised.\n\nOther paragraph here."
    src = Source("c0", "/d/a.txt", "A", 0, len(text), text, 1.0, 0.9, None)
    sentences = split_sentences([src])
    first = next(s for s in sentences if s.text.startswith("It is"))
    pick = Pick(0, first.start, first.end, first.text, 0.9, None, 0.0)
    pair = following(pick, sentences, [src])
    assert pair.text == "It is an error to do so. A ValueError is raised."
    second = next(s for s in sentences if s.text.startswith("A ValueError"))
    last = Pick(0, second.start, second.end, second.text, 0.9, None, 0.0)
    assert following(last, sentences, [src]) is None  # a blank line ends the paragraph


def test_exception_and_version_questions_are_told_from_look_alikes():
    assert answer_kind("What exception is raised when json.loads gets invalid JSON?") == "exception"
    assert (
        answer_kind("What does dataclasses.replace raise if a field is init=False?") == "exception"
    )
    assert answer_kind("In which Python version was pathlib added?") == "version"
    assert answer_kind("What is the minimum SQLite version the sqlite3 module needs?") == "version"
    assert answer_kind("Which Python release introduced that flag?") == "version"
    assert answer_kind("Which class lets me manipulate Windows paths?") == "code"
    # SQuAD's look-alikes: "release" as a verb, "version 3" naming a version.
    assert answer_kind("What does photosynthesis release into the Earth's atmosphere?") is None
    assert answer_kind("What did the UGSS release?") is None
    assert answer_kind("What changed in version 3 of the standard?") is None


def test_a_lower_ranked_sentence_naming_the_exception_goes_first():
    q = "What exception is raised when json.loads gets invalid JSON?"
    echo = _pick(
        "This can be used to raise an exception if invalid JSON numbers are found.", "numbers", 0.9
    )
    deep = _pick(
        "If the data is not a valid JSON document, a JSONDecodeError will be raised.", None, 0.01
    )
    top, rest = identifier_first(q, [echo], deeper=lambda: [deep])
    assert (top.text, top.answer, rest) == (deep.text, "JSONDecodeError", echo)
    # Nothing of that form further down: unchanged. A question asking for none: never looked.
    assert identifier_first(q, [echo], deeper=lambda: [ECHO]) == (echo,)
    assert identifier_first("Why is JSON invalid?", [echo], deeper=lambda: [deep]) == (echo,)


def test_a_version_must_be_the_version_of_what_is_asked():
    q = "What is the minimum SQLite version the sqlite3 module needs?"
    dbapi = _pick(
        "Integer constant required by the DB-API 2.0, stating the thread safety.", "2.0", 0.6
    )
    needs = _pick(
        "It complies with the DB-API 2.0 and requires SQLite 3.7.15 or newer.", "DB-API", 0.2
    )
    top, rest = identifier_first(q, [dbapi, needs])
    assert (top.text, top.answer, rest) == (needs.text, "3.7.15", dbapi)
    added = _pick("Added in version 3.4.", "3.4", 0.1)
    q = "In which Python version was pathlib added?"
    assert identifier_first(q, [dbapi, added])[0] == added  # "version 3.4" binds; "DB-API 2.0" not


def test_a_version_label_of_another_event_does_not_answer():
    from rag.code_answers import versions_of

    removed = "in which python version was contextlib.nested removed?"
    assert versions_of("Added in version 3.7.", removed) == []
    # The same sentence may date two events: the one asked about answers.
    assert versions_of("Deprecated since version 3.5, removed in version 3.7.", removed) == ["3.7"]
    # "Changed in version" says neither: its note may add, remove or deprecate.
    added = "in which version was the strict parameter added?"
    assert versions_of("Changed in version 3.10: Added the strict parameter.", added) == ["3.10"]
    assert versions_of("Added in version 3.4.", "which python version first shipped it?") == ["3.4"]
    # "Since which version does it offer X?" asks when X came, which a deprecation does not say.
    since = "since which python version does the random module offer binomialvariate?"
    assert versions_of("Deprecated since version 3.10: The exception raised ...", since) == []
    assert versions_of("Added in version 3.12.", since) == ["3.12"]
    assert versions_of("Changed in version 3.12: Added binomialvariate.", since) == ["3.12"]
    q = "In which Python version was contextlib.nested removed?"
    other = _pick("Removed in version 3.2: the nested() function.", None, 0.1)
    top = identifier_first(q, [_pick("Added in version 3.7.", "3.7", 0.6), other])[0]
    assert (top.text, top.answer) == (other.text, "3.2")


def test_fixed_form_type_fit_needs_a_passage_that_names_one():
    from rag.answer import Source
    from rag.features import _fixed_form, analyse_question, split_sentences

    def sentences(text):
        return split_sentences([Source("c0", "/d/a.txt", "A", 0, len(text), text, 1.0, 0.9, None)])

    q = analyse_question("What substantial error put the IPCC research in doubt?")
    assert _fixed_form(q, sentences("A mistake about glaciers put the report in doubt.")) is None
    q = analyse_question("What error do I get from random.choices when all weights are zero?")
    assert (
        _fixed_form(q, sentences("A ValueError is raised if all weights are zero.")) == "exception"
    )


def test_a_label_line_is_never_the_second_sentence_of_an_extractive_answer():
    from rag.answer import Source
    from rag.answerability import Candidate
    from rag.extractive import compose

    text = "Added in version 3.4.\n\nSource code: Lib/pathlib.py\n\nPaths are objects."
    src = Source("c0", "/d/pathlib.rst", "pathlib", 0, len(text), text, 1.0, 0.9, None)
    added = Candidate(0, 0, 21, "Added in version 3.4.", 0.3, "3.4")
    label = Candidate(0, 23, 50, "Source code: Lib/pathlib.py", 0.6, "Lib")
    prose = Candidate(0, 52, 70, "Paths are objects.", 0.6, "objects")
    assert compose("In which version?", [src], [added, label], second_ratio=0.1) == (
        "Added in version 3.4. [1]"
    )
    assert compose("In which version?", [src], [added, prose], second_ratio=0.1) == (
        "Added in version 3.4. [1] Paths are objects. [1]"
    )
    # An editor's note after the full stop is still a whole sentence (SQuAD's Wikipedia text).
    noted = Candidate(0, 52, 70, "They are mainly used in toys.[citation needed]", 0.6, "toys")
    assert compose("Where?", [src], [added, noted], second_ratio=0.1).endswith(
        "toys.[citation needed] [1]"
    )


def test_an_option_line_and_its_description_are_one_unit():
    # A manual's <dt>/<dd> (or rST's ".. cmdoption::") puts the option on its own line; the
    # description never names it, so without the join no unit holds the flag asked for.
    text = (
        "-k --keep\n\nKeep (don't delete) input files during compression.\n\n"
        "-o FILE, --output=FILE\n\nWrite to FILE.\n\n"
        "- not an option\n\nA plain sentence."
    )
    units = [text[a:b] for a, b in reading_units(text)]
    assert units[0] == "-k --keep\n\nKeep (don't delete) input files during compression."
    assert units[1] == "-o FILE, --output=FILE\n\nWrite to FILE."
    assert "A plain sentence." in units  # a Markdown bullet's dash is no option


def test_an_option_question_is_answered_by_the_option():
    q = "Which flag makes bzip2 keep the input files?"
    assert answer_kind(q) == "option"
    assert answer_kind("What command line option disables ASCII escaping?") == "option"
    assert answer_kind("Which flag does Turkey fly?") == "option"  # the form then decides
    assert answer_kind("With action='count', what value does the option have?") != "option"
    echo = _pick("bzip2 compresses files and normally deletes them.", "deletes", 0.6)
    keep = _pick(
        "-k --keep\n\nKeep (don't delete) input files during compression.", "input files", 0.3
    )
    picks = identifier_first(q, [echo, keep])
    assert picks[0].text == keep.text and picks[0].answer == "-k --keep"
    # No option anywhere: the picks stay as they are (a flag of a country is no CLI option).
    flag = _pick("The flag of Turkey is red with a white crescent.", "red", 0.9)
    assert identifier_first("Which flag does Turkey fly?", [flag]) == (flag,)


def test_an_api_option_is_still_answered_by_its_identifier():
    q = "Which quoting option makes csv.reader turn unquoted fields into floats?"
    best = _pick(
        "Instructs reader objects to convert all non-quoted fields to type float.",
        "QUOTE_NONNUMERIC",
        0.8,
    )
    assert identifier_first(q, [best]) == (best,)


def test_an_entry_joined_to_its_description_names_the_answer():
    # "BC_LINE_LENGTH" heads its description in a manual's list of environment variables.
    unit = "BC_LINE_LENGTH\n\nThis should be an integer giving the characters in an output line."
    assert [unit[a:b] for a, b in reading_units(unit)] == [unit]
    best = _pick(unit, "output line", 0.7)
    q = "Which environment variable sets the length of an output line?"
    assert identifier_first(q, [best])[0].answer == "BC_LINE_LENGTH"


def test_a_list_joined_to_its_lead_in_answers_by_its_item_or_whole():
    unit = (
        "urllib collects several modules for working with URLs: urllib.request for opening "
        "URLs; urllib.parse for parsing URLs; urllib.robotparser for parsing robots.txt files"
    )
    best = _pick(unit, "URLs", 0.8)
    one = identifier_first("Which urllib module reads robots.txt files?", [best])
    assert one[0].answer == "urllib.robotparser"
    # "Which modules": several names answer, so no one of them is shown as the answer.
    assert identifier_first("Which modules does urllib collect?", [best])[0].answer is None


def test_a_phrase_never_holds_half_a_bracket_or_quote():
    text = "This tool takes in account the -v and the -n options (note that -n implies -v)."
    phrases = [sp.text for sp in candidate_spans(tokenize(text), text, {"option"})]
    assert phrases and not [p for p in phrases if p.endswith(")") and "(" not in p]
    code = "It allows calls like ninja.rule(name='foo', command='bar', depfile='$out.d')."
    phrases = [sp.text for sp in candidate_spans(tokenize(code), code, set())]
    assert "command='bar" not in phrases and "Alibaba's" in [
        sp.text
        for sp in candidate_spans(
            tokenize("Alibaba's shares rose."), "Alibaba's shares rose.", set()
        )
    ]


def test_an_exception_question_needs_a_sentence_that_names_one() -> None:
    q = "What exception does lexer.split throw when the input has an unclosed quote?"
    docs = ["split(s): Split the string s. Raises ValueError if s is not a string."]
    assert not states_an_exception(q, ["Passing None for s reads standard input."], docs)
    assert states_an_exception(q, ["An unclosed quote raises a SyntaxError."], docs)
    # A question naming code is about code, whatever the passages found.
    assert not states_an_exception(q, ["Passing None for s reads standard input."], ["Text."])
    # The question's own exception is no answer.
    q2 = "Which exception other than ValueError can split raise?"
    assert not states_an_exception(q2, ["split raises ValueError on bad input."], docs)
    # Documents that name no exception are no code documentation ("What substantial error put
    # the research in doubt?"), and other questions are not judged.
    essay = ["A substantial error in the 2001 figures put the research in doubt."]
    assert states_an_exception("What substantial error put the research in doubt?", ["x"], essay)
    assert states_an_exception("Who wrote split?", ["Nobody."], docs)


def test_a_name_inside_the_best_phrase_answers_before_another_picks_name():
    # fontconfig's manual: the span model took the name with the words after it.
    best = _pick(
        "FONTCONFIG_FILE is used to override the default configuration file.",
        "FONTCONFIG_FILE is used",
        0.4,
    )
    other = _pick("$XDG_CONFIG_HOME/fontconfig is the per-user directory.", "XDG_CONFIG_HOME", 0.2)
    q = "Which environment variable overrides the default fontconfig configuration file?"
    top, rest = identifier_first(q, [best, other])
    assert (top.text, top.answer, rest) == (best.text, "FONTCONFIG_FILE", other)
