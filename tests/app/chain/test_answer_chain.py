"""The answer chain end to end on the demo KB: real embedder, real Chroma, extractive generator."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

import app.index.embedding
from app.chain.factory import build_chain, build_guardrails
from app.chain.questions import EmptyQuestionError
from app.cli.commands import cli
from app.core.settings import Settings
from app.index.store import KnowledgeStore
from evals.retrieval import first_hit_rank, score
from research.retrieval.queries import demo_queries
from tests.conftest import DEMO_KB


@pytest.fixture(scope="module")
def chain(demo_index, embedder, redactor, tmp_path_factory):
    settings = Settings(data_dir=demo_index, knowledge_dir=DEMO_KB)
    state = Settings(data_dir=tmp_path_factory.mktemp("chain-state"))
    return build_chain(settings, KnowledgeStore(settings, embedder.model_id).open(), embedder,
                       guardrails=build_guardrails(state, embedder, redactor))


def _grounded(answer) -> bool:
    """Every paragraph of an extractive answer, a "See also …:" line aside, is text of a cited chunk."""
    cited = " ".join(c["text"] for c in answer.citations)
    normalise = lambda s: re.sub(r"\s+", " ", s).strip()  # noqa: E731
    for block in answer.answer.split("\n\n"):
        body = re.sub(r"\s?\[\d+\]", "", block)
        body = body.split("\n", 1)[1] if body.startswith("See also ") else body
        if normalise(body) not in normalise(cited):
            return False
    return True


def test_the_chain_checks_see_also_lines_with_its_embedder_in_the_reply_and_in_the_fallback(chain, embedder):
    assert chain.generator.match.embedder is embedder
    assert chain.fallback_generator is chain.generator  # the extractive reply is its own fallback


def test_an_answer_opens_with_the_answer_and_names_the_customers_currency(chain):
    answer = chain.answer("how much is a replacement card", region="UK")
    assert answer.decision["action"] in ("answer", "answer_with_caution")
    assert not answer.answer.lower().startswith(("here is our answer", "from "))
    assert "your account currency (GBP)" in answer.answer


def test_answers_with_the_right_faq_cited_and_only_its_words(chain):
    answer = chain.answer("How do I restore my Vault wallet on a new phone?")
    assert answer.citations[0]["source"] == "faq/recovery.md"
    assert answer.confidence >= chain.threshold and answer.flags == []
    assert answer.decision["action"] in ("answer", "answer_with_caution")
    assert "[1]" in answer.answer and _grounded(answer)
    assert {"checks_ms", "embed_ms", "retrieve_ms", "sparse_ms", "generate_ms", "total_ms"} <= set(answer.latency_ms)


def test_follow_up_in_a_session_keeps_the_subject_and_switches_region(chain):
    first = chain.answer("what are the ATM fees?", session_id="s-atm")
    follow = chain.answer("and in the EU?", session_id="s-atm")
    assert first.flags == ["new_session"]
    assert follow.standalone_question == "what are the ATM fees? and in the EU?"
    assert follow.region == "EU"
    assert follow.citations and all("atm" in (c["section"] + c["text"]).lower() for c in follow.citations[:1])
    assert all("-uk" not in c["source"] and "-us" not in c["source"] for c in follow.citations)


def test_question_the_kb_cannot_answer_gets_no_guess(chain):
    answer = chain.answer("can I get a mortgage to buy a house?")
    assert "low_confidence" in answer.flags and answer.escalation["category"] == "unanswered"
    assert answer.citations == [] and answer.confidence < chain.threshold


@pytest.mark.parametrize(
    ("question", "flag"),
    [
        ("x" * 20_000, "too_long"),
        ("🙂🙂🙂 !!! ???", "no_words"),
        ("¿Cómo puedo congelar mi tarjeta?", "not_english"),
        ("Wie kann ich meine Karte sperren?", "not_english"),
        ("should I buy bitcoin now or wait for the price to drop?", "investment_advice"),
        ("what's the best crypto to invest in this year", "investment_advice"),
    ],
)
def test_bad_input_gets_a_polite_reply_and_no_search(chain, question, flag):
    answer = chain.answer(question)
    assert flag in answer.flags and answer.citations == [] and answer.confidence == 0.0
    assert answer.answer.endswith(("?", "."))
    assert "embed_ms" not in answer.latency_ms


def test_an_over_long_message_is_read_and_kept_only_up_to_the_limit(chain):
    message = "how do I freeze my card? " + "blah " * 5_000 + "my email is dana.reyes@example.com"
    answer = chain.answer(message, session_id="s-long")
    assert {"too_long", "truncated"} <= set(answer.flags) and "25," in answer.answer
    assert len(answer.question) <= chain.max_question_chars
    assert "dana.reyes" not in answer.question  # past the limit: never read, so never stored
    logged = chain.guardrails.log.read()[-1]
    assert logged["session_id"] == "s-long" and len(logged["question"]) <= chain.max_question_chars


def test_a_sensitive_message_over_the_limit_is_still_handed_over(chain):
    answer = chain.answer("someone stole my card and emptied my account " + "please " * 600, session_id="s-long-2")
    assert answer.escalation is not None and "truncated" in answer.flags
    assert len(answer.question) <= chain.max_question_chars


def test_empty_question_is_an_error(chain):
    with pytest.raises(EmptyQuestionError, match="empty"):
        chain.answer("   ")


def test_empty_knowledge_base_answers_politely(embedder, redactor, tmp_path):
    settings = Settings(data_dir=tmp_path / "empty")
    empty = build_chain(settings, KnowledgeStore(settings, embedder.model_id).open(), embedder,
                        guardrails=build_guardrails(settings, embedder, redactor))
    answer = empty.answer("How do I freeze my card?")
    assert answer.flags == ["no_results"] and "no help articles" in answer.answer
    assert answer.escalation["ticket_id"] in answer.answer


def test_labelled_set_quality_meets_the_targets(chain):
    """The issue's quality bar on the labelled set: hit@5 >= 0.95 for the cited sources."""
    retriever = chain.retriever
    result = score(demo_queries(), lambda q: [(r.source, r.section) for r in retriever.retrieve(q.query, 5, q.region).results])
    assert result.hit_at_5 >= 0.95 and result.hit_at_1 >= 0.8, result.to_json()


