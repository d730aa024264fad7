"""The Insights tab and the staff app: an empty store renders, then real turns show up."""

from __future__ import annotations

import json

import pytest

from app.service.beacon_service import ChatRequest
from app.ui import build_staff_app
from app.ui.insights import NO_EVALUATION, evaluation_view, headline_markdown, insights_view
from tests.app.ui import demo_service, element_ids


@pytest.fixture(scope="module")
def service(tmp_path_factory, demo_index, embedder, redactor):
    return demo_service(tmp_path_factory.mktemp("ui-insights"), demo_index, embedder, redactor)


def test_empty_store_renders(service):
    (headline, decisions, reasons, categories, feedback, latency, gaps, fallbacks, declined, eval_heading, evaluation,
     plot, not_helpful) = insights_view(service)
    assert "| **—** (0 contained) | 0 | 0 | 0 | 0 | 0 / 0 | — | — |" in headline and headline.startswith("**All time**")
    for frame in (decisions, reasons, categories, feedback, latency, gaps, fallbacks, declined, evaluation, not_helpful):
        assert frame.empty and len(frame.columns) >= 2
    assert eval_heading == NO_EVALUATION and plot is None


def test_turns_feedback_and_escalations_appear(service):
    answered = service.chat(ChatRequest("ins-1", "How do I freeze my card?", channel="ui"))
    service.feedback("ins-1", "up", None, answered.turn_id)
    service.chat(ChatRequest("ins-2", "let me talk to a human", region="UK", channel="ui"))
    service.chat(ChatRequest("ins-3", "what about the thing", channel="ui"))  # too vague: clarified, not a gap
    headline, decisions, reasons, categories, feedback, latency, gaps, *_ = insights_view(service)
    assert "| 3 | 3 | 1 | 0 | 1 / 0 (100% positive) |" in headline
    assert dict(decisions.itertuples(index=False, name=None))["escalate"] == 1
    assert list(reasons.itertuples(index=False, name=None)) == [("the customer asked for a person", 1)]
    assert list(categories.itertuples(index=False, name=None)) == [("customer asked for a person", 1)]
    assert sorted(feedback["rating"]) == ["down", "up"] and feedback["count"].sum() == 1
    assert sorted(latency["percentile"]) == ["p50", "p95"] and (latency["ms"] > 0).all()
    assert "what about the thing" not in set(gaps["question"])


def test_gaps_are_topics_comments_sit_beside_answers_and_a_person_ends_containment(service):
    for session, question in [("gap-1", "Can I get a metal card?"), ("gap-2", "do you offer metal cards"),
                              ("gap-3", "is there a premium metal card"), ("gap-4", "can I stake ethereum with you")]:
        service.chat(ChatRequest(session, question, channel="ui"))
    rated = service.chat(ChatRequest("gap-5", "How do I freeze my card?", channel="ui"))
    service.feedback("gap-5", "down", "it didn't say where the <b>button</b> is", rated.turn_id)
    headline, *_, gaps, _, _, _, _, _, not_helpful = insights_view(service)
    metal = gaps[gaps["question"].str.contains("metal", case=False)]
    assert len(metal) == 1 and metal.iloc[0]["count"] >= 3 and metal.iloc[0]["wordings"] >= 3
    row = not_helpful.iloc[0]
    assert row["comment"] == "it didn't say where the <b>button</b> is" and row["question"] == "How do I freeze my card?"
    assert "Freeze" in row["answer"]

    before = service.insights()["contained"]
    ticket_id = service.chat(ChatRequest("gap-6", "let me talk to a human", channel="ui")).escalation["ticket_id"]
    service.desk.send(ticket_id, "Hello, how can I help?", "alice")
    after = service.insights()
    assert after["contained"] == before and after["conversations"] >= 1


@pytest.mark.parametrize("since, until, shown", [
    ("2099-01-01", None, "From 2099-01-01 to today"),
    (None, "2000-01-01", "From the start to 2000-01-01"),
    ("2024-02-01", "2024-01-01", "ends before it starts"),
    ("yesterday", None, "is not a date: write it as YYYY-MM-DD"),
])
def test_a_date_range(service, since, until, shown):
    outputs = insights_view(service, since, until)
    assert shown in outputs[0]
    if "From" in shown:
        assert "| **—** (0 contained) | 0 | 0 |" in outputs[0] and outputs[6].empty


