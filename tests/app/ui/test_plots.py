"""Insights data -> DataFrames: typed columns even when the store is empty."""

from __future__ import annotations

import pytest

from app.ui.plots import (
    NOT_HELPFUL_COLUMNS,
    counts_frame,
    feedback_trend_frame,
    gaps_frame,
    latency_trend_frame,
    not_helpful_frame,
    summary_frame,
)


@pytest.mark.parametrize("counts, expected", [
    (None, []),
    ({}, []),
    ({"answer": 3}, [("answer", 3)]),
    ({"clarify": 1, "answer": 5, "escalate": 5}, [("answer", 5), ("escalate", 5), ("clarify", 1)]),
])
def test_counts_frame_orders_largest_first(counts, expected):
    frame = counts_frame(counts, "action")
    assert list(frame.columns) == ["action", "count"]
    assert list(frame.itertuples(index=False, name=None)) == expected


def test_empty_counts_keep_a_text_axis():
    # An untyped empty frame makes Gradio draw a numeric x axis for category names.
    assert counts_frame({}).dtypes["label"] == object


@pytest.mark.parametrize("by_day, expected", [
    (None, []),
    ([{"day": "2025-03-01", "up": 2, "down": 0}],
     [("2025-03-01", "up", 2), ("2025-03-01", "down", 0)]),
    ([{"day": "2025-03-01", "up": None, "down": 1}, {"day": "2025-03-02", "up": 1, "down": 0}],
     [("2025-03-01", "up", 0), ("2025-03-01", "down", 1), ("2025-03-02", "up", 1), ("2025-03-02", "down", 0)]),
])
def test_feedback_trend_is_one_row_per_day_and_rating(by_day, expected):
    assert list(feedback_trend_frame(by_day).itertuples(index=False, name=None)) == expected


@pytest.mark.parametrize("by_day, expected", [
    ([], []),
    ([{"day": "2025-03-01", "p50": 120.0, "p95": 480.5, "turns": 9}],
     [("2025-03-01", "p50", 120.0), ("2025-03-01", "p95", 480.5)]),
    ([{"day": "2025-03-01", "p50": None, "p95": None, "turns": 0}], []),
])
def test_latency_trend_skips_missing_percentiles(by_day, expected):
    assert list(latency_trend_frame(by_day).itertuples(index=False, name=None)) == expected


def test_gaps_frame_sorts_by_count_and_limits():
    gaps = [{"question": f"q{i}", "count": i, "max_confidence": 0.12345} for i in range(30)]
    frame = gaps_frame(gaps, limit=5)
    assert list(frame["question"]) == ["q29", "q28", "q27", "q26", "q25"]
    assert frame["max_confidence"].iloc[0] == 0.123


def test_gaps_frame_shows_the_wordings_of_a_topic():
    frame = gaps_frame([{"question": "do you offer metal cards?", "count": 5, "variants": 3, "max_confidence": 0.4,
                         "questions": ["do you offer metal cards?", "metal card available?", "premium metal card"]}])
    assert list(frame.iloc[0]) == ["do you offer metal cards?", 5, 3, "metal card available? · premium metal card",
                                   0.4]


def test_not_helpful_frame_puts_each_comment_beside_its_answer():
    frame = not_helpful_frame([{"at": "2025-03-01T10:02:03.000000Z", "comment": "wrong fee", "question": "atm fee?",
                                "answer": "x " * 200}, {"at": "", "comment": "meh", "question": None, "answer": None}])
    assert list(frame.columns) == NOT_HELPFUL_COLUMNS
    assert list(frame.iloc[0][:3]) == ["2025-03-01 10:02", "wrong fee", "atm fee?"]
    assert frame.iloc[0]["answer"].endswith("…") and len(frame.iloc[0]["answer"]) == 240
    assert frame.iloc[1]["question"] == "(the whole conversation)" and not_helpful_frame(None).empty


@pytest.mark.parametrize("summary, expected", [
    (None, []),
    ({"accuracy": 0.91234, "cases": 40}, [("accuracy", "0.912"), ("cases", "40")]),
    ({"escalation": {"recall": 1.0, "by_category": {"fraud_scam": 0.5}}, "failures": [1, 2], "note": None},
     [("escalation.recall", "1.000"), ("escalation.by_category.fraud_scam", "0.500"), ("failures", "2 items"),
      ("note", "")]),
])
def test_summary_frame_flattens_nested_results(summary, expected):
    assert list(summary_frame(summary).itertuples(index=False, name=None)) == expected
