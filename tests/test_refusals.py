"""A model's refusal in its own words ("The documents do not state ...") is told from a claim.

The phrasings are the forms capable models use when the passages lack the answer; the
non-refusals are documents' own negatives, which are claims to verify. The corpus test is the
measurement behind the patterns: no sentence of any document we evaluate on reads as a refusal.
"""

import json
from pathlib import Path

import pytest

from index.text import sentence_spans
from rag.refusals import opens_with_refusal, says_not_found

from .conftest import CORPUS, EVAL, SHARED

LIBRARY = Path("/usr/share/doc/python3.11/html/_sources/library")

REFUSALS = [
    "NOT IN DOCUMENTS",
    "Not in documents.",
    "The documents do not state Alibaba's total revenue for fiscal year 2024.",
    "The provided sources don't mention who founded DeepSeek [1].",
    "The sources do not name its founder or CEO.",
    "The passages provided do not specify the exact date.",
    "The given text does not say why Telenet was purchased.",
    "These documents never explain the reason.",
    "The sources mention DeepSeek but do not name its founder.",
    "The provided documents discuss Telenet's sale to GTE, but they don't explain why.",
    "The context provided does not include that figure.",
    "The sources contain no information about the lower class in Victoria.",
    "The documents make no mention of a 1970 population density.",
    "The articles are silent on his birthplace.",
    "None of the sources mention a founder.",
    "Neither of the passages gives the answer.",
    "No source states the revenue for 2024.",
    "This is not mentioned in the provided documents.",
    "The reason is not stated in the sources.",
    "That figure is not available in the provided text.",
    "Based on the provided sources, it is not possible to determine who the CEO is.",
    "From the documents, I cannot tell when it happened.",
    "The answer cannot be determined from the given information.",
    "I could not find this in the provided sources.",
    "I couldn't find any information about DeepSeek's CEO.",
    "I'm unable to answer this from the documents.",
    "I am not able to determine the year.",
    "I don't know.",
    "Sorry, I don't know the answer.",
    "There is no information about Alibaba's revenue in fiscal year 2024.",
    "Unfortunately, there is no mention of the founder.",
    "No information is given about the founder.",
]

CLAIMS = [
    "The company did not disclose the amount.",
    "Alibaba's filing does not mention a dividend.",
    "There is no evidence that the drug works.",
    "If the context manager does not suppress the exception, it is re-raised.",
    "The source code does not contain tests.",
    "The text editor does not save backups by default.",
    "None of the board members objected to the plan.",
    "I don't know in what way they could be brought back.",
    "It is not possible to determine both position and momentum exactly.",
    "DeepSeek is a China-based AI company that has emerged as a domestic rival to Alibaba.",
    "The report was not published until 2007.",
    "No document was signed before the treaty.",
]


@pytest.mark.parametrize("sentence", REFUSALS)
def test_a_refusal_in_own_words_is_told(sentence):
    assert says_not_found(sentence)


@pytest.mark.parametrize("sentence", CLAIMS)
def test_a_documents_own_negative_is_a_claim(sentence):
    assert not says_not_found(sentence)


def test_only_an_opening_refusal_refuses_the_reply():
    assert opens_with_refusal(
        "The documents do not state the revenue. They only say AI investments hit $10 billion [1]."
    )
    assert not opens_with_refusal(
        "Eddie Wu is the CEO [1]. The documents do not say when he took office."
    )
    assert not opens_with_refusal("")


def _sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


def test_no_sentence_of_the_evaluated_documents_reads_as_a_refusal():
    """The news corpus, the 23 SQuAD 2.0 articles, the Python library pages and every sentence
    a capable model wrote in llm_answers_dev (its "NOT IN DOCUMENTS" rows aside): a document
    sentence read as a refusal would turn a faithful answer into an abstention."""
    files = [p for p in CORPUS.rglob("*") if p.is_file()]
    files += sorted((SHARED / "data" / "squad2-dev" / "corpus").glob("*.txt"))
    files += sorted(LIBRARY.glob("*.rst.txt"))
    assert len(files) > 200, "python3.11-doc missing: run .ci/setup"
    sentences = [s for f in files for s in _sentences(f.read_text(errors="replace"))]
    for line in (EVAL / "llm_answers_dev.jsonl").open():
        sentences += [
            s["text"] for s in json.loads(line)["sentences"] if s["text"] != "NOT IN DOCUMENTS"
        ]
    assert len(sentences) > 100_000
    matched = [s for s in sentences if says_not_found(s)]
    assert matched == []
