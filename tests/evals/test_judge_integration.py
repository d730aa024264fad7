"""The LLM-judged ragas metrics against a real llama.cpp server on loopback, on 1 case
(about 20 judge calls, 2 to 3 minutes on 2 cores: the ragas prompts are long).

SmolLM2-135M cannot judge anything: this checks that every judged metric reaches the
server and comes back as a figure or a counted failure, never the scores themselves."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from evals import ragas_metrics as rm
from tests.evals.test_ragas_metrics import CHUNKS, rec
from tests.fakes.llama_server import llama_server  # noqa: F401  (the session fixture)


@pytest.mark.integration
def test_judged_metrics_run_against_llama_server(llama_server, embedder):  # noqa: F811
    settings = SimpleNamespace(judge_base_url=llama_server.base_url, judge_model=llama_server.model,
                               judge_api_key=None, judge_timeout_s=120,
                               judge_max_tokens=200)  # the tiny model rambles to its context limit otherwise
    records = [rec("a")]
    out = rm.score_judged(records, CHUNKS, embedder, settings)
    assert "error" not in out, out.get("error")
    for name in rm.LLM_JUDGED:
        assert out[name]["cases"] == 1
        assert out[name]["failed"] <= 1
        mean = out[name]["mean"]
        assert mean is None or 0.0 <= mean <= 1.0 or name == "answer_relevancy"
