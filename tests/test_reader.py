"""The fitted reader: model file, sentence and phrase choice, abstention, and the pipeline."""

import json

import pytest

from eval.reader_data import load_rows, split_articles
from eval.reader_provenance import model_version, support_digest
from rag.answer import Source
from rag.answer_features import counted_first
from rag.reader import MODEL_FILE, Pick, ReaderModel, answer_phrase, default_model, read
from tests.conftest import SHARED


def _source(text: str, i: int = 0) -> Source:
    return Source(f"c{i}", f"/docs/{i}.txt", "T", 0, len(text), text, 1.0 / (1 + i), 0.5, 1.0)


def test_model_file_records_its_provenance_and_held_out_figures():
    d = json.loads(MODEL_FILE.read_text())
    assert d["script"] == "eval/fit_reader.py"
    assert d["data"].startswith("squad2-dev qa.jsonl sha256:")
    held = d["figures"]["held_out_articles"]
    assert held["questions"] > 1000  # reported on articles the model never saw
    articles = sorted(p.name for p in (SHARED / "data/squad2-dev/corpus").glob("*.txt"))
    assert d["split"]["held_out_articles"] == split_articles(articles)[1]
    model = ReaderModel.load()
    assert model.version == d["version"] and 0 < model.threshold < 1
    # The version names these weights: a refit with other features or budgets is another model.
    assert d["version"] == model_version(d, d["version"].split("-")[1])
    changed = {**d, "answerable": {**d["answerable"], "threshold": 0.5}}
    assert model_version(changed, "20990101").split("-")[3] != d["version"].split("-")[3]


def test_the_reader_was_fitted_with_todays_support_rules():
    # The answerability features borrow the support scorer: a change of the verifier's rules
    # moves them, and the weights then no longer fit what they see.
    d = json.loads(MODEL_FILE.read_text())
    assert support_digest(load_rows(SHARED / "data/squad2-dev")) == d["support_rules_digest"], (
        "the support rules changed since the reader was fitted: refit with "
        "python -m eval.fit_reader --analyses reuse --cross-fit ... (README)"
    )


def test_evidence_gate_is_fitted_and_pays_on_held_out_articles():
    # The gate abstains when the passages do not hold the evidence at all; it was fitted on
    # questions whose evidence chunks were removed, within a stated false-abstention budget.
    d = json.loads(MODEL_FILE.read_text())
    # The gate reads the question's missing words per focus word, P(answerable) their counts.
    ev, ans = set(d["evidence"]["features"]), set(d["answerable"]["features"])
    assert ev - ans == {"missing_share", "missing_idf_share"}
    assert ans - ev == {"missing_all", "missing_idf"}
    assert 0 < d["evidence"]["false_abstention_budget"] <= 0.05
    held = d["figures"]["held_out_articles"]
    without = held["without_evidence_gate"]
    assert held["abstain_when_evidence_removed"] > without["abstain_when_evidence_removed"]
    assert held["false_abstention"] - without["false_abstention"] <= 0.03
    model = ReaderModel.load()
    assert model.evidence is not None and 0 < model.evidence_threshold < 1


def test_split_is_by_article_and_deterministic():
    names = [f"A{i:02d}.txt" for i in range(23)]
    train, held = split_articles(list(reversed(names)))
    assert (train, held) == split_articles(names)
    assert not set(train) & set(held) and len(held) == 8 and len(train) == 15


def test_model_fitted_on_other_features_is_refused(tmp_path):
    d = json.loads(MODEL_FILE.read_text())
    d["span"]["features"] = d["span"]["features"][:-1]
    bad = tmp_path / "reader.json"
    bad.write_text(json.dumps(d))
    with pytest.raises(ValueError, match="span model was fitted on other features"):
        ReaderModel.load(bad)


def test_each_answerability_model_reads_its_own_columns_of_the_row():
    import numpy as np

    from rag.reader import ANSWER_FEATURES, EVIDENCE_FEATURES, Linear

    names = ("c", "a")
    lin = Linear(np.array([1.0, -2.0]), np.zeros(2), np.ones(2)).reading(names, ("a", "b", "c"))
    assert lin(np.array([[5.0, 7.0, 3.0]]))[0] == 3.0 - 2 * 5.0
    model = ReaderModel.load()
    row = np.arange(len(ANSWER_FEATURES), dtype=float)[None, :]
    picked = row[:, [ANSWER_FEATURES.index(n) for n in EVIDENCE_FEATURES]]
    bare = Linear(
        model.evidence.weights, model.evidence.mean, model.evidence.scale, model.evidence.bias
    )
    assert model.evidence(row)[0] == pytest.approx(bare(picked)[0])