def test_parse_day_includes_the_last_day():
    from datetime import datetime, timezone

    from app.ui.insights import parse_day

    assert parse_day("2025-03-01") == datetime(2025, 3, 1, tzinfo=timezone.utc)
    assert parse_day("2025-03-01 00:00:00", end=True) == datetime(2025, 3, 2, tzinfo=timezone.utc)
    assert parse_day(None) is None and parse_day("") is None


@pytest.mark.parametrize("data, expected", [
    ({"containment_rate": 0.756, "contained": 31, "conversations": 41, "turns": 90, "open_handoffs": 4,
      "handoffs_with_answer_alongside": 2, "feedback": {"up": 3, "down": 1},
      "latency_ms": {"p50": 412.2, "p95": 1890.0}},
     "| **76%** (31 contained) | 41 | 90 | 4 | 2 | 3 / 1 (75% positive) | 412 ms | 1,890 ms |"),
    ({}, "| **—** (0 contained) | 0 | 0 | 0 | 0 | 0 / 0 | — | — |"),
])
def test_headline(data, expected):
    assert expected in headline_markdown(data)


def test_the_headline_says_how_many_got_neither_an_answer_nor_a_person():
    assert "7 more got neither an answer nor a person" in headline_markdown({"without_answer_or_handoff": 7})


@pytest.mark.parametrize("evaluation, heading, rows", [
    (None, NO_EVALUATION, []),
    ({"finished_at": "2025-03-01T10:00:00Z", "summary": {"answer_accuracy": 0.9, "cases": 120}, "cases": [1, 2]},
     "Latest evaluation (2025-03-01T10:00:00Z)", [("answer_accuracy", "0.900"), ("cases", "120")]),
    ({"escalation_recall": 1.0}, "Latest evaluation", [("escalation_recall", "1.000")]),
])
def test_evaluation_view(evaluation, heading, rows):
    shown, frame = evaluation_view(evaluation)
    assert shown == heading and list(frame.itertuples(index=False, name=None)) == rows


def test_latest_evaluation_on_disk_is_shown(service):
    run = service.settings.data_dir / "eval" / "2025-03-01T10-00-00"
    run.mkdir(parents=True)
    (run / "result.json").write_text(json.dumps({"summary": {"groundedness": 0.97}}))
    *_, heading, frame, plot, _ = insights_view(service)
    assert heading.startswith("Latest evaluation") and f"`{run}/report.md`" in heading and plot is None
    assert ("groundedness", "0.970") in set(frame.itertuples(index=False, name=None))


def test_staff_app_has_its_tabs_and_ids(service):
    ids = element_ids(build_staff_app(service))
    assert {"tab-knowledge", "tab-escalations", "tab-insights", "kb-upload", "kb-preview", "kb-ingest",
            "kb-reingest", "kb-table", "kb-search", "kb-result", "esc-table", "esc-detail", "esc-resolve",
            "esc-reopen", "insights-refresh", "esc-assign", "esc-reply", "esc-send", "esc-reveal", "esc-placeholder",
            "esc-audit", "esc-alert", "insights-since", "insights-until", "insights-not-helpful"} <= ids


def test_evaluation_shows_gate_baseline_and_plot(service):
    from PIL import Image

    run = service.settings.data_dir / "eval" / "20990101T000000Z"
    run.mkdir(parents=True)
    Image.new("RGB", (40, 20), "white").save(run / "metrics.png")
    (run / "result.json").write_text(json.dumps({
        "suite": "core", "cases": 536, "started_at": "2099-01-01T00:00:00+00:00",
        "summary": {"hit_at_5": 0.96, "decision_accuracy": 0.81},
        "baseline": {"hit_at_5": 0.96, "decision_accuracy": 0.855},
        "gate": {"passed": False, "message": "decision_accuracy 0.81 vs baseline 0.855"},
        "records": [{"id": "x"}] * 3,
    }))
    *_, heading, frame, plot, _ = insights_view(service)
    assert "suite **core**, 536 cases" in heading and "gate **FAILED**: decision_accuracy 0.81" in heading
    assert list(frame.itertuples(index=False, name=None)) == [("hit_at_5", "0.960", "0.960"),
                                                              ("decision_accuracy", "0.810", "0.855")]
    assert plot is not None and plot.size == (40, 20)
    assert "records" not in service.latest_evaluation()


def test_a_declined_request_for_advice_is_counted(service):
    service.chat(ChatRequest("adv-1", "what's the best crypto to buy right now?", channel="ui"))
    declined = insights_view(service)[8]
    assert dict(declined.itertuples(index=False, name=None)).get("investment_advice", 0) >= 1
