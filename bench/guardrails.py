#!/usr/bin/env python3
"""Guardrail speed: ``beacon check`` throughput in batches (the issue asks for at least 50
messages/s on 2 cores), the cost of each input check alone, and a whole answer turn with
every guardrail on.

Messages are the labelled sets written here (``research/*/data/``: PII, sensitive topics, injection),
repeated to the requested count. Everything runs in temporary folders. Prints Markdown
tables and writes ``bench/results/guardrails.json``.

    .venv/bin/python bench/guardrails.py                 # about 3 minutes
    .venv/bin/python bench/guardrails.py --messages 500
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from machine import machine  # bench/ is on sys.path when a script here runs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.core.jsonl import read_jsonl
from app.core.settings import Settings
from app.core.stats import percentile
from app.index.embedding.onnx_minilm import OnnxMiniLMEmbedder
from research.paths import INJECTION_DATA, PII_DATA, TOPICS_DATA
from research.retrieval.queries import demo_queries

RESULTS = ROOT / "bench" / "results" / "guardrails.json"


def messages(count: int) -> list[str]:
    texts: list[str] = []
    for path in (PII_DATA / "pii.jsonl", TOPICS_DATA / "sensitive_topics.jsonl", INJECTION_DATA / "injection.jsonl"):
        texts += [row["text"] for row in read_jsonl(path)]
    return [texts[i % len(texts)] for i in range(count)]


def bench_check(embedder, texts: list[str], batch: int) -> dict:
    from app.chain.factory import build_input_guard

    guard = build_input_guard(Settings(), embedder)
    started = time.perf_counter()
    guard.warm_up()
    warm_up_s = time.perf_counter() - started
    guard.check_batch(texts[:batch])  # first-call costs out of the timing
    parts = {}
    for name, run in (("redact", lambda chunk: guard.redactor.redact_batch(chunk)),
                      ("topics", lambda chunk: guard.topics.detect_batch(chunk)),
                      ("injection", lambda chunk: guard.injection.score_batch(chunk))):
        started = time.perf_counter()
        for i in range(0, len(texts), batch):
            run(texts[i : i + batch])
        parts[name] = (time.perf_counter() - started) * 1000 / len(texts)
    started = time.perf_counter()
    for i in range(0, len(texts), batch):
        guard.check_batch(texts[i : i + batch])
    seconds = time.perf_counter() - started
    return {"messages": len(texts), "batch": batch, "warm_up_s": round(warm_up_s, 2),
            "messages_per_s": round(len(texts) / seconds, 1), "ms_per_message": {k: round(v, 2) for k, v in parts.items()},
            "ms_per_message_total": round(seconds * 1000 / len(texts), 2)}


def bench_turn(embedder, limit: int) -> dict:
    from app.chain.factory import build_chain
    from app.index.store import KnowledgeStore
    from ingest.sync import sync_knowledge

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), knowledge_dir=ROOT / "knowledge")
        store = KnowledgeStore(settings, embedder.model_id).open()
        sync_knowledge(settings.knowledge_dir, store, embedder, settings)
        chain = build_chain(settings, store, embedder)
        chain.guardrails.warm_up()
        questions = [q.query for q in demo_queries()][:limit]
        chain.answer(questions[0])
        stages: dict[str, list[float]] = {}
        actions: dict[str, int] = {}
        for question in questions:
            answer = chain.answer(question)
            actions[answer.decision["action"]] = actions.get(answer.decision["action"], 0) + 1
            for stage, ms in answer.latency_ms.items():
                stages.setdefault(stage, []).append(ms)
    return {"questions": len(questions), "actions": actions,
            "stages": {k: {"p50": round(statistics.median(v), 2), "p95": round(percentile(v, 0.95), 2)}
                       for k, v in stages.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--turns", type=int, default=200)
    args = parser.parse_args()
    embedder = OnnxMiniLMEmbedder()
    embedder.warm_up()
    check = bench_check(embedder, messages(args.messages), args.batch)
    turn = bench_turn(embedder, args.turns)
    result = {"date": dt.date.today().isoformat(), "machine": machine(),
              "check": check, "turn": turn,
              "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"## beacon check, batches of {check['batch']} ({check['messages']} messages)\n")
    print("| measure | value |\n| --- | --- |")
    print(f"| messages/s (all input checks) | {check['messages_per_s']} |")
    for name, ms in check["ms_per_message"].items():
        print(f"| {name}, ms/message | {ms} |")
    print(f"| warm-up (Presidio, spaCy, models), s | {check['warm_up_s']} |")
    print(f"\n## A whole turn with every guardrail ({turn['questions']} labelled questions)\n")
    print("| stage | p50 ms | p95 ms |\n| --- | --- | --- |")
    for stage, value in turn["stages"].items():
        print(f"| {stage} | {value['p50']} | {value['p95']} |")
    print(f"\nDecisions: {turn['actions']}; peak RSS {result['peak_rss_mb']} MB")


if __name__ == "__main__":
    main()