PASSAGES = [
    "The Rhine is a river in Europe. It begins in the Swiss Alps. "
    "The total length of the Rhine is 1,230 kilometres. Its largest tributary is the Aare.",
    "Basel is a city in Switzerland. The city was founded by the Romans in 44 BC.",
]


@pytest.mark.parametrize(
    "question, sentence, phrase",
    [
        ("How long is the Rhine?", "total length", "1,230 kilometres"),
        ("Where does the Rhine begin?", "Swiss Alps", "Swiss Alps"),
        ("Who founded Basel?", "founded by the Romans", "Romans"),
    ],
)
def test_read_picks_the_answering_sentence_and_its_phrase(embedder, question, sentence, phrase):
    sources = [_source(t, i) for i, t in enumerate(PASSAGES)]
    r = read(question, sources, embedder.embed)
    # On these toy passages the answering sentence is the best or the runner-up (the extractive
    # backend shows both when they are close); its phrase is the answer.
    pick = next(p for p in r.picks[:2] if sentence in p.text)
    assert pick.answer is not None and phrase in pick.answer and len(pick.answer.split()) <= 4
    assert pick.answer in pick.text  # an exact substring
    assert r.model == default_model().version


def test_a_sentence_repeated_by_overlapping_chunks_is_read_once(embedder):
    # Overlapping chunks repeat sentences: the repeat must neither take a second place among the
    # few sentences the encoder reads nor split the best sentence's probability.
    once = [_source(t, i) for i, t in enumerate(PASSAGES)]
    twice = [*once, _source(PASSAGES[0], len(PASSAGES))]  # the Rhine passage retrieved again
    r1 = read("How long is the Rhine?", once, embedder.embed)
    r2 = read("How long is the Rhine?", twice, embedder.embed)
    texts = [p.text for p in r2.picks]
    assert len(texts) == len(set(texts))
    assert [p.text for p in r1.picks] == texts
    assert r2.picks[0].probability == pytest.approx(r1.picks[0].probability, abs=0.15)


def test_read_flags_words_no_passage_holds(embedder):
    sources = [_source(t, i) for i, t in enumerate(PASSAGES)]
    r = read("What was the annual revenue of the Rhine shipping fleet?", sources, embedder.embed)
    assert "revenu" in r.uncovered and "fleet" in r.uncovered
    assert r.p_answerable < read("How long is the Rhine?", sources, embedder.embed).p_answerable


DATETIME = [
    "Subtraction of a datetime from a datetime is defined only if both operands are naive, or if "
    "both are aware. If one is aware and the other is naive, TypeError is raised.",
    "The datetime module supplies classes for manipulating dates and times.",
    "A timedelta object represents a duration, the difference between two dates or times. All "
    "arguments are optional and default to 0.",
    "The smallest year number allowed in a date or datetime object is 1. MAXYEAR is 9999.",
    "Return the day of the week as an integer, where Monday is 0 and Sunday is 6.",
]


@pytest.mark.parametrize(
    "short, chatty, phrase",
    [
        (
            "What error is raised when a naive datetime is subtracted from an aware one?",
            "I was hacking on a small script last night and tried to subtract a naive datetime "
            "from an aware one; what error should I expect to see?",
            "TypeError",
        ),
        (
            "What is the largest year a date object allows?",
            "Out of curiosity, if I keep pushing dates further and further into the future, what "
            "is the largest year a date object will still let me use?",
            "MAXYEAR",
        ),
        (
            "What does weekday return for Sunday?",
            "My colleague insists the numbering starts somewhere odd, so what does weekday "
            "actually return for a Sunday?",
            "6",
        ),
    ],
)
def test_a_question_in_a_users_own_many_words_still_finds_its_evidence(
    embedder, short, chatty, phrase
):
    # The evidence gate reads the share of the question's words no passage holds, not their
    # count: the chatty question misses "hacking", "script", "night" ... for its wording alone.
    # With the count, all three chatty questions were turned away while the short ones passed.
    sources = [_source(t, i) for i, t in enumerate(DATETIME)]
    for question in (short, chatty):
        r = read(question, sources, embedder.embed)
        assert r.held and r.answerable, question
        assert phrase in (r.picks[0].answer or "")


