"""The text toolkit (index/text.py), and the agreement of abstention and verification on it."""

import pytest

from index.catalog import lexical
from index.text import (
    canonical_markers,
    fold_quotes,
    marker_numbers,
    neutralise_markers,
    normalize_answer,
    parse_items,
    sentence_spans,
    squash,
    stem,
    strip_markers,
    tokens,
)
from rag.answer import Source
from rag.answer_features import uncovered_focus
from rag.question import analyse, coverage
from rag.support import support
from rag.verify import verify


def test_one_stemmer_meets_irregular_forms_everywhere():
    assert stem("rose") == stem("rise") == stem("rising")
    assert stem("bought") == stem("buy")
    assert tokens("Shares rose") == tokens("shares rise")
    # The lexical index tokenises with the same function, so BM25 matches "rose" to "rise".
    assert lexical.lexical_tokens is tokens
    assert lexical.fts_query("When did shares rise?") == lexical.fts_query("shares rose")


def test_tokens_fold_possessives_quotes_markers_and_acronyms():
    assert tokens("Alibaba’s shares") == tokens("Alibaba's shares") == ["alibaba", "share"]
    assert tokens("The app grew 5%.[3]") == ["app", "grow", "5"]
    assert "us" in tokens("The U.S. economy") and "us" not in tokens("tell us")
    assert tokens("Quark reached 370,000,000") == ["quark", "reach", "370000000"]
    assert tokens("K. Lee said") == ["lee", "say"]  # a lone initial matches everything
    assert tokens("the of and", keep_stopwords=True) == ["the", "of", "and"]


def test_a_pronouns_contraction_is_no_content_word():
    # "I'm" was "im", "you're" "your", "we'd" "wed": words no passage holds, so a user's own
    # wording read as a question about something the documents lack.
    assert tokens("I'm building it; you’re sure we'd tried, they'll say") == [
        "build",
        "sure",
        "tri",
        "say",
    ]
    assert tokens("O'Neill's shop, Alibaba’s shares") == ["oneil", "shop", "alibaba", "share"]
    focus = analyse("I'm checking a token. What should I use instead of ==?").focus
    assert "im" not in focus and "check" in focus


def test_sentence_spans_keep_abbreviations_and_initials():
    text = "Dr. Chen met Eumi K. Lee in the U.S. on Monday. Shares rose!\nHeadline"
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == [
        "Dr. Chen met Eumi K. Lee in the U.S. on Monday.",
        "Shares rose!",
        "Headline",
    ]


def test_a_lone_period_names_the_character_and_ends_no_sentence():
    text = "The special character . (period) matches any character. Then it stops . Next one."
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == [
        "The special character . (period) matches any character.",
        "Then it stops .",  # a capital after a spaced period still starts a sentence
        "Next one.",
    ]
    text = "Files beginning with a dot (.) can only be matched by such patterns. Next."
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Files beginning with a dot (.) can only be matched by such patterns.",
        "Next.",
    ]
    # A release number ends its sentence, whatever opens the next one; an acronym does not.
    text = "Added in: v19.4.0, v18.14.0. [1] os.cpus() is older. Made in the U.S. [2] by hand."
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Added in: v19.4.0, v18.14.0.",
        "[1] os.cpus() is older.",
        "Made in the U.S. [2] by hand.",
    ]


