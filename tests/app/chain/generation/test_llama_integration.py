"""The answer chain against a real OpenAI-compatible server: llama.cpp with SmolLM2-135M on
loopback. Plumbing only (streaming, citation parsing, timeout, fallback when the server dies
mid-answer); what the tiny model writes is never asserted."""

from __future__ import annotations

import threading

import pytest

from app.chain.citations import check_citations
from app.chain.factory import build_chain, build_guardrails
from app.chain.generation.extractive import ExtractiveGenerator
from app.chain.generation.openai_chat import OpenAIChatGenerator
from app.core.settings import Settings
from app.index.retrieval import RetrievedChunk
from app.index.store import KnowledgeStore
from tests.fakes.llama_server import llama_server, run_llama_server  # noqa: F401  (session fixture)

pytestmark = pytest.mark.integration

SOURCES = [
    RetrievedChunk("c1", "faq/cards.md", "Cards FAQ", "How do I freeze my card?",
                   "Open the app, tap Card, then Freeze. Unfreeze the same way.", 1.0,
                   metadata={"question": "How do I freeze my card?"}),
    RetrievedChunk("c2", "policies/cards/card-terms.md", "Card terms", "Freezing",
                   "A frozen card declines new payments until you unfreeze it.", 0.6),
]


def _settings(server, **extra) -> Settings:
    base = dict(generator="openai", openai_base_url=server.base_url, openai_api_key="unused",
                openai_chat_model=server.model, openai_timeout_s=60, openai_max_retries=0,
                # the tiny model on a busy 2-core machine: these tests check plumbing, not speed
                openai_first_token_s=60, openai_reply_deadline_s=120,
                openai_context_tokens=2048, openai_answer_tokens=48)
    return Settings(**{**base, **extra})


def _generator(settings: Settings) -> OpenAIChatGenerator:
    return OpenAIChatGenerator.from_settings(settings, fallback=ExtractiveGenerator())


def test_streams_a_reply_from_the_real_server(llama_server):  # noqa: F811
    pieces = list(_generator(_settings(llama_server)).stream("how do I freeze my card?", SOURCES))
    assert len(pieces) > 1 and "lost my connection" not in "".join(pieces)


def test_the_chain_answers_through_the_server_and_checks_citations(llama_server, demo_index, embedder,  # noqa: F811
                                                                    redactor, tmp_path):
    settings = _settings(llama_server, data_dir=demo_index)
    guards = build_guardrails(Settings(data_dir=tmp_path), embedder, redactor)
    chain = build_chain(settings, KnowledgeStore(settings, embedder.model_id).open(), embedder, guardrails=guards)
    answer = chain.answer("How do I freeze my card?")
    assert answer.generator in ("openai", "extractive")
    if answer.generator == "openai":  # whatever it wrote, every kept marker points at a given source
        check = check_citations(answer.answer, len(answer.citations) + 10)
        assert set(check.cited) == {c["number"] for c in answer.citations}
        assert answer.output_check["passed"]
    else:  # the tiny model's reply failed or failed the output checks: the extractive answer replaced it
        assert any(flag.startswith("fallback:") for flag in answer.flags)
    assert answer.latency_ms["generate_ms"] > 0


def test_a_timeout_falls_back_to_the_extractive_answer(llama_server):  # noqa: F811
    generation = _generator(_settings(llama_server, openai_timeout_s=0.01)).generate("freeze my card", SOURCES)
    assert generation.generator == "extractive" and generation.fallback_reason == "APITimeoutError"
    assert "Open the app, tap Card, then Freeze." in generation.text


def test_server_stopped_mid_answer_ends_with_the_extractive_answer(tmp_path):
    with run_llama_server(log_dir=tmp_path) as server:
        generator = _generator(_settings(server, openai_answer_tokens=256))
        stream = generator.stream("Explain in detail every way to freeze a card, step by step.", SOURCES)
        first = next(stream)
        threading.Thread(target=server.stop, daemon=True).start()
        rest = "".join(stream)
    assert first and "lost my connection" in rest
    assert "Open the app, tap Card, then Freeze." in rest
