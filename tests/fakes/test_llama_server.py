"""A real OpenAI-compatible server (llama.cpp + SmolLM2-135M on loopback) answers the openai client.

Checks plumbing only, never what the tiny model writes.
"""

from __future__ import annotations

import pytest
from openai import OpenAI

from tests.fakes.llama_server import llama_server  # noqa: F401  (session fixture)

pytestmark = pytest.mark.integration


def test_streamed_chat_completion_yields_content(llama_server):  # noqa: F811
    client = OpenAI(base_url=llama_server.base_url, api_key="unused", max_retries=0, timeout=60)
    stream = client.chat.completions.create(
        model=llama_server.model,
        messages=[
            {"role": "system", "content": "You are a helpful support assistant."},
            {"role": "user", "content": "How do I reset my password?"},
        ],
        max_tokens=16,
        stream=True,
    )
    deltas: list[str] = []
    finish_reasons: list[str] = []
    with stream:
        for chunk in stream:
            for choice in chunk.choices:
                if choice.delta.content:
                    deltas.append(choice.delta.content)
                if choice.finish_reason:
                    finish_reasons.append(choice.finish_reason)

    assert deltas, "the stream carried no content delta"
    assert finish_reasons and finish_reasons[-1] in {"stop", "length"}
    assert llama_server.process.poll() is None
