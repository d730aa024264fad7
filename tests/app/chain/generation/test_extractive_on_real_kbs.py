"""The extractive generator's own replies pass the output check on chunks of real help centres
(Electrum, Monero, BTCPay, read from the public datasets folder): a failure there would hand
a routine answer to a person, so each one is a bug."""

from __future__ import annotations

import pytest

from app.core.settings import Settings
from app.chain.generation.extractive import ExtractiveGenerator
from app.index.retrieval import RetrievedChunk
from guardrails.groundedness import GroundednessChecker
from guardrails.output_guard import OutputGuard
from ingest.folder import chunk_folder
from tests.public_data import public_datasets_dir

SAMPLE_EVERY = 7  # a fixed sample: every 7th chunk of each KB leads, the next other file's chunk follows


def _retrieved(chunk, title: str) -> RetrievedChunk:
    return RetrievedChunk(chunk.chunk_id, chunk.source, title, chunk.section, chunk.text, 1.0,
                          metadata={"question": chunk.question} if chunk.question else {})


@pytest.mark.parametrize("kb", ["electrum", "monero", "btcpay"])
def test_extractive_replies_on_real_kb_chunks_pass_the_output_check(kb, embedder, redactor):
    files = chunk_folder(public_datasets_dir() / "kbs" / kb / "docs", Settings())
    chunks = [_retrieved(c, f.document.meta.title) for f in files if f.document for c in f.chunks]
    guard = OutputGuard(GroundednessChecker(embedder=embedder), redactor)
    generator = ExtractiveGenerator()
    failures = []
    sample = chunks[::SAMPLE_EVERY]
    for i, top in enumerate(sample):
        extra = next(c for c in chunks[i * SAMPLE_EVERY + 1:] + chunks if c.source != top.source)
        question = top.metadata.get("question") or f"{top.title} {top.section}"
        reply = generator.generate(question, [top, extra]).text
        check = guard.check(reply, [top.text, extra.text])
        if not check.passed:
            failures.append((top.source, reply, check.to_json()))
    assert len(sample) > 30
    assert failures == []
