"""eval/fit_gate.py: the pre-generation gate's abstention curve on held-out questions."""

from eval.fit_gate import curve, halves


def test_curve_counts_abstentions_below_each_threshold():
    rows = [
        {"p": 0.05, "answerable": False},
        {"p": 0.10, "answerable": True},
        {"p": 0.30, "answerable": False},
        {"p": 0.50, "answerable": True},
    ]
    low, mid, none = curve(rows, (0.08, 0.2, 0.01))
    assert low == {
        "threshold": 0.08,
        "abstention_precision": 1.0,
        "abstention_recall": 0.5,
        "false_abstention": 0.0,
    }
    assert mid["abstention_precision"] == 0.5 and mid["false_abstention"] == 0.5
    assert none["abstention_precision"] is None and none["abstention_recall"] == 0.0


def test_halves_measure_each_threshold_on_the_other_articles():
    rows = [
        {"article": a, "p": p, "answerable": y}
        for a, p, y in [
            ("A", 0.05, False),
            ("A", 0.5, True),
            ("B", 0.05, True),
            ("B", 0.5, True),
            ("C", 0.05, False),
            ("C", 0.6, False),
        ]
    ]
    first, second = halves(rows, 0.9)
    assert first["chosen_on"] == ["A", "C"] and first["threshold"] == 0.5
    # Chosen on A and C (below 0.5: all unanswerable), measured on B: one answerable abstains.
    assert first["rest"]["false_abstention"] == 0.5
    assert first["rest"]["abstention_precision"] == 0.0
    assert second["chosen_on"] == ["B"] and second["threshold"] is None
