"""Content gaps grouped by meaning with the bundled embedding model: the measured set behind
GAP_SIMILARITY, and the grouping rules."""

from __future__ import annotations

import pytest

from app.service.gap_groups import GAP_SIMILARITY, group_gaps

# Customer-style paraphrases of six missing articles. With the bundled MiniLM, paraphrases of a
# topic score 0.41-0.90 (most above 0.6) and different topics at most 0.42: 0.5 splits them,
# except "does lodestar support staking", which scores only 0.41-0.42 with the other two.
TOPICS = {
    "metal": ["can I get a metal card", "do you offer metal cards?", "is there a premium metal card",
              "metal card available?"],
    "interest": ["what is the interest rate on savings", "do you pay interest on my balance",
                 "savings account interest"],
    "council tax": ["can I pay my council tax with the card", "how to pay council tax"],
    "staking": ["how do I stake ethereum", "can I stake ETH with you"],
    "japan": ["my card is not working in japan", "card declined in tokyo"],
    "address": ["how do I change my address", "update my home address"],
}


def test_the_measured_set_groups_into_its_topics(embedder):
    gaps = [{"question": q, "count": 1, "max_confidence": 0.3} for qs in TOPICS.values() for q in qs]
    gaps.append({"question": "does lodestar support staking", "count": 1, "max_confidence": 0.2})
    groups = group_gaps(gaps, embedder.embed_documents)
    found = sorted(sorted(g["questions"]) for g in groups)
    expected = sorted(sorted(qs) for qs in TOPICS.values()) + [["does lodestar support staking"]]
    assert found == sorted(expected)
    assert GAP_SIMILARITY == 0.5


def test_counts_add_up_and_the_most_asked_wording_names_the_topic(embedder):
    gaps = [{"question": "do you offer metal cards?", "count": 2, "max_confidence": 0.4},
            {"question": "can I get a metal card", "count": 5, "max_confidence": 0.1},
            {"question": "how to pay council tax", "count": 3, "max_confidence": None},
            {"question": "my card <CREDIT_CARD_1> is not metal enough", "count": 1, "max_confidence": 0.2}]
    groups = group_gaps(gaps, embedder.embed_documents)
    assert groups[0]["question"] == "can I get a metal card" and groups[0]["count"] == 8
    assert groups[0]["variants"] == 3 and groups[0]["max_confidence"] == 0.4
    assert groups[1] == {"question": "how to pay council tax", "count": 3, "max_confidence": None,
                         "questions": ["how to pay council tax"], "variants": 1}


@pytest.mark.parametrize("embed", [None])
def test_without_an_embedder_each_wording_stays_its_own_gap(embed):
    gaps = [{"question": "a", "count": 1, "max_confidence": None}, {"question": "b", "count": 3, "max_confidence": 0.2}]
    assert [(g["question"], g["count"]) for g in group_gaps(gaps, embed)] == [("b", 3), ("a", 1)]
    assert group_gaps([], embed) == []
