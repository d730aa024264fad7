"""Ragas metrics: the no-LLM ones on hand-built records, and the judge plumbing against a
real HTTP server on loopback (plumbing, not scores)."""

from __future__ import annotations

import socket
from types import SimpleNamespace

import pytest

from evals import ragas_metrics as rm
from evals.runner import CaseRecord
from tests.fakes.openai_server import FakeOpenAIServer

CHUNKS = {("faq/cards.md", "How do I freeze my card?"): ["Open the app, tap Card, then switch on Freeze."],
          ("faq/cards.md", "Why was my card declined?"): ["A card can be declined when the balance is too low."]}
FREEZE = CHUNKS[("faq/cards.md", "How do I freeze my card?")][0]
DECLINE = CHUNKS[("faq/cards.md", "Why was my card declined?")][0]


def rec(id="a", answer=FREEZE + " [1]", retrieved=(FREEZE,), action="answer", expected="answer"):
    return CaseRecord(id=id, tags=["faq"], turns=["how do i freeze my card"], context={}, expected_decision=expected,
                      expected_category=None, reference_answer=FREEZE,
                      reference_contexts=[["faq/cards.md", "How do I freeze my card?"]], pii_values=[], answer=answer,
                      action=action, standalone_question="how do i freeze my card",
                      retrieved=[{"source": "x", "section": "y", "text": t} for t in retrieved])


def test_reference_texts_are_the_kb_chunks_under_the_labelled_section():
    assert rm.reference_texts(rec(), CHUNKS) == [FREEZE]


def test_clean_reply_drops_citation_markers():
    assert rm.clean_reply("Tap Freeze [1]. Then wait [2]") == "Tap Freeze. Then wait"


def test_non_llm_metrics_on_hand_built_records(embedder):
    perfect, wrong_context, escalated = rec("a"), rec("b", answer=DECLINE, retrieved=(DECLINE,)), \
        rec("c", answer="I'll connect you to a person.", action="escalate")
    out = rm.score_non_llm([perfect, wrong_context, escalated], CHUNKS, embedder, answer_sources=3)
    assert perfect.scores["non_llm_context_recall"] == 1.0
    assert perfect.scores["non_llm_string_similarity"] == 1.0 and perfect.scores["rouge_score"] == 1.0
    assert perfect.scores["semantic_similarity"] == pytest.approx(1.0, abs=1e-3)
    assert wrong_context.scores["non_llm_context_recall"] == 0.0
    assert wrong_context.scores["semantic_similarity"] < 0.8
    # A handoff is a decision, not an answer: no answer-similarity score for it.
    assert "rouge_score" not in escalated.scores and escalated.scores["non_llm_context_recall"] == 1.0
    assert out["rouge_score"]["cases"] == 2 and out["non_llm_context_recall"]["cases"] == 3
    assert set(out) == set(rm.NON_LLM)


def test_a_whole_file_label_counts_for_precision_not_recall(embedder):
    """A help centre's questions.tsv names the answering file: recall over every chunk of a long article
    would be the share of the article retrieved, not whether the answer was found."""
    whole_file = rec("w")
    whole_file.reference_contexts = [["faq/cards.md", ""]]
    assert rm.reference_texts(whole_file, CHUNKS) == [FREEZE, DECLINE]
    out = rm.score_non_llm([rec("a"), whole_file], CHUNKS, embedder, answer_sources=3)
    assert out["non_llm_context_recall"]["cases"] == 1 and "non_llm_context_recall" not in whole_file.scores
    assert out["non_llm_context_precision_with_reference"]["cases"] == 2
    assert whole_file.scores["non_llm_context_precision_with_reference"] == 1.0


def test_no_judge_configured_is_skipped_with_the_settings_to_set(embedder):
    out = rm.score_judged([rec()], CHUNKS, embedder, SimpleNamespace())
    assert "BEACON_JUDGE_BASE_URL" in out["skipped"]


def _settings(url):
    return SimpleNamespace(judge_base_url=url, judge_model="judge-model", judge_api_key=None, judge_timeout_s=5)


def test_judge_metrics_reach_the_endpoint_and_report_each_metric(embedder):
    with FakeOpenAIServer() as server:
        # The replies are not what ragas' prompts ask for: every score fails to parse, and
        # the run still reports each metric with its failures counted.
        out = rm.score_judged([rec()], CHUNKS, embedder, _settings(server.base_url))
        chats = [r for r in server.requests if "messages" in r]
    assert {r["model"] for r in chats} == {"judge-model"}
    assert len(chats) > 5  # the ping, then at least one call per metric
    assert any("freeze" in str(r["messages"]).lower() for r in chats[1:])
    assert set(rm.LLM_JUDGED) <= set(out) and "error" not in out
    assert all(out[m]["cases"] == 1 for m in rm.LLM_JUDGED)


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/v1"


def test_a_dead_judge_stops_with_a_clear_message(embedder):
    url = _closed_port_url()
    with pytest.raises(rm.JudgeUnavailable) as caught:
        rm.score_judged([rec()], CHUNKS, embedder, _settings(url))
    assert url in str(caught.value) and "BEACON_JUDGE_BASE_URL" in str(caught.value)


def test_a_failing_judge_stops_with_a_clear_message(embedder):
    with FakeOpenAIServer() as server:
        server.fail_with = 503
        with pytest.raises(rm.JudgeUnavailable, match="did not answer"):
            rm.score_judged([rec()], CHUNKS, embedder, _settings(server.base_url))


def test_ragas_runs_with_telemetry_off():
    import os

    rm._quiet_ragas()
    assert os.environ["RAGAS_DO_NOT_TRACK"] == "true" and os.environ["LANGSMITH_TRACING"] == "false"
