"""The scripted backend: canned answers replayed through the real read path on the dev corpus."""

import json
from pathlib import Path

import pytest

from index.errors import ConfigError
from index.pipeline import IndexConfig, index_paths
from index.text import squash
from rag.answer import Source
from rag.llm import LLMConfig, LLMError, Prompt, get_llm
from rag.pipeline import AskConfig, Pipeline
from rag.reader import default_model
from rag.retrieval import retrieve
from rag.scripted import answer_text

from .conftest import CORPUS, EVAL, run_rag

LLM_ANSWERS = EVAL / "llm_answers_dev.jsonl"
NEWS_ROWS = [json.loads(line) for line in LLM_ANSWERS.open() if line.startswith('{"id": "dev-')]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("store")
    index_paths([CORPUS], IndexConfig(store=path))
    return path


def pipeline(store: Path, backend: str) -> Pipeline:
    return Pipeline(AskConfig(index=IndexConfig(store=store), llm=LLMConfig(backend=backend)))


def write_rows(path: Path, rows: list[dict]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return f"scripted:{path}"


def replay_squad(tmp_path: Path, qid: str, variant: str, article: str) -> dict:
    """The extractive answer and llm_answers_dev's `variant` answer to SQuAD question `qid`,
    asked of a store holding its one article: {"extractive": Answer, "scripted": Answer}."""
    row = next(
        json.loads(line)
        for line in LLM_ANSWERS.open()
        if f'"{qid}"' in line and f'"{variant}"' in line
    )
    store = tmp_path / "store"
    index_paths([EVAL.parent / "data/squad2-dev/corpus" / article], IndexConfig(store=store))
    answers = {}
    for backend in ("extractive", f"scripted:{LLM_ANSWERS}#variant={variant}"):
        p = pipeline(store, backend)
        try:
            answers[backend.split(":")[0]] = p.ask(row["question"])
        finally:
            p.close()
    return answers


def src(i: int, text: str, start: int = 0, source: str = "/d/a.txt") -> Source:
    return Source(f"c{i}", source, "A", start, start + len(text), text, 1.0, 0.9, None)


# --- the backend alone ---------------------------------------------------------------------------


def test_simple_rows_match_the_question_modulo_whitespace(tmp_path: Path):
    llm = get_llm(
        LLMConfig(
            backend=write_rows(tmp_path / "a.jsonl", [{"question": "Who  is X?", "text": "X. [1]"}])
        )
    )
    assert not llm.is_model and llm.name == "scripted:a.jsonl"
    assert list(llm.generate(Prompt(question=" Who is\nX? "))) == ["X. [1]"]


def test_a_question_without_a_row_fails_in_one_line_naming_the_file(tmp_path: Path):
    backend = write_rows(tmp_path / "a.jsonl", [{"question": "Q?", "text": "A."}])
    with pytest.raises(LLMError) as info:
        list(get_llm(LLMConfig(backend=backend)).generate(Prompt(question="Other?")))
    msg = str(info.value)
    assert "\n" not in msg and str(tmp_path / "a.jsonl") in msg and "'Other?'" in msg


def test_bad_files_fail_in_one_line(tmp_path: Path):
    with pytest.raises(ConfigError, match="not found"):
        get_llm(LLMConfig(backend=f"scripted:{tmp_path / 'missing.jsonl'}"))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "Q?"}\n')
    with pytest.raises(ConfigError, match=r"bad.jsonl:1: .*\"text\" or \"sentences\""):
        get_llm(LLMConfig(backend=f"scripted:{bad}"))


def test_quotes_become_markers_of_the_passages_that_hold_them():
    sources = [
        src(0, "Nothing here."),
        src(1, "Sales “rose” 5%\nin 2024. Costs fell.", start=100),
        src(2, "The new plant opened", start=200, source="/d/b.txt"),
        src(3, "in Ohio in May. It employs 300.", start=221, source="/d/b.txt"),
    ]
    sentences = [
        {"text": "Sales rose 5% in 2024.", "doc": "a.txt", "quote": 'Sales "rose" 5% in 2024.'},
        {"text": "A plant opened in Ohio.", "doc": "b.txt", "quote": "plant opened in Ohio"},
        {"text": "It has a pool.", "doc": "b.txt", "quote": "a pool"},
    ]
    assert answer_text(sentences, sources) == (
        "Sales rose 5% in 2024. [2] A plant opened in Ohio. [3][4] It has a pool."
    )
    refusal = [{"text": "NOT IN DOCUMENTS", "doc": "", "quote": ""}]
    assert answer_text(refusal, sources) == "NOT IN DOCUMENTS"


