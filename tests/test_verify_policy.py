"""Verification policy (issue 9): context sentences, adjacent chunks, re-attachment, reasons.

Real scorer and the real question analysis on hand-made chunks; no store or model needed.
"""

from __future__ import annotations

from rag.answer import Answer, Source
from rag.answerability import Judgement, abstention_text, after_generation, on_topic
from rag.verify import verify


def _chunk(i: int, text: str, start: int, doc: str = "/d.txt") -> Source:
    return Source(f"c{i}", doc, "T", start, start + len(text), text, 1.0, 0.5, None)


WENXIN = _chunk(
    1,
    "Baidu released its first LLM Wenxin Yiyan on February 7. It was opened to the public on "
    "August 31, aiming to compete with chatbots such as ChatGPT.",
    0,
)


def test_a_context_sentence_of_an_answer_is_kept_without_the_questions_words():
    topic = on_topic("When was Wenxin Yiyan released?")
    text = (
        "Baidu released Wenxin Yiyan on February 7 [1]. "
        "It was opened to the public on August 31 [1]."
    )
    v = verify(text, [WENXIN], on_topic=topic)
    assert [s.status for s in v.sentences] == ["supported", "supported"]
    assert "August 31" in v.text
    assert v.sentences[1].reason.startswith("context of the answer")


def test_an_answer_with_no_sentence_on_the_question_is_dropped_as_off_topic():
    topic = on_topic("Who founded Tesla?")
    v = verify("It was opened to the public on August 31 [1].", [WENXIN], on_topic=topic)
    assert v.citations == [] and v.sentences[0].status == "dropped"
    assert v.sentences[0].missing == ["off-topic"] and "off-topic" in v.sentences[0].reason


def test_an_unsupported_aside_of_an_answer_says_why_it_failed_not_that_nothing_answers():
    # The answer's first sentence addresses the question; the second names none of its words
    # and its date is not the passage's: dropped for its own failure, which the reason names.
    topic = on_topic("When was Wenxin Yiyan released?")
    text = "Baidu released Wenxin Yiyan on February 7 [1]. It was opened to all on May 2 [1]."
    v = verify(text, [WENXIN], on_topic=topic)
    good, aside = v.sentences
    assert good.status == "supported" and aside.status == "dropped"
    assert "May 2" in aside.missing and "off-topic" not in aside.missing
    assert aside.reason.startswith("missing: May 2") and "off-topic" in aside.reason
    assert "no sentence of the answer" not in aside.reason


def test_support_spanning_two_adjacent_chunks_is_kept_citing_both():
    a = _chunk(1, "The assistant was built by the Qwen team in Hangzhou.", 0)
    b = _chunk(2, "It reached 3.08 million monthly users by September 2024.", a.end + 1)
    other = _chunk(3, "Tesla sold cars in Norway.", 0, doc="/other.txt")
    claim = "The Qwen team's assistant reached 3.08 million monthly users by September 2024 [1]."
    v = verify(claim, [a, other, b])
    s = v.sentences[0]
    assert s.status == "supported" and s.verdict == "supported"
    assert "adjacent" in s.reason
    assert {c.source for c in v.citations} == {"/d.txt"} and len(v.citations) == 2
    # Neither chunk alone supports it.
    assert verify(claim, [a]).sentences[0].status == "dropped"
    assert verify(claim.replace("[1]", "[2]"), [other, b]).sentences[0].status == "dropped"


def test_no_reattachment_to_a_chunk_that_merely_shares_words():
    scattered = _chunk(
        2,
        "Paris is the capital of France. The weather was mild that spring. A cloud provider "
        "announced its results. Rain fell all week. An office opened in Lyon in 2019.",
        500,
    )
    focused = _chunk(3, "In 2019 a cloud company opened an office in Paris.", 900)
    claim = "A cloud office opened in Paris in 2019 [1]."
    v = verify(claim, [WENXIN, scattered])
    assert v.sentences[0].status == "dropped" and v.citations == []
    v = verify(claim, [WENXIN, scattered, focused])
    assert v.sentences[0].status == "reattached" and v.citations[0].text == focused.text
    assert v.sentences[0].reason.startswith("re-attached")


