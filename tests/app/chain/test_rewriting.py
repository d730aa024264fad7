"""Follow-up rewriting with a chat model over real HTTP on loopback, and its fallback."""

from __future__ import annotations

import openai
import pytest

from app.chain.generation.model_endpoint import Deadlines, ModelEndpoint
from app.chain.rewriting import CarrySubjectRewriter, ChatModelRewriter
from app.chain.sessions import Session, Turn
from tests.fakes.openai_server import FakeOpenAIServer

HISTORY = Session("s", turns=[Turn("what are the ATM fees?", "what are the ATM fees?", None)])


@pytest.fixture
def server():
    with FakeOpenAIServer() as fake:
        yield fake


def _rewriter(server) -> ChatModelRewriter:
    client = openai.OpenAI(api_key="sk-test", base_url=server.base_url, max_retries=0)
    return ChatModelRewriter(ModelEndpoint(client, "tiny", Deadlines(first_token_s=0.5, retries=0)))


def test_the_model_rewrites_a_follow_up(server):
    server.replies = ["What are the ATM fees in the EU?"]
    assert _rewriter(server).rewrite("and in the EU?", HISTORY) == "What are the ATM fees in the EU?"
    prompt = server.requests[-1]["messages"][1]["content"]
    assert "Customer: what are the ATM fees?" in prompt and "and in the EU?" in prompt


def test_standalone_questions_and_first_turns_skip_the_model(server):
    assert _rewriter(server).rewrite("How do I close my account?", HISTORY) == "How do I close my account?"
    assert _rewriter(server).rewrite("and in the EU?", Session("new")) == "and in the EU?"
    assert server.requests == []


@pytest.mark.parametrize(
    "setup",
    [lambda s: setattr(s, "fail_with", 503), lambda s: s.replies.append(""),
     lambda s: s.replies.append("Sure!\nHere is a rewritten question:\nWhat are ATM fees in the EU?"),
     lambda s: setattr(s, "stall_seconds", 2.0)],
)
def test_unusable_model_replies_fall_back_to_the_rule(server, setup):
    setup(server)
    expected = CarrySubjectRewriter().rewrite("and in the EU?", HISTORY)
    assert _rewriter(server).rewrite("and in the EU?", HISTORY) == expected == "what are the ATM fees? and in the EU?"
