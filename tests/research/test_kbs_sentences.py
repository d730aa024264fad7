"""research/kbs/sentences.py: how a weight is chosen leaving one KB out (the sentences themselves are the
product's, tested in tests/app/index/test_sentences.py)."""

from __future__ import annotations

from research.kbs.sentences import WEIGHTS, left_one_out


def test_the_weight_is_chosen_on_the_other_sources_only():
    flat = {str(w): [0.5, 0.9] for w in WEIGHTS}
    result = {
        "a": {**flat, "0.3": [0.9, 0.9]},  # a prefers 0.3
        "b": {**flat, "1.0": [0.8, 0.9]},  # b prefers 1.0
        "c": {**flat, "1.0": [0.7, 0.9]},  # c prefers 1.0
    }
    chosen = left_one_out(result)
    assert chosen["a"]["weight"] == 1.0 and chosen["a"]["with"] == [0.5, 0.9]  # b and c outvote a's own best
    # left out b, the mean over a and c is 0.7 at 0.3 and 0.6 at 1.0: b gets 0.3, where it scores the flat 0.5
    assert chosen["b"]["weight"] == 0.3 and chosen["b"]["with"] == [0.5, 0.9] and chosen["b"]["without"] == [0.5, 0.9]