def test_markers():
    text = "It rose [1]. It fell [2, 3]. Both [1-3]."
    assert strip_markers(text) == "It rose. It fell. Both."
    assert marker_numbers(text) == [1, 2, 3, 1, 2, 3]
    assert neutralise_markers("see [3] and [4,5]") == "see (3) and (4,5)"


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("CEO [Source 1].", "CEO [1]."),
        ("CEO (Source: 2).", "CEO [2]."),
        ("X [Sources 1 and 3]", "X [1, 3]"),
        ("X (Sources 1, 3)", "X [1, 3]"),
        ("X [Doc 2][Passage 4]", "X [2][4]"),
        ("X [Document 2-4]", "X [2-4]"),
        ("X 【1】", "X [1]"),
        ("X 【1†source】", "X [1]"),
        ("X [1†source]", "X [1]"),
        ("X [^1]", "X [1]"),
        ("X [1]", "X [1]"),
        # No marker: an enumeration, a year, a figure, a bracket without a number.
        ("(1) first", "(1) first"),
        ("in (2021)", "in (2021)"),
        ("see (Figure 1)", "see (Figure 1)"),
        ("[Source code]", "[Source code]"),
        ("[citation needed]", "[citation needed]"),
    ],
)
def test_citation_variants_read_as_markers(written, read):
    assert canonical_markers(written) == read


def test_folding():
    assert fold_quotes("‘Cameo’ “x”\u00a0y") == "'Cameo' \"x\" y"
    assert squash("  a\n\n‘b’\t c ") == "a 'b' c"


def test_numbers_and_dates_parse_to_values():
    (a,) = parse_items("exceeded 370 million")
    (b,) = parse_items("exceeded 370,000,000")
    assert a.value == b.value == 370e6
    (d,) = parse_items("on Dec. 19, 2024")
    assert d.cls == "date" and dict(d.value) == {"year": 2024, "month": 12, "day": 19}
    (p,) = parse_items("up 15 percent")
    assert p.kind == "pct" and p.value == 15
    # A decade however it is written ("the 1950's" was the year 1950).
    for text in ("in the 1950s", "in the 1950's", "in the 1950’s"):
        (dec,) = parse_items(text)
        assert dict(dec.value) == {"decade": 1950}, text
    # A year's possessive is no decade.
    (year,) = parse_items("in 1751's Philosophical Transactions")
    assert dict(year.value) == {"year": 1751}


def test_squad_normalisation():
    assert normalize_answer("The Alibaba’s  Group!") == normalize_answer("alibaba's group")


# Abstention (does the passage cover every word of the question?) and verification (does the
# passage support the claim?) must read the same words the same way. Each row: question,
# passage, claim, and whether both should accept it.
AGREEMENT = [
    (
        "irregular verb",
        "When did Alibaba shares rise?",
        "Alibaba shares rose 8% on Monday after the results.",
        "Alibaba shares rose 8% on Monday.",
        True,
    ),
    (
        "irregular verb, other way",
        "When did Tencent buy the studio?",
        "Tencent bought the studio in 2021.",
        "Tencent bought the studio in 2021.",
        True,
    ),
    (
        "possessive, curly apostrophe",
        "What is Alibaba’s cloud unit called?",
        "Alibaba's cloud unit is called Aliyun.",
        "Alibaba’s cloud unit is called Aliyun.",
        True,
    ),
    (
        "curly quotes",
        "Which app did Alibaba call a “super assistant”?",
        'Alibaba called the Quark app a "super assistant" in March.',
        "Alibaba called the Quark app a “super assistant”.",
        True,
    ),
    (
        "hyphens",
        "How much did e-commerce revenue grow in 2024?",
        "E-commerce revenue grew 12% in 2024.",
        "E-commerce revenue grew 12% in 2024.",
        True,
    ),
    (
        "numbers written differently",
        "How many users did Quark have?",
        "Quark had 370,000,000 monthly users.",
        "Quark had 370 million monthly users.",
        True,
    ),
    (
        "citation markers in passage and claim",
        "How many downloads did the app reach?",
        "The app reached 5 million downloads.[3] It launched in May.",
        "The app reached 5 million downloads [1].",
        True,
    ),
    (
        "negation contraction",
        "Why didn't Alibaba invest in DeepSeek?",
        "Alibaba did not invest in DeepSeek because it builds its own models.",
        "Alibaba didn't invest in DeepSeek.",
        True,
    ),
    (
        "the other direction is neither covered nor supported",
        "When did Alibaba shares fall?",
        "Alibaba shares rose 8% on Monday after the results.",
        "Alibaba shares fell 8% on Monday.",
        False,
    ),
]