def test_ask_jsonl_keeps_order_sessions_and_reports_bad_lines(demo_index, embedder, shared_redactor, monkeypatch):
    monkeypatch.setattr(app.index.embedding, "build_embedder", lambda settings: embedder)
    monkeypatch.setenv("BEACON_DATA_DIR", str(demo_index))
    lines = "\n".join([
        json.dumps({"question": "what are the ATM fees?", "session_id": "a"}),
        json.dumps({"question": "and in the EU?", "session_id": "a"}),
        "{broken",
        json.dumps({"question": ""}),
        json.dumps({"question": "how do I freeze my card", "region": "uk"}),
    ])
    result = CliRunner().invoke(cli, ["ask", "--jsonl", "-"], input=lines, catch_exceptions=False)
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["question"] for o in out] == ["what are the ATM fees?", "and in the EU?", None, None,
                                            "how do I freeze my card"]
    assert out[1]["region"] == "EU" and out[1]["session_id"] == "a"
    assert out[2]["error"].startswith("line 3:") and out[3]["error"].startswith("line 4:")
    for o in (out[0], out[1], out[4]):
        assert {"question", "answer", "confidence", "citations", "escalation", "latency_ms"} <= o.keys()
        assert o["escalation"] is None
        assert all({"source", "title", "section", "text", "score", "chunk_id"} <= c.keys() for c in o["citations"])
    assert out[4]["region"] == "UK"


def test_ask_json_single_question(demo_index, embedder, shared_redactor, monkeypatch):
    monkeypatch.setattr(app.index.embedding, "build_embedder", lambda settings: embedder)
    monkeypatch.setenv("BEACON_DATA_DIR", str(demo_index))
    result = CliRunner().invoke(cli, ["ask", "How do I freeze my card?", "--json"], catch_exceptions=False)
    payload = json.loads(result.stdout)
    assert result.exit_code == 0 and payload["citations"][0]["source"] == "faq/cards.md"
    assert first_hit_rank([(c["source"], c["section"]) for c in payload["citations"]],
                          (("faq/cards.md", "How do I freeze my card?"),)) == 1