def test_each_sentence_records_verdict_score_and_reason_in_the_json():
    text = (
        "Baidu released Wenxin Yiyan on February 9 [1]. It opened to the public on August 31 [1]."
    )
    v = verify(text, [WENXIN])
    bad, good = v.sentences
    assert bad.verdict == "unsupported" and bad.status == "dropped"
    assert "February 9" in bad.reason and bad.support < good.support
    assert good.verdict == "supported" and good.reason == ""
    answer = Answer(text=v.text, abstained=False, citations=v.citations, timings={},
                    sentences=v.sentences)  # fmt: skip
    row = answer.to_dict()["sentences"][0]
    assert {"text", "citations", "support", "status", "missing"} <= set(row)  # unchanged keys
    assert row["verdict"] == "unsupported" and row["reason"] == bad.reason


# A chunk that starts mid-document calls the town its document is about "the town", and names
# it again later, of something else. Whether that later name was carried over into the claim
# depends on what the document said before the chunk.
GUILD_CHUNK = (
    "Unlike Arnhem, the town kept its guild rules. By 1650, one third of the town's workshops "
    "were run by women. Later guilds were founded in Delft, Leiden and Utrecht."
)
LEIDEN = "By 1650, one third of Leiden's workshops were run by women."


def test_a_name_introduced_before_the_chunk_is_no_name_carried_from_later():
    from rag.verify import support, unsupported_reason

    assert support(LEIDEN, GUILD_CHUNK, "Leiden\nLeiden grew rich on cloth. ").supported
    # The document introduced another town, or nothing: the later "Leiden" was carried over.
    for before in ("Arnhem\nArnhem grew rich on cloth. ", ""):
        s = support(LEIDEN, GUILD_CHUNK, before)
        assert "'Leiden' is named in the passage only later" in unsupported_reason(s)
    # Only the title and the last stretch before the chunk are read: a name from far back is
    # not taken as what the chunk refers to.
    vats = "Cloth was dyed in vats. "
    far = "Towns of Holland\n" + vats * 20 + "Leiden grew rich. " + vats * 2000
    assert not support(LEIDEN, GUILD_CHUNK, far).supported


def test_a_person_introduced_in_full_before_the_chunk_is_the_one_it_calls_by_surname():
    from rag.verify import support

    chunk = "Lind is the company's fourth CEO. She said each business unit needs tools of its own."
    claim = "Ada Lind is Norvik's fourth chief executive."
    assert support(claim, chunk, "Norvik names Ada Lind CEO\nNorvik appointed Ada Lind. ").supported
    # Introduced as someone else, or not at all: "Ada" is a word the passage does not hold.
    for before in ("Norvik\nNorvik appointed Bo Lind in May. ", ""):
        assert not support(claim, chunk, before).supported


def test_the_documents_subject_named_in_its_title_is_no_missing_name():
    from rag.verify import support, unsupported_reason

    chunk = "Each panel has a chair and ten to twelve reviewers. Reviewers serve two-year terms."
    claim = "A Northern Rail Authority panel has ten to twelve reviewers."
    for name in ("Northern Rail Authority", "NRA"):
        assert support(claim.replace("Northern Rail Authority", name), chunk, "").supported is False
        title = "Northern Rail Authority\nThe authority was set up in 1990. "
        assert support(claim.replace("Northern Rail Authority", name), chunk, title).supported
    # A name the title does not hold, or a first line that is a paragraph, not a title.
    s = support(claim, chunk, "Southern Rail Authority\nIt was set up in 1990. ")
    assert "missing: Northern Rail Authority" in unsupported_reason(s)
    long_line = "The Northern Rail Authority " + "was set up to run the lines " * 3 + "\n"
    assert not support(claim, chunk, long_line).supported