# --- through the real pipeline on the dev corpus -------------------------------------------------


def test_simple_row_through_the_pipeline(store, tmp_path: Path):
    q = "Who is the CEO of Alibaba Group?"
    backend = write_rows(
        tmp_path / "s.jsonl", [{"question": q, "text": "Eddie Wu is the CEO of Alibaba Group. [9]"}]
    )
    p = pipeline(store, backend)
    try:
        ans = p.ask(q)
    finally:
        p.close()
    assert not ans.abstained and ans.backend == "scripted:s.jsonl"
    assert "Eddie Wu" in ans.text and ans.citations  # a marker out of range is re-attached
    assert "Wu" in ans.citations[0].text


def test_faithful_llm_answers_cite_the_passages_holding_their_quotes(store):
    p = pipeline(store, f"scripted:{LLM_ANSWERS}#variant=faithful")
    kept = total = marked_total = abstained = 0
    try:
        for row in [r for r in NEWS_ROWS if r["variant"] == "faithful"][:8]:
            retrieved = retrieve(p.reader, row["question"], p.cfg.retrieval)
            text = answer_text(row["sentences"], retrieved)
            for s in row["sentences"]:
                total += 1
                marked = text.split(s["text"], 1)[1].split("]")[0] if s["text"] in text else ""
                marked_total += "[" in marked
                for n in [int(x) for x in marked.replace("[", " ").split() if x.isdigit()]:
                    # Every marker points at a passage of the quote's own document holding it
                    # (alone, or with the next chunk).
                    assert Path(retrieved[n - 1].source).name == s["doc"]
            ans = p.ask(row["question"])
            abstained += ans.abstained
            docs = {s["doc"] for s in row["sentences"]}
            assert {Path(c.source).name for c in ans.citations} <= docs
            kept += sum(chk.status != "dropped" for chk in ans.sentences)
    finally:
        p.close()
    # Most quotes sit in a retrieved passage; the verifier (today's rules) keeps most faithful
    # sentences and answers all but one of these questions.
    assert marked_total >= 0.8 * total
    assert kept >= 0.6 * total and abstained <= 1


def test_refusal_abstains_and_hallucination_is_dropped(store):
    refusal = next(r for r in NEWS_ROWS if r["variant"] == "refusal")
    p = pipeline(store, f"scripted:{LLM_ANSWERS}#variant=refusal")
    try:
        ans = p.ask(refusal["question"])
    finally:
        p.close()
    assert ans.abstained and not ans.citations and ans.text.startswith("The documents do not say")
    assert "An answer was written" not in ans.text  # the model wrote none
    judged = ans.to_dict()["answerability"]
    assert judged["model"] == default_model().version and 0 <= judged["probability"] <= 1

    row = next(r for r in NEWS_ROWS if r["id"] == "dev-01" and r["variant"] == "hallucinated")
    bad = next(s["text"] for s in row["sentences"] if not s["supported"])
    p = pipeline(store, f"scripted:{LLM_ANSWERS}#variant=hallucinated")
    try:
        ans = p.ask(row["question"])
    finally:
        p.close()
    assert not ans.abstained and squash(bad) not in squash(ans.text)
    assert any(chk.status == "dropped" and chk.text == bad for chk in ans.sentences)


def test_an_answer_verification_refused_whole_says_one_was_written(store):
    # dev-03's hallucinated answer: a wrong count (dropped) and a true sentence that is not on
    # the question (dropped with it). The documents do hold the count: the message must not
    # claim only that the passages do not state it.
    row = next(r for r in NEWS_ROWS if r["id"] == "dev-03" and r["variant"] == "hallucinated")
    p = pipeline(store, f"scripted:{LLM_ANSWERS}#variant=hallucinated")
    try:
        ans = p.ask(row["question"])
    finally:
        p.close()
    assert ans.abstained and not ans.citations
    assert all(chk.status == "dropped" for chk in ans.sentences) and ans.sentences
    assert ans.text.startswith("The documents do not say")
    assert "An answer was written from the passages found" in ans.text
    assert "do not state the answer" not in ans.text


def test_cli_accepts_scripted_backends(store, tmp_path: Path):
    q = "Who is the CEO of Alibaba Group?"
    backend = write_rows(
        tmp_path / "s.jsonl", [{"question": q, "text": "Eddie Wu is the CEO. [1]"}]
    )
    out = run_rag("ask", q, "--store", str(store), "--llm", backend, "--json")
    data = json.loads(out.stdout)
    assert data["backend"] == "scripted:s.jsonl" and "answer" in data
    assert data["answerability"]["model"] == default_model().version
    bad = run_rag("ask", q, "--store", str(store), "--llm", "gpt", check=False)
    assert bad.returncode != 0 and "scripted:FILE.jsonl" in bad.stderr


