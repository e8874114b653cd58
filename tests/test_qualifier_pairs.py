"""The traded-qualifier derivation (eval/qualifier_pairs.py) on one SQuAD 2.0 article, and the
check it measures (rag.roles.check_qualifiers): on text the rule was not written against it must
catch traded qualifiers the rest of the scorer lets through, at no cost to the faithful side."""

from __future__ import annotations

from eval.qualifier_pairs import compare, paragraph_pairs, qualifier_pairs
from rag.verify import support
from tests.conftest import SHARED

DATA = SHARED / "data" / "squad2-dev"


def test_derivation_swaps_only_the_qualifiers() -> None:
    para = (
        "The northern shore of the lake is steep and rocky. Fishermen built their huts on "
        "the southern shore, where the water is shallow."
    )
    pairs = paragraph_pairs(para)
    assert [p["kind"] for p in pairs] == ["qualifier-kept", "qualifier-traded"]
    assert [p["claim"] for p in pairs] == [
        "The northern shore of the lake is steep and rocky, and fishermen built their huts on "
        "the southern shore.",  # the "where" clause is cut: it holds no qualified noun
        "The southern shore of the lake is steep and rocky, and fishermen built their huts on "
        "the northern shore.",
    ]


def test_rule_catches_more_traded_qualifiers_on_an_unseen_article() -> None:
    pairs = qualifier_pairs(DATA, ["Ctenophora.txt"])
    assert len(pairs) >= 20, len(pairs)  # 14 kept + 14 traded when measured
    figures = compare(pairs)
    assert figures["unsupported caught on"] > figures["unsupported caught off"], figures
    assert figures["supported kept on"] >= figures["supported kept off"], figures
    # Where the rule speaks it speaks only against traded claims.
    for p in pairs:
        conflicts = support(p["claim"], p["passage"]).conflicts
        fired = any("qualifies something else" in c for c in conflicts)
        assert not (fired and p["supported"]), p["claim"]
