"""Questions about an API are answered by an identifier.

"Which class lets me manipulate Windows paths on a Unix machine?" asks for a class name, and
the reader fitted on SQuAD 2.0 (which has no such questions) ranks first the sentence that
restates the question ("If you want to manipulate Windows paths on a Unix machine (or vice
versa).") over the one after it that names the class. When a question asks for a code entity
by name and the best sentence's phrase is no identifier while one of the next best sentences'
phrase is, that sentence goes first: the answer type decides, as in any typed QA system.

On SQuAD this rule is inert by construction: 24 of its 7,742 questions ask "what method /
function / class ...", and their answers are words, not identifiers (eval figures in the
closing note of the session that added it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from index.text import tokens

if TYPE_CHECKING:
    from rag.reader import Pick  # rag.reader calls this module: no import at run time

# The nouns by which a user asks for a code entity by name. A word within two words before
# them may qualify ("which itertools function", "what exception is raised").
_CODE_NOUNS = (
    "class|subclass|exception|error|function|method|decorator|module|attribute|parameter|"
    "argument|constant|variable|property|keyword|command|option|flag"
)
# "What does replace raise if ...?" asks for an exception by its verb, as does the passive
# "What gets thrown if ...?" (no question of SQuAD 2.0 or the news dev sets is worded so).
_ASKS_RAISED = (
    r"\bwhat\s+(?:does|do|did|will|would|can|could|might)\b[^?]*\b(?:raise|throw)\b"
    r"|\bwhat\s+(?:gets|get|is|are|will\s+be|would\s+be)\s+(?:raised|thrown)\b"
)
# "What should I use instead of == ?", "What do I call on each argument?": in reference text,
# what a reader uses, calls or creates is an entry of the API, asked for by its use.
_ASKS_USED = (
    r"\bwhat\s+(?:should|do|can|must|could)\s+(?:i|we|you)\s+"
    r"(?:use|call|create|import|pass|instantiate|subclass)\b"
)
# "Is there a shlex function that ...?", "Is there a function in node:path that ...": a yes
# that is only useful with the name.
_ASKS_IS_THERE = rf"\bis\s+there\s+(?:a|an|any)\s+(?:[\w.:-]+\s+){{0,2}}?(?:{_CODE_NOUNS})\b"
_WANTS_CODE = re.compile(
    rf"\b(?:which|what)\s+(?:[\w.]+\s+){{0,2}}?(?:{_CODE_NOUNS})(?:e?s)?\b|{_ASKS_RAISED}"
    rf"|{_ASKS_USED}|{_ASKS_IS_THERE}",
    re.I,
)
# One identifier: a name, a dotted path, an optional call "()" or decorator "@".
_IDENTIFIER = re.compile(r"@?[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?:\(\))?")
# What makes a name code rather than a word: an underscore, a dotted path, a call, a
# decorator, or an inner capital after two lower-case letters (PureWindowsPath,
# JSONDecodeError; not McDonald or iPhone).
_CODE_MARK = re.compile(r"_|\w\.\w|\(\)$|^@|[a-z]{2}[A-Z]")


def wants_code(question: str) -> bool:
    """Does the question ask for a class, function, exception, ... by name?"""
    return bool(_WANTS_CODE.search(question))


def code_like(phrase: str, sentence: str = "") -> bool:
    """Is the phrase one code identifier ("PureWindowsPath", "json.loads", "@cache"), or a
    plain name the sentence calls ("pairwise(iterable): Return ...")?"""
    s = phrase.strip()
    if not _IDENTIFIER.fullmatch(s):
        return False
    return (
        bool(_CODE_MARK.search(s))
        or re.search(rf"(?<![\w.]){re.escape(s)}\(", sentence) is not None
    )


# Narrower kinds of the same idea, where the answer's form is fixed: an exception is named by
# Python's convention (PEP 8: exception classes end in "Error"; also the Warning and Exit
# families and the base classes), and a version is a dotted number ("3.4", "3.7.15").
_WANTS_EXCEPTION = re.compile(
    rf"\b(?:which|what)\s+(?:[\w.]+\s+){{0,2}}?(?:exception|error|warning)s?\b|{_ASKS_RAISED}",
    re.I,
)
_EXCEPTION = re.compile(
    r"(?<![\w.])(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Warning|Exit|Interrupt)\b"
)
# "which Python version", "what is the minimum SQLite version": the noun may come a few words
# after the wh-word; "version 3" names a version instead of asking for one.
# "Which Python release" asks for one too, but "what does photosynthesis release" is a verb:
# "release" counts only right after the wh-word or one word after it, and not before "into".
_WANTS_VERSION = re.compile(
    r"\b(?:which|what)\s+(?:[\w.]+\s+){0,4}?versions?\b(?!\s*\d)"
    r"|\b(?:which|what)\s+(?:[\w.]+\s+)?releases?\b(?!\s*\d)(?!\s+(?:into|the|a|an)\b)",
    re.I,
)
# Node.js writes its releases with a "v" ("Added in: v17.0.0").
_VERSION = re.compile(r"(?<![\w.])v?\d+\.\d+(?:\.\d+)*(?![\w.]*\w)")
# "Which flag makes bzip2 keep its input files?", "which command line option disables ...":
# a command-line option, named by its dashes ("-k", "--no-ensure-ascii"). "Option" also names
# a keyword argument or a constant in API reference ("which quoting option ..." is
# QUOTE_NONNUMERIC), so an identifier still answers such a question.
# The words between may qualify the noun ("which command line option"), not be a clause of
# their own: "what value does the option have" asks for a value.
_WANTS_OPTION = re.compile(
    r"\b(?:which|what)\s+(?:(?!(?:does|do|did|is|are|was|should|can|will)\b)[\w.-]+\s+){0,3}?"
    r"(?:flag|option|switch)(?:e?s)?\b",
    re.I,
)
# One option, or the spellings of one ("-s --small", "-v, --verbose").
_CLI_OPTION = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*(?:,?[ \t]+--?[A-Za-z][\w-]*)*(?![\w-])")


@lru_cache(maxsize=256)
def answer_kind(question: str) -> str | None:
    """ "exception", "version", "option" or "code" when the question asks for one by name,
    else None."""
    if _WANTS_EXCEPTION.search(question):
        return "exception"
    if _WANTS_VERSION.search(question):
        return "version"
    if _WANTS_OPTION.search(question):
        return "option"
    return "code" if wants_code(question) else None


# The words by which a question asks for a name of its kind: what the answer is, not what a
# passage must say ("What exception does the @unique decorator throw ...?" is answered by "a
# ValueError is raised", "Which Python release introduced StrEnum?" by "Added in version 3.11").
_KIND_WORDS = {
    "exception": "exception exceptions error errors warning warnings raise raises raised "
    "throw throws thrown threw",
    "version": "version versions release releases python added introduced new available",
    "option": "option options flag flags switch switches",
    "code": " ".join(_CODE_NOUNS.split("|")),
}


def kind_words(question: str) -> frozenset[str]:
    """The stems of the words by which `question` asks for its kind of name (none when it asks
    for no code entity, exception, version or option)."""
    kind = answer_kind(question)
    return frozenset(tokens(_KIND_WORDS[kind])) if kind else frozenset()


def names_kind(kind: str, word: str) -> bool:
    """Is `word` (one token) an exception name, a version or an option, as `kind` asks?"""
    rx = {"exception": _EXCEPTION, "option": _CLI_OPTION}.get(kind, _VERSION)
    return rx.fullmatch(word) is not None


def versions_of(text: str, asked: str) -> list[str]:
    """The versions in `text` of what the question asks about: a number right after "version"
    or "release", or after a word of the question ("requires SQLite 3.7.15" for "the minimum
    SQLite version"), not after another name ("the DB-API 2.0")."""
    out = []
    event = _event(asked)
    # "Which 19.x version first had it?" asks for a release of that line: v0.3.3 is none.
    lines = set(re.findall(r"(?<![\w.])v?(\d+)\.x\b", asked))
    for m in _VERSION.finditer(text):
        if lines and m.group().lstrip("v").split(".")[0] not in lines:
            continue
        before = re.findall(r"[\w.+-]+", text[: m.start()])
        word = before[-1].lower() if before else ""
        label = _LABEL.search(text[max(0, m.start() - 60) : m.start()])
        if event and label and _event(label.group(1)) not in (event, None):
            continue  # "Added in version 3.7" does not say when something was removed
        if (
            label
            or word in ("version", "versions", "release", "releases")
            or re.search(rf"(?<![\w.]){re.escape(word)}(?![\w.])", asked)
        ):
            out.append(m.group())
    return out


# What a version label or a question says happened. "Changed in version" says none of these
# (its note may add, remove or deprecate), so it agrees with any question.
_EVENTS = (
    ("added", re.compile(r"\b(?:added|introduced|new)\b", re.I)),
    ("deprecated", re.compile(r"\bdeprecated\b", re.I)),
    ("removed", re.compile(r"\bremoved\b", re.I)),
)
# Sphinx's "Added in version 3.7" and Node.js's "Added in: v17.0.0" (index/markup.py): the
# label's words, and a release as it follows one.
_LABEL_WORDS = r"(added|new|deprecated|removed|changed)\s+(?:in|since)(?:\s+versions?|:)"
_RELEASE = r"v?\d+(?:\.\d+)*"
# A label right before a version, the earlier ones of a list included ("Added in: v19.4.0,").
_LABEL = re.compile(rf"\b{_LABEL_WORDS}(?:\s*{_RELEASE},)*\s*$", re.I)
# A label and its releases, ending its sentence ("Added in version 3.9.").
BARE_LABEL = re.compile(rf"{_LABEL_WORDS}\s*{_RELEASE}(?:,\s*{_RELEASE})*\.?", re.I)


def bare_version_label(sentence: str) -> bool:
    """ "Added in version 3.9.", "Added in: v19.4.0, v18.14.0.": a version label and nothing
    else, which dates the entry it closes without naming it."""
    return BARE_LABEL.fullmatch(sentence.strip()) is not None


def opens_with_bare_label(text: str) -> bool:
    """Does `text` open with a bare version label as its own sentence ("Added in version 3.9.
    exit_on_error: Normally ...", as rag.pipeline.by_document joins one to its context)?"""
    text = text.strip()
    m = BARE_LABEL.match(text)
    if m is None:
        return False
    rest = text[m.end() :]
    return not rest or (m.group().endswith(".") and rest[0].isspace())


# "Since which version does random offer X?" asks when X came: a deprecation or a removal is
# another event ("Deprecated since version 3.10: ..."), a "Changed in version" note may say it.
_SINCE_WHICH = re.compile(r"\bsince\s+(?:which|what)\b", re.I)


def _event(text: str) -> str | None:
    found = [name for name, rx in _EVENTS if rx.search(text)]
    if not found and _SINCE_WHICH.search(text):
        return "added"
    return found[0] if len(found) == 1 else None


def _named(kind: str, text: str, asked: str) -> str | None:
    """The first name of `kind` in `text` that the question does not already say."""
    if kind == "code":
        found = [w for w in _IDENTIFIER.findall(text) if code_like(w, text)]
    elif kind == "version":
        found = versions_of(text, asked)
    elif kind == "option":
        found = _CLI_OPTION.findall(text)
    else:
        found = _EXCEPTION.findall(text)
    return next((w for w in found if w.lower() not in asked), None)


def states_an_exception(
    question: str, sentences: Sequence[str], passages: Sequence[str] = ()
) -> bool:
    """Does one of `sentences` name an exception the question does not, when the question asks
    which exception (or what is raised) of documents that name exceptions (`passages`)? True
    for any other question, and with no sentence to judge. The "How many ...?" and "Which
    version ...?" rules for exceptions: an exception is named by Python's convention
    (`_EXCEPTION`), and a pick that names none ("passing None for s will read the string to
    split from standard input." for "What exception does shlex.split throw on an unclosed
    quote?") answers nothing. A question on documents that name no exception and naming no
    code itself ("shlex.split") is no question about code: of SQuAD 2.0's 7,742 questions, 4
    read as asking for an exception ("What substantial error put the IPCC research in doubt?",
    "the exceptions in the constitution"), and neither they nor their passages name code."""
    if not sentences or answer_kind(question) != "exception":
        return True
    names_code = any(code_like(w, question) for w in _IDENTIFIER.findall(question))
    if not names_code and not any(_EXCEPTION.search(p) for p in passages):
        return True
    asked = question.lower()
    return any(_named("exception", s, asked) is not None for s in sentences)


def _fits(kind: str, phrase: str | None, sentence: str, asked: str) -> bool:
    if not phrase:
        return False
    if kind == "code":
        return code_like(phrase, sentence)
    if kind == "version":
        return phrase.strip() in versions_of(sentence, asked)
    if kind == "option" and code_like(phrase, sentence):
        return True  # "which quoting option": a constant or keyword argument
    return names_kind(kind, phrase.strip())


def identifier_first(
    question: str,
    picks: Sequence[Pick],
    following: Callable[[Pick], Pick | None] = lambda p: None,
    deeper: Callable[[], Sequence[Pick]] = tuple,
) -> tuple[Pick, ...]:
    """The picks, with the best one whose phrase is a new name of the kind asked for first when
    the question asks for a code entity and the best pick's phrase is none (else unchanged).

    When none of them offers one, the sentence right after the best pick may: reference text
    states a rule, then what breaking it raises ("It is an error for changes to contain any
    fields that are defined as having init=False. A ValueError will be raised in this case.").
    `following(pick)` gives that pair as one pick (its phrase unset), or None.

    For the narrow kinds (an exception, a version) a sentence lower in the reader's ranking may
    also answer: `deeper()` gives the next best sentences, and the best one naming an exception
    (or a version) the question does not say goes first, with that name as its answer. A name of
    that form is the answer's type itself, which a broad "code" identifier is not."""
    picks = tuple(picks)
    kind = answer_kind(question) if picks else None
    if kind is None:
        return picks
    out = _typed_first(question, kind, picks, following, deeper)
    if kind == "code" and _asks_plural(question) and _joined_list(out[0].text):
        return (replace(out[0], answer=None), *out[1:])  # the whole list answers "which modules"
    return out


def _typed_first(question: str, kind: str, picks: tuple, following, deeper) -> tuple:
    asked = question.lower()
    if _fits(kind, picks[0].answer, picks[0].text, asked):
        return picks
    if kind != "version" and (name := _named(kind, picks[0].answer or "", asked)):
        # The best pick's phrase holds the name with words around it ("FONTCONFIG_FILE is
        # used" of "FONTCONFIG_FILE is used to override the default configuration file."):
        # the name answers, rather than another pick's name ("XDG_CONFIG_HOME").
        return (replace(picks[0], answer=name), *picks[1:])
    for k, p in enumerate(picks[1:], 1):
        if _fits(kind, p.answer, p.text, asked) and p.answer.lower() not in asked:
            return (p, *picks[:k], *picks[k + 1 :])
    pair = following(picks[0])
    if pair is not None:
        name = _named(kind, pair.text[len(picks[0].text) :], asked)
        if name is not None:
            return (replace(pair, answer=name), *picks[1:])
    if kind == "code":
        # The best pick describes the entry it is joined to ("BC_LINE_LENGTH\n\nThis should be an
        # integer ..."): that entry's name answers "which environment variable ...".
        name = _entry_name(picks[0].text) or _item_name(picks[0].text, asked)
        if name is not None and name.lower() not in asked and code_like(name, picks[0].text):
            return (replace(picks[0], answer=name), *picks[1:])
        return picks
    for k, p in enumerate(picks):
        if (name := _named(kind, p.text, asked)) is not None:
            return (replace(p, answer=name), *picks[:k], *picks[k + 1 :])
    for p in deeper():
        if (name := _named(kind, p.text, asked)) is not None:
            return (replace(p, answer=name), *picks)
    return picks


def _entry_name(unit: str) -> str | None:
    """The name heading a signature unit ("json.loads(s, ...)" -> "json.loads"), else None."""
    head, sep, _ = unit.partition("\n")
    if not sep:
        return None
    name = _IDENTIFIER.match(head.strip())
    return name.group().removesuffix("()") if name else None


def _asks_plural(question: str) -> bool:
    """ "Which modules ...": the answer is several names, no one of them."""
    m = _WANTS_CODE.search(question)
    return m is not None and m.group().endswith("s") and not m.group().endswith("ss")


def _joined_list(unit: str) -> bool:
    """A short list joined to its lead-in (index/lists.py): "lead-in: item; item"."""
    _, sep, rest = unit.partition(": ")
    return bool(sep) and "; " in rest


def _item_name(unit: str, asked: str) -> str | None:
    """In a list joined to its lead-in ("... modules for working with URLs: urllib.request for
    opening and reading URLs; ...; urllib.robotparser for parsing robots.txt files"), the first
    identifier of the one item that shares the most words with the question."""
    if not _joined_list(unit):
        return None
    rest = unit.partition(": ")[2]
    words = set(tokens(asked))
    scored = [(len(words & set(tokens(item))), item) for item in rest.split("; ")]
    best, item = max(scored, key=lambda x: x[0])
    if best == 0 or [n for n, _ in scored].count(best) > 1:
        return None
    found = [w for w in _IDENTIFIER.findall(item) if code_like(w, item)]
    return found[0] if found else None