def test_rag_eval_replays_a_variant_of_llm_answers(store, tmp_path: Path):
    # Issue 9 item 1: `rag eval DATASET --llm scripted:DATASET#variant=V` asks each question that
    # has that answer once; refusals must all abstain, faithful answers are scored for false
    # abstentions although the file has no gold short answers.
    data = tmp_path / "news.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in NEWS_ROWS), encoding="utf-8")
    reports = {}
    for variant in ("refusal", "faithful"):
        out = tmp_path / variant
        run_rag(
            "eval", str(data), "--llm", f"scripted:{data}#variant={variant}", "--store",
            str(store), "--corpus", str(CORPUS), "--out", str(out),
        )  # fmt: skip
        reports[variant] = json.loads((out / "report.json").read_text())
    want = {v: sum(r["variant"] == v for r in NEWS_ROWS) for v in ("refusal", "faithful")}
    refusal, faithful = reports["refusal"], reports["faithful"]
    assert refusal["n"] == want["refusal"] > 0
    assert refusal["scored"]["abstained"] == refusal["scored"]["should_abstain"] == want["refusal"]
    assert faithful["n"] == want["faithful"] > 0
    assert faithful["abstention"]["false_abstention"] is not None
    assert faithful["abstention"]["false_abstention"] <= 0.5


def test_a_written_answer_is_judged_by_verification_not_by_the_extractive_gate(tmp_path: Path):
    # A faithful answer of llm_answers_dev to a question the reader scores below its threshold
    # (it reads "fail to pull off a bloodless coup" against "tried to stage ... failed"). The
    # extractive backend, whose answer is the reader's own pick, abstains; a model's answer is
    # checked sentence by sentence instead, and its supported sentences stand.
    answers = replay_squad(tmp_path, "57302efe04bcaa1900d772f8", "faithful", "Islamism.txt")
    extractive, scripted = answers["extractive"], answers["scripted"]
    assert extractive.probability == scripted.probability < default_model().threshold
    assert extractive.abstained
    assert not scripted.abstained and "Egypt" in scripted.text
    assert any(chk.status == "supported" for chk in scripted.sentences)


def test_a_number_question_whose_invented_count_was_dropped_abstains(store, tmp_path: Path):
    # The count is invented (not in the corpus) and dropped; the true context sentence around
    # it survives verification but states no number: no answer to "How many ...?".
    q = "How many parameters does Alibaba's Tongyi Qianwen model have?"
    context = "Alibaba Cloud launched its large language model Tongyi Qianwen in April."
    invented = "The model has 480 billion parameters."
    backend = write_rows(tmp_path / "n.jsonl", [{"question": q, "text": f"{context} {invented}"}])
    p = pipeline(store, backend)
    try:
        ans = p.ask(q)
    finally:
        p.close()
    assert ans.abstained, ans.text
    assert [c.status for c in ans.sentences if "480" in c.text] == ["dropped"]


def test_the_number_check_reads_the_question_type():
    from rag.answer_features import states_a_number

    q = "How many parameters does Tongyi Qianwen have?"
    assert not states_a_number(q, ["Alibaba Cloud launched Tongyi Qianwen in April."])
    assert states_a_number(q, ["It has seventy billion parameters."])
    assert states_a_number("How many empires?", ["They number in the dozens."])
    assert not states_a_number("How many people?", ["They pitched a tent and tend it."])
    assert states_a_number("How many horsepower?", ["Watt's ten-horsepower engines ran."])
    # A year is a date, not a count; a number before a noun is one, even year-shaped.
    assert not states_a_number(q, ["Tongyi was spun off in late 2022."])
    assert not states_a_number(q, ["Models grew through the 1990s."])
    assert states_a_number("How many soldiers died?", ["1500 soldiers died."])
    assert states_a_number("How many times has Polonia won the cup?", ["It won it twice."])
    # A number the question itself names is no answer; other questions need no number, even
    # "how fast" or "how much", which are fairly answered in words.
    assert not states_a_number("How many of the 12 members voted?", ["All 12 members met."])
    assert states_a_number("How fast is pharmacy informatics growing?", ["It grows quickly."])
    assert states_a_number("Who launched Tongyi Qianwen?", ["Alibaba Cloud launched it."])
    # An amount of money, a percentage or an age is stated with a number; "how much" of
    # anything else may be answered in words.
    q = "How much does Alibaba charge businesses for the model?"
    assert not states_a_number(q, ["Alibaba's model is built with businesses in mind."])
    assert states_a_number(q, ["Access costs $2 per million tokens."])
    assert not states_a_number("What percentage of users left?", ["Many users left."])
    assert states_a_number("What percentage of users left?", ["About 40% left."])
    assert not states_a_number("How old was Tesla then?", ["Tesla was young then."])
    assert states_a_number("How much support is there for it?", ["There is little support."])


