"""Replies as capable models write them, through the real read path: a refusal in the model's
own words ("The documents do not state ..."), citations written "[Source 1]", Markdown bullets
and emphasis, reasoning blocks, terse answers. tests/test_refusals.py tells refusals from claims.

The phrasings are the forms capable models use when the passages lack the answer; the
non-refusals are documents' own negatives, which are claims to verify. The corpus test is the
measurement behind the patterns: no sentence of any document we evaluate on reads as a refusal.
"""

import json
from pathlib import Path

import pytest

from eval.runner import grounding_scores
from index.pipeline import IndexConfig, index_paths
from rag.llm import LLMConfig, LLMError
from rag.pipeline import AskConfig, Pipeline
from rag.replies import plain_reply, terse_answer, unfinished_reasoning, without_reasoning

from .conftest import CORPUS, JsonHandler, loopback_server, run_rag

# --- through the real read path, with the scripted backend on the news corpus -----------------

REVENUE = "What was Alibaba's total revenue in fiscal year 2024?"
CEO = "Who is the CEO of Alibaba Group?"
DEEPSEEK = "Who is the founder and CEO of DeepSeek?"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("store")
    index_paths([CORPUS], IndexConfig(store=path))
    return path


def ask_scripted(store: Path, tmp_path: Path, question: str, text: str):
    script = tmp_path / "replies.jsonl"
    script.write_text(json.dumps({"question": question, "text": text}) + "\n", encoding="utf-8")
    llm = LLMConfig(backend=f"scripted:{script}")
    p = Pipeline(AskConfig(index=IndexConfig(store=store), llm=llm))
    try:
        return p.ask(question)
    finally:
        p.close()


def test_a_reply_opening_with_a_refusal_abstains(store, tmp_path: Path):
    # Before: the refusal was dropped as uncited, the context sentence was verified, and the
    # reply was shown as the answer "10 billion".
    ans = ask_scripted(
        store,
        tmp_path,
        REVENUE,
        "The documents do not state Alibaba's total revenue for fiscal year 2024. They only say "
        "that Alibaba's AI investments hit over $10 billion by 2024 [1].",
    )
    assert ans.abstained and ans.answer is None and not ans.citations
    assert ans.text.startswith("The documents do not say") and "10 billion" not in ans.text


def test_a_refusal_alone_is_no_answer_that_failed_verification(store, tmp_path: Path):
    ans = ask_scripted(store, tmp_path, CEO, "I could not find this in the provided sources.")
    assert ans.abstained
    assert "An answer was written" not in ans.text


def test_a_caveat_after_an_answer_is_kept_uncited(store, tmp_path: Path):
    ans = ask_scripted(
        store,
        tmp_path,
        CEO,
        "Eddie Wu Yongming is the CEO of Alibaba Group [1]. "
        "The documents do not say when he took office.",
    )
    assert not ans.abstained and "Eddie Wu" in (ans.answer or "")
    assert ans.text.endswith("The documents do not say when he took office.")
    assert [s.status for s in ans.sentences] == ["supported", "not_stated"]
    assert ans.sentences[1].verdict == "not-stated" and ans.sentences[1].citations == []
    # The caveat is no claim: the grounding figures count the answer's one claim.
    assert grounding_scores(ans)["supported_sentences"] == 1.0


def test_a_caveat_on_what_was_asked_leaves_no_short_answer(store, tmp_path: Path):
    ans = ask_scripted(
        store,
        tmp_path,
        DEEPSEEK,
        "DeepSeek is a China-based AI contender and a domestic rival to Alibaba [1]. "
        "The sources do not name its founder or CEO.",
    )
    assert not ans.abstained and ans.answer is None  # before: "Alibaba"
    assert "The sources do not name its founder or CEO." in ans.text


@pytest.mark.parametrize(
    "reply",
    [
        "Eddie Wu Yongming is the CEO of Alibaba Group [Source 1]. He announced two strategic "
        "focuses, User First and AI-Driven (Source 1).",
        "According to Source 1, Eddie Wu Yongming is the CEO of Alibaba Group.",
    ],
)
def test_citations_written_as_source_numbers_are_read(store, tmp_path: Path, reply):
    # Before: "Source" and "1" were read as words of the claim ("missing: 1, Source"), every
    # sentence was dropped and the correct answer ended as an abstention.
    ans = ask_scripted(store, tmp_path, CEO, reply)
    assert not ans.abstained and "Eddie Wu" in (ans.answer or "")
    assert ans.text.startswith("Eddie Wu Yongming is the CEO") and "Source" not in ans.text
    assert all(s.status == "supported" and s.citations == [1] for s in ans.sentences)