def test_a_claim_its_cited_passage_contradicts_is_not_moved_to_another_that_agrees():
    # The cited passage has the roles the other way round; a passage elsewhere words it as the
    # claim does. The documents contradict the claim where the model looked: it is dropped.
    cited = _chunk(
        1,
        "In 1564, Ribault's former lieutenant René Laudonnière launched a second voyage; he "
        "established Fort Caroline in Florida.",
        0,
    )
    agrees = _chunk(
        2, "Jean Ribault, the former lieutenant of René Laudonnière, established Fort Caroline.", 0
    )
    claim = (
        "Fort Caroline was established by Jean Ribault, the former lieutenant of René Laudonnière"
    )
    (alone,) = verify(f"{claim} [2].", [cited, agrees]).sentences
    assert alone.status == "supported"  # the other passage does support it in words
    (s,) = verify(f"{claim} [1].", [cited, agrees]).sentences
    assert s.status == "dropped" and s.conflicts and "other way round" in s.reason


def test_only_a_backend_that_wrote_an_answer_is_said_to_have_written_one():
    judged = Judgement(True, 0.7, (), (), "m")
    q = "When did Alibaba launch Tongyi?"
    wrote = after_generation(judged, "Tongyi launched in 2023. [1]", 0, q, (), writes_answer=True)
    assert "An answer was written" in abstention_text(q, wrote)
    # The extractive backend quotes the passages: its pick addressed nothing, as usual.
    quoted = after_generation(judged, "Alibaba is large. [1]", 0, q, (), writes_answer=False)
    text = abstention_text(q, quoted)
    assert not quoted.answerable and "An answer was written" not in text
    assert text.endswith("mention the topic but do not state the answer.")


def test_padded_citations_keep_only_the_passages_the_claim_needs():
    other = _chunk(2, "Alibaba Cloud launched Tongyi Qianwen in April.", 500, "/e.txt")
    third = _chunk(3, "Quark was downloaded more than 370 million times.", 900, "/f.txt")
    sources = [WENXIN, other, third]
    v = verify("Baidu released Wenxin Yiyan on February 7 [1][2][3].", sources)
    assert v.sentences[0].status == "supported" and v.sentences[0].citations == [1]
    assert [c.source for c in v.citations] == ["/d.txt"]
    # The model's main source listed last: the padding before it goes too.
    v = verify("Baidu released Wenxin Yiyan on February 7 [3][2][1].", sources)
    assert [c.source for c in v.citations] == ["/d.txt"]
    # A claim that needs two passages keeps both.
    both = (
        "Baidu opened Wenxin Yiyan to the public on August 31, and Alibaba Cloud launched Tongyi "
        "Qianwen in April [1][2][3]."
    )
    v = verify(both, sources)
    assert v.sentences[0].status == "supported"
    assert sorted(c.source for c in v.citations) == ["/d.txt", "/e.txt"]


def test_a_title_that_is_a_sentence_is_a_claim_and_a_heading_is_not():
    # A plain text file's title is its first line, which may be the claim itself.
    text = "SenseTime is a Chinese company that makes computer vision software."
    doc = Source("c1", "/s.txt", text, 0, len(text), text, 1.0, 0.5, None)
    assert verify(text + " [1]", [doc]).sentences[0].status == "supported"
    titled = Source("c2", "/t.txt", "Alibaba's strategic shift in AI", 0, 10, text, 1.0, 0.5, None)
    v = verify("Alibaba's strategic shift in AI. [1]", [titled])
    assert v.sentences[0].status == "dropped" and "title" in v.sentences[0].reason


def test_a_lead_in_is_no_claim_and_no_refusal():
    from rag.non_claims import LEAD_IN_WHY, refused_claims

    text = "Here is what the sources say:\n- Baidu released Wenxin Yiyan on February 7 [1]."
    v = verify(text, [WENXIN], on_topic=on_topic("When was Wenxin Yiyan released?"))
    lead, claim = v.sentences
    assert lead.status == "dropped" and lead.reason == LEAD_IN_WHY
    assert claim.status == "supported"
    # Dropped as no claim, it is no sign the model invented anything.
    assert refused_claims(v.sentences) == 0
    v = verify("Baidu released Wenxin Yiyan on May 9 [1].", [WENXIN])
    assert refused_claims(v.sentences) == 1