def test_a_question_about_what_no_passage_mentions_is_still_held_back(embedder):
    # ... while a question whose every topic word is missing is still stopped by the gate.
    sources = [_source(t, i) for i, t in enumerate(DATETIME)]
    r = read(
        "Which compression levels does the zstandard codec of the tarfile module accept?",
        sources,
        embedder.embed,
    )
    assert not r.held and not r.answerable


def test_answer_phrase_inside_a_written_sentence():
    assert answer_phrase("Who wrote the sqlite3 module?", "It was written by Gerhard Häring.") == (
        "Gerhard Häring"
    )


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    from index.pipeline import IndexConfig, index_paths

    root = tmp_path_factory.mktemp("reader")
    (root / "docs").mkdir()
    (root / "docs" / "rhine.txt").write_text("Rhine\n\n" + "\n\n".join(PASSAGES))
    index_paths([root / "docs"], IndexConfig(store=root / "store"), progress=False)
    return root / "store"


@pytest.mark.parametrize("question", ["What is it?", "Why?", "*", "AND OR NOT", "🙂🙂"])
def test_questions_without_content_words_ask_to_rephrase(small_store, question):
    from rag.pipeline import ask

    a = ask(question, store=str(small_store))
    assert a.abstained and not a.citations and a.answer is None
    assert "rephrase" in a.text


def test_pipeline_gives_direct_answer_then_cited_evidence(small_store):
    from rag.pipeline import ask

    a = ask("How long is the Rhine?", store=str(small_store))
    assert not a.abstained and a.answer and "1,230" in a.answer
    assert a.answer in a.text and "[1]" in a.text
    d = a.to_dict()
    assert d["answer"] == a.answer
    assert d["answerability"]["model"] == default_model().version
    assert 0.0 <= d["answerability"]["probability"] <= 1.0


SECRETS = [
    "compare_digest(a, b): Return True if strings or bytes-like objects a and b are equal, "
    'otherwise False, using a "constant-time compare" to reduce the risk of timing attacks.',
    "token_hex([nbytes=None]): Return a random text string, in hexadecimal.",
    "The secrets module is used for generating cryptographically strong random numbers suitable "
    "for managing data such as passwords, account authentication and security tokens.",
    "choice(sequence): Return a randomly chosen element from a non-empty sequence.",
]


def test_a_story_before_the_question_is_not_held_against_the_evidence(embedder):
    # Technical set F: with the story's words ("checking", "reset", "request", "stored",
    # "worried" ...) counted as question words the passages lack, the gate turned this away.
    sources = [_source(t, i) for i, t in enumerate(SECRETS)]
    question = (
        "I'm checking a reset token from a request against the stored one and I'm worried "
        "about timing attacks. What should I use instead of == ?"
    )
    r = read(question, sources, embedder.embed)
    assert r.held
    assert any(p.text.startswith("compare_digest") for p in r.picks)
    assert "worri" not in r.uncovered and "request" not in r.uncovered


def test_a_storys_terms_of_art_stay_required(embedder):
    # What the story names binds the answer: "zstandard" is no plain English word.
    sources = [_source(t, i) for i, t in enumerate(SECRETS)]
    question = "I keep my tokens in a zstandard archive. Which function compares two of them?"
    assert "zstandard" in read(question, sources, embedder.embed).uncovered


def _pick(source, start, text, answer):
    return Pick(source, start, start + len(text), text, 0.5, answer, 0.5)


def test_a_count_answer_states_a_number():
    entry = "token_urlsafe([nbytes=None]): Return a random URL-safe text string."
    after = "On average each byte results in approximately 1.3 characters."
    other = "Pattern.sub(repl, string, count=0): Identical to the sub function."
    question = "Roughly how many characters does token_urlsafe produce per random byte?"
    picks = (
        _pick(0, 0, entry, "nbytes=None"),
        _pick(1, 0, other, "count=0"),
        _pick(0, len(entry) + 1, after, "1.3"),
    )
    # The entry's next sentence states the count: it answers, first.
    assert [p.answer for p in counted_first(question, picks)] == ["1.3", "nbytes=None", "count=0"]
    # A number from another entry does not: no direct answer, the same evidence.
    out = counted_first(question, picks[:2])
    assert [p.text for p in out] == [entry, other] and out[0].answer is None
    # Other questions, and a count already stated, are left alone.
    assert counted_first("What does token_urlsafe return?", picks) == picks
    stated = (_pick(0, 0, after, "1.3"), *picks[:2])
    assert counted_first(question, stated) == stated