@pytest.mark.parametrize(
    ("written", "read"),
    [
        (
            "**Eddie Wu** is the CEO [1]. He set two focuses:\n\n- *User First* [1]\n"
            "- *AI-Driven* [1]",
            "Eddie Wu is the CEO [1]. He set two focuses: User First [1]; AI-Driven [1].",
        ),
        (
            "### Answer\nTongyi was spun off in late 2022 [2].",
            "Tongyi was spun off in late 2022 [2].",
        ),
        # Whole sentences stay sentences, verified one by one.
        (
            "Key points:\n1. Quark had 370 million downloads by 2024 [1].\n2. It became an AI "
            "assistant for students. [2]",
            "Key points:\nQuark had 370 million downloads by 2024 [1].\nIt became an AI assistant "
            "for students. [2]",
        ),
        ("- Eddie Wu is the CEO [Source 1]", "Eddie Wu is the CEO. [1]"),
        # A label before the answer.
        ("Answer: Eddie Wu [1].", "Eddie Wu [1]."),
        ("**Short answer:** Eddie Wu is the CEO [1].", "Eddie Wu is the CEO [1]."),
        ("A: Eddie Wu [1]", "Eddie Wu [1]"),
        # A list of the sources at the end: titles, no claims.
        (
            "Eddie Wu is the CEO [1].\n\nSources:\n[1] Alibaba new CEO announces\n[2] Wild Ride",
            "Eddie Wu is the CEO [1].",
        ),
        ("Eddie Wu is the CEO [1].\n**References**\n- [1] Alibaba", "Eddie Wu is the CEO [1]."),
        (
            "Sources of revenue:\n- Cloud [1]\n- Commerce [2]",
            "Sources of revenue: Cloud [1]; Commerce [2].",
        ),
        # A source named instead of cited: the words go, the number is the marker.
        ("According to Source 1, Eddie Wu is the CEO.", "Eddie Wu is the CEO. [1]"),
        ("As [2] reports, Tongyi was spun off in 2022.", "Tongyi was spun off in 2022. [2]"),
        ("A [1]. Source 3 states that the firm grew.", "A [1]. The firm grew. [3]"),
        ("[1] notes that Quark grew.", "Quark grew. [1]"),
        ("Per source #4, the fee is $5 [4].", "The fee is $5 [4]."),
        ("As a result, prices rose [1].", "As a result, prices rose [1]."),
        # Not emphasis: a product, a glob, a code span.
        (
            "Use `os.sep` or *.py files; 2 * 3 = 6 [1].",
            "Use `os.sep` or *.py files; 2 * 3 = 6 [1].",
        ),
    ],
)
def test_markdown_replies_read_as_sentences(written, read):
    assert plain_reply(written) == read


def test_a_bulleted_answer_keeps_every_item(store, tmp_path: Path):
    # Before: "- *AI-Driven* [1]" was too short to read as a sentence and vanished from the
    # answer; the lead-in was verified alone and the asterisks were shown.
    ans = ask_scripted(
        store,
        tmp_path,
        "What two strategic priorities did Eddie Wu set when he became CEO?",
        "**Eddie Wu** set two strategic focuses for Alibaba:\n\n- *User First* [1]\n"
        "- *AI-Driven* [1]",
    )
    assert not ans.abstained
    assert "User First" in ans.text and "AI-Driven" in ans.text and "*" not in ans.text
    assert [s.status for s in ans.sentences] == ["supported"]


# --- reasoning models: "<think>...</think>" before the answer ----------------------------------


@pytest.mark.parametrize(
    ("written", "answer", "unfinished"),
    [
        (
            "<think>The sources say Wu.</think>\n\nEddie Wu is the CEO [1].",
            "Eddie Wu is the CEO [1].",
            False,
        ),
        (
            "Checking source 1 first.</think>Eddie Wu is the CEO [1].",
            "Eddie Wu is the CEO [1].",
            False,
        ),
        ("<thinking>a</thinking>A [1]. <think>b</think>B [2].", "A [1]. B [2].", False),
        ("<think>Let me read the sources. The first one says", "", True),
        ("<think>Source 1 names him.</think>\n", "", True),
        ("Eddie Wu is the CEO [1].", "Eddie Wu is the CEO [1].", False),
    ],
)
def test_reasoning_is_not_part_of_the_answer(written, answer, unfinished):
    assert without_reasoning(written) == answer
    assert unfinished_reasoning(written) is unfinished


REASONED = (
    "<think>The user asks who the CEO is. Source 1 names Eddie Wu Yongming as the new CEO, "
    "so the answer is Eddie Wu.</think>\n\nEddie Wu Yongming is the CEO of Alibaba Group [1]."
)