def _source(text: str) -> Source:
    return Source("c1", "/docs/a.txt", "A", 0, len(text), text, 1.0, 0.9, 1.0)


@pytest.mark.parametrize("case", AGREEMENT, ids=[c[0] for c in AGREEMENT])
def test_abstention_and_verification_agree(case):
    _, question, passage, claim, expected = case
    info = analyse(question)
    fully_covered = coverage(info, passage)[1] == []
    # The reader's abstention message names exactly the question words the passage lacks.
    reader_covered = uncovered_focus(question, [passage]) == ()
    supported = support(strip_markers(claim), passage).supported
    kept = bool(verify(claim if "[" in claim else claim + " [1]", [_source(passage)]).citations)
    assert (fully_covered, reader_covered, supported, kept) == (expected,) * 4


def test_a_store_with_older_tokens_is_retokenised_when_opened(tmp_path):
    from index.catalog import Catalog
    from index.text import LEXICAL_VERSION

    cat = Catalog(tmp_path / "catalog.sqlite")
    cat.db.execute(
        'INSERT INTO chunks (rowid, id, source, text_hash, start, "end", title, doc_title, text)'
        " VALUES (1, 'c1', '/d/a.txt', 'h', 0, 11, 'A', 'A', 'Shares rose')"
    )
    # As an older version wrote it: the stemmer did not know "rose" is "rise".
    cat.db.execute("INSERT INTO lex (rowid, tokens) VALUES (1, 'share rose')")
    cat.set_meta("lexical_version", "1")
    assert [c for c, _ in cat.lexical_search("rise", 5)] == []
    cat.close()
    cat = Catalog(tmp_path / "catalog.sqlite")
    assert cat.get_meta("lexical_version") == LEXICAL_VERSION
    assert [c for c, _ in cat.lexical_search("rise", 5)] == ["c1"]
    cat.close()


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("The board resigned in May.", [5]),  # the full stop is no part of the month
        ("The board resigned in May after the audit.", [5]),
        ("Prices fell from early May to June.", [5, 6]),
        ("May the board resign? It May yet.", []),  # the modal verb, capitalised
        ("It may rise in May 2024.", [5]),
    ],
)
def test_may_is_a_month_after_a_preposition_and_the_verb_elsewhere(text, months) -> None:
    got = [dict(i.value)["month"] for i in parse_items(text) if i.cls == "date"]
    assert got == months


def test_spell_out_writes_place_and_etymology_abbreviations_in_full_but_leaves_a_street():
    from index.text import spell_out

    assert spell_out("near St. Johns River and Mt. Everest") == (
        "near Saint Johns River and Mount Everest"
    )
    assert spell_out("azote (Gk. ἄζωτον) and ferrum (Lat. iron)") == (
        "azote (Greek ἄζωτον) and ferrum (Latin iron)"
    )
    assert spell_out("a shop on Main St. in town") == "a shop on Main St. in town"


def test_a_claim_that_spells_out_the_passages_abbreviation_is_supported_both_ways():
    from rag.verify import support

    spelt, short = "The team moved to Saint Louis in 1960.", "The team moved to St. Louis in 1960."
    assert support(spelt, short).supported and support(short, spelt).supported
    # The word rules alone find the name missing ("Saint Louis"): spelling out is what keeps it.
    from rag.support import support as word_rules

    assert "Saint Louis" in word_rules(spelt, short).missing


def test_sentences_sharing_counts_the_claims_words_per_sentence():
    from index.text import sentences_sharing

    passage = "The east wing closed in 2019. It reopened later. Visitors doubled."
    shared = sentences_sharing("The east wing reopened after it closed.", passage)
    assert [s for s, _ in shared] == [
        "The east wing closed in 2019.",
        "It reopened later.",
        "Visitors doubled.",
    ]
    assert [n for _, n in shared] == [3, 1, 0]
    assert sentences_sharing("anything", "") == [("", 0)]
