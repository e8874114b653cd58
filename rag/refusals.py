"""A written answer that says the passages do not give the answer: a refusal in the model's words.

The prompt asks for "NOT IN DOCUMENTS", but capable models often say it their own way: "The
documents do not state Alibaba's total revenue for fiscal year 2024. They only say that its AI
investments hit over $10 billion [1]." Verified as claims, the first sentence cites nothing and
is dropped, the second is supported, and the reply would be shown as an answer ("Answer: 10
billion"): the model's honest "not stated" turned into a wrong answer.

`says_not_found` tells such sentences: the writer says the sources lack something ("the
documents do not mention", "none of the passages name", "not stated in the provided text"),
or that it cannot find or answer it ("I could not find", "I don't know"), or "There is no
information about ...". Each form needs the writer's voice: a first person, or the sources
named as such. A document's own negative ("The company did not disclose the amount", "There is
no evidence that ...", "the context manager does not suppress it") is a claim to verify, not a
refusal. None of the 382 + 3,931 + 133,890 sentences of the news corpus, the 23 SQuAD 2.0
articles and the Python library pages matches (tests/test_refusals.py checks them, with the
phrasings), nor do the 45,315 of SciFact's abstracts, the 232,389 of the rest of the Python
documentation, or any sentence of llm_answers_dev and grounding_pairs_dev. A quoted "I don't know
in what way they could be brought back" (a SQuAD article) is why "I don't know" counts only alone.
"""

from __future__ import annotations

import re

from index.text import sentence_spans, strip_markers
from rag.prompt import NOT_FOUND

# The sources as the writer names them. Plural nouns are the writer's own ("the documents");
# a bare singular needs a word that points at what was given ("the provided text", "the
# context given"), so "the context manager" or "the source code" is never one.
_GIVEN = r"(?:provided|given|supplied|available|retrieved|cited|numbered|above|listed|quoted)"
_PLURAL = r"(?:documents|sources|passages|excerpts|snippets|texts|articles|search results)"
_SINGULAR = r"(?:document|source|passage|excerpt|text|article|context|information|material)"
_SOURCES = (
    rf"(?:(?:the|these|those|your|my)\s+(?:{_GIVEN}\s+)?{_PLURAL}"
    rf"|(?:the|this)\s+{_GIVEN}\s+{_SINGULAR}"
    rf"|(?:the|this)\s+{_SINGULAR}\s+(?:{_GIVEN}|you\s+(?:gave|provided|shared)))"
)
_SAY = (
    r"(?:say|says|said|state|states|stated|mention|mentions|mentioned|specify|specifies|"
    r"specified|contain|contains|contained|include|includes|included|provide|provides|provided|"
    r"give|gives|gave|name|names|named|disclose|discloses|disclosed|indicate|indicates|"
    r"indicated|report|reports|reported|cover|covers|covered|address|addresses|addressed|"
    r"discuss|discusses|discussed|offer|offers|offered|list|lists|listed|identify|identifies|"
    r"identified|reveal|reveals|revealed|detail|details|detailed|answer|answers|answered|tell|"
    r"tells|told|explain|explains|explained|describe|describes|described|support|supports|"
    r"supported|confirm|confirms|confirmed|refer|refers|referred|touch|touches)"
)
_NOT = r"(?:do\s+not|does\s+not|did\s+not|don['’]t|doesn['’]t|didn['’]t|never|fail\s+to|fails\s+to)"
_PATTERNS = (
    # "The documents do not mention ...", "the provided text doesn't say".
    rf"\b{_SOURCES}\s+(?:\w+\s+)?{_NOT}\s+(?:\w+\s+)?{_SAY}\b",
    # "The sources mention DeepSeek but do not name its founder."
    rf"\b{_SOURCES}\s+[^.;!?]{{0,80}}?\bbut\s+(?:they\s+|it\s+)?{_NOT}\s+(?:\w+\s+)?{_SAY}\b",
    # "The sources contain no / give no / make no mention of / are silent on / lack ...".
    rf"\b{_SOURCES}\s+(?:contain|contains|give|gives|provide|provides|offer|offers|include|"
    rf"includes|make|makes|have|has)\s+no\b",
    rf"\b{_SOURCES}\s+(?:are|is)\s+silent\b",
    # "None of the sources mention ...", "No source states ...", "Neither passage names ...".
    rf"\b(?:none|neither)\s+of\s+{_SOURCES}\b",
    rf"\bno\s+(?:{_GIVEN}\s+)?(?:document|source|passage|excerpt)s?\s+{_SAY}\b",
    # "... is not mentioned in the documents", "not stated in the provided text".
    rf"\bnot\s+(?:\w+\s+)?{_SAY}\s+(?:in|by|within|anywhere\s+in)\s+{_SOURCES}",
    rf"\bnot\s+(?:available|found|present|given)\s+(?:in|from|within)\s+{_SOURCES}",
    rf"\b(?:from|based\s+on|in|with|using)\s+{_SOURCES}\s*,?\s+(?:it\s+is|it['’]s|i)\s+"
    r"(?:not\s+possible|impossible|cannot|can['’]t|can\s+not|unable)\b",
    rf"\b(?:cannot|can['’]t|can\s+not)\s+be\s+(?:determined|answered|found|inferred|confirmed)"
    rf"\s+(?:from|in|with|using|based\s+on)\s+{_SOURCES}",
    # The writer's own inability: "I could not find ...", "I'm unable to answer", "I don't know."
    r"\bi(?:\s+|(?=['’]m\s))(?:could\s+not|couldn['’]t|cannot|can['’]t|can\s+not|was\s+unable\s+to|am\s+unable\s+"
    r"to|['’]m\s+unable\s+to|am\s+not\s+able\s+to|['’]m\s+not\s+able\s+to|did\s+not|didn['’]t|do\s+"
    r"not|don['’]t)\s+(?:\w+\s+)?(?:find|locate|answer|determine|identify|tell)\b",
    # "I don't know" alone or "from the sources", not a quoted "I don't know in what way they
    # could be brought back" (a Wikipedia article) or "I don't know what you'd need this for".
    r"\bi\s+(?:do\s+not|don['’]t|did\s+not|didn['’]t)\s+know\b\s*(?:$|[.,;:!]|the\s+answer\b|"
    r"from\b|based\b|according\b)",
    # "There is no information about ...", "No information is given on ...".
    r"^\s*(?:unfortunately,?\s+|sorry,?\s+)?there\s+(?:is|was)\s+no\s+(?:(?:specific|direct|"
    r"explicit|such)\s+)?(?:information|mention|answer|data|details?)\b",
    r"^\s*no\s+(?:(?:specific|direct|explicit|such)\s+)?(?:information|mention|answer|details?)"
    r"\s+(?:is|was|are|were|can\s+be)\s+(?:given|provided|available|found|made|stated)\b",
)
_NOT_FOUND_RE = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.I)


def says_not_found(sentence: str) -> bool:
    """The sentence says the sources do not give something, or that the writer cannot find or
    answer it: a refusal, not a claim about the world."""
    text = " ".join(strip_markers(sentence).split())
    return NOT_FOUND.lower() in text.lower() or bool(_NOT_FOUND_RE.search(text))


def opens_with_refusal(text: str) -> bool:
    """The reply's first sentence, its answer to the question, says the sources do not give it:
    what follows is context the model offers instead ("They only say that ...")."""
    plain = strip_markers(text)
    spans = sentence_spans(plain)
    return bool(spans) and says_not_found(plain[spans[0][0] : spans[0][1]])