class ReasoningModel(JsonHandler):
    """An OpenAI-compatible server for a reasoning model (as Ollama or llama.cpp serve Qwen3):
    its reply holds its reasoning; under 1,000 tokens it never gets past it."""

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        text = REASONED if body.get("max_tokens", 0) >= 1000 else REASONED[:60]
        if not body.get("stream"):
            message = {"role": "assistant", "content": text}
            choice = {"index": 0, "message": message, "finish_reason": "stop"}
            self.send_json(200, {"id": "r", "object": "chat.completion", "created": 0,
                                 "model": "qwen3", "choices": [choice]})  # fmt: skip
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for k in range(0, len(text), 40):
            delta = {"content": text[k : k + 40]}
            chunk = {"id": "r", "object": "chat.completion.chunk", "created": 0, "model": "qwen3",
                     "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}  # fmt: skip
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")


@pytest.fixture(scope="module")
def reasoning_server():
    with loopback_server(ReasoningModel) as url:
        yield url + "/v1"


def test_a_reasoning_models_answer_is_read_without_its_reasoning(store, reasoning_server):
    llm = LLMConfig(backend="openai", base_url=reasoning_server, model="qwen3", max_tokens=4096)
    p = Pipeline(AskConfig(index=IndexConfig(store=store), llm=llm))
    try:
        ans = p.ask(CEO)
    finally:
        p.close()
    assert not ans.abstained and "Eddie Wu" in (ans.answer or "")
    assert "think" not in ans.text and "user asks" not in ans.text
    assert [s.status for s in ans.sentences] == ["supported"]


def test_a_reply_cut_off_while_reasoning_says_so_and_how_to_fix_it(store, reasoning_server):
    # Not "The documents do not say": they do; the model ran out of tokens before answering.
    llm = LLMConfig(backend="openai", base_url=reasoning_server, model="qwen3")
    p = Pipeline(AskConfig(index=IndexConfig(store=store), llm=llm))
    try:
        with pytest.raises(LLMError, match=r"256 tokens\) reasoning .* --max-tokens 2048"):
            p.ask(CEO)
    finally:
        p.close()
    proc = run_rag("ask", CEO, "--store", str(store), "--llm", "openai", "--base-url",
                   reasoning_server, "--model", "qwen3", "--max-tokens", "4096")  # fmt: skip
    assert "Answer: Eddie Wu" in proc.stdout and "think" not in proc.stdout
    bad = run_rag("ask", CEO, "--store", str(store), "--max-tokens", "0", check=False)
    assert bad.returncode != 0 and len(bad.stderr.strip().splitlines()) == 1
    assert "--max-tokens must be at least 1, not 0" in bad.stderr


def test_a_listed_document_title_is_no_claim(store, tmp_path: Path):
    # SmolLM2-135M lists the sources' titles ("1) Alibaba's strategic shift in AI"): the words
    # are in the passage, but a title answers nothing.
    title = "Alibaba new CEO announces strategic focus on ‘User First’, ‘AI-Driven’ transformation"
    ans = ask_scripted(store, tmp_path, CEO, f"1) {title}\n2) {title}")
    assert ans.abstained
    assert [s.reason for s in ans.sentences] == ["the title of a retrieved document, not a claim"]
    kept = ask_scripted(store, tmp_path, CEO, f"{title} [1]. Eddie Wu Yongming is the CEO [1].")
    assert not kept.abstained and kept.text.startswith("Eddie Wu Yongming is the CEO")


def test_a_yes_or_no_is_no_phrase_to_look_up():
    assert terse_answer("Yes [1].") is None and terse_answer("No.") is None
    assert terse_answer("False [2]") == "False" and terse_answer("Eddie Wu [1].") == "Eddie Wu"
    assert terse_answer("Eddie Wu Yongming is the CEO of Alibaba Group [1].") is None


@pytest.mark.parametrize(
    ("question", "reply", "answer"),
    [
        (CEO, "Eddie Wu [1].", "Eddie Wu"),
        ("When was Tongyi spun off from Alibaba Cloud?", "Late 2022.", "Late 2022"),
        (DEEPSEEK, "Liang Wenfeng [1].", None),  # invented: no sentence on the question holds it
    ],
)
def test_a_terse_reply_is_verified_through_the_sentence_that_holds_it(
    store, tmp_path: Path, question, reply, answer
):
    # Before: "Eddie Wu [1]." was too short to read as a sentence, and the correct answer ended
    # as "The documents do not say".
    ans = ask_scripted(store, tmp_path, question, reply)
    assert ans.answer == answer and ans.abstained == (answer is None)
    if answer:
        assert answer.lower() in ans.text.lower() and len(ans.text.split()) > 8
        assert [s.status for s in ans.sentences] == ["supported"] and ans.citations