def test_the_time_check_reads_the_question_type():
    from rag.answer_features import states_a_time

    q = "When are copepod populations abundant?"
    context = "In bays where ctenophores are numerous, predation keeps copepods in check."
    assert not states_a_time(q, [context])
    assert states_a_time(q, [context, "Copepods peak during the summer months."])
    # Dates, years inside a word, a year after a preposition, time nouns and clauses of time.
    assert states_a_time("When was the Duchy founded?", ["It was founded in 911."])
    assert states_a_time("When did funding start?", ["It started in the mid-2000s."])
    assert states_a_time("When did the glacial end?", ["It ended about 11,600 BP."])
    assert states_a_time("When did Warsaw rebuild?", ["It rebuilt after liberation."])
    # A period the question names is still an answer's word; a date it gives is not.
    assert states_a_time("What period did plates reverse?", ["In the Jurassic Period."])
    assert not states_a_time("When did the 1990 law pass?", ["The 1990 law banned it."])
    assert states_a_time("When was cached_property added?", ["New in version 3.8."])
    assert not states_a_time("When did they peak?", ["They peaked at 2.5 metres."])
    assert states_a_time("Who founded it?", ["Bo founded it."])


@pytest.mark.slow
def test_a_when_question_whose_invented_time_was_dropped_abstains(tmp_path: Path):
    # llm_answers_dev's invented answer to an unanswerable question (SQuAD 2.0 5a834dbd): the
    # season is the ctenophores', not the copepods'. Verification drops that sentence; the true
    # one left says nothing about when, so there is no answer to "When ...?".
    ans = replay_squad(tmp_path, "5a834dbde60761001a2eb555", "hallucinated", "Ctenophora.txt")[
        "scripted"
    ]
    assert ans.abstained, ans.text
    assert [c.status for c in ans.sentences if "summer" in c.text] == ["dropped"]
    assert any(c.status == "supported" for c in ans.sentences)
    # The user is told an answer was written and refused, not that the passages lack it.
    assert "An answer was written" in ans.text


_OTHER_NOTE = "Changed in version 3.11: Raises TypeError instead of AttributeError if cm is bad."
# (question, kept sentences, does one of them state a version of what is asked?)
VERSION_CASES = [
    # A note on another thing is no answer; one on the subject or the event asked about is.
    ("In which Python version was contextlib.nested removed?", [_OTHER_NOTE], False),
    (
        "In which Python version was contextlib.nested removed?",
        [_OTHER_NOTE, "Removed in version 3.2: nested is gone."],
        True,
    ),
    (
        "What is the minimum SQLite version the sqlite3 module needs?",
        ["This module requires SQLite 3.7.15 or newer."],
        True,
    ),
    (
        "tempfile.mktemp has been deprecated since which Python version?",
        ["Deprecated since version 2.3: Use mkstemp instead."],
        True,
    ),
    # The subject, but no version of it.
    (
        "Since which Python version does the random module offer binomialvariate?",
        ["Most of the random module's functions may change."],
        False,
    ),
    # A written answer brings its version in its own words, not only as a dotted release.
    ("Which Python version added the fold argument?", ["The fold argument arrived in 3.6."], True),
    ("Which version of Windows dropped the driver?", ["Windows 10 dropped the driver."], True),
    (
        "Which release of the IANA time zone database is bundled with datetime?",
        ["Concrete time zones represent the IANA database."],
        False,
    ),
    # A question that names nothing else wants only a version.
    ("Which Python version?", ["Python 3.11 is used here."], True),
    # Any question that asks for no version.
    ("Who wrote the sqlite3 module?", ["Gerhard Häring wrote it."], True),
]


@pytest.mark.parametrize(("question", "kept", "stated"), VERSION_CASES)
def test_the_version_check_wants_a_version_of_the_thing_asked(question, kept, stated):
    from rag.answer_features import states_a_version

    assert states_a_version(question, kept) is stated
