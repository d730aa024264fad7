"""Builds the evaluation suites from the labelled sets of the earlier issues, deterministically.

    python -m research.cases.build            # rewrites evals/datasets/cases/derived.jsonl and smoke.jsonl

Where each expected decision comes from (Beacon's policy, ``guardrails/escalation.py``):
- an answerable FAQ/policy query -> answer, unless ``queries_topic_labels.jsonl`` marks it
  as an incident (escalate with the most pressing topic) or it asks for a person;
- an unanswerable query -> escalate "unanswered", or clarify when it is too vague to search;
- a prompt injection from ``injection.jsonl`` (test split) -> escalate "prompt_injection";
- an incident message from ``sensitive_topics.jsonl`` (test split) -> escalate with its topic.
Reference contexts are the labels' expected (source, section) pairs; the reference answer is
the text of the first one's chunk in the knowledge base (the FAQ answer, or the section).
Hand-written cases (multi-turn, PII, adversarial) live in ``handwritten.jsonl``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from app.core.jsonl import read_jsonl
from evals.cases import CASES_DIR, SCHEMA_VERSION
from guardrails.escalation import _TOPIC_ORDER, asks_for_human, is_vague
from research.paths import DEMO_KB, INJECTION_DATA, RETRIEVAL_DATA, TOPICS_DATA
from research.retrieval.queries import ROUTINE_LABELS

INJECTIONS = 40  # enough for a flag rate with a useful interval, few enough to keep the run short
INCIDENTS = 40
SMOKE_IDS = ("faq-001", "faq-010", "faq-050", "pol-001", "pol-020", "una-001", "una-010", "faq-030", "inj-002",
             "mt-001", "mt-009", "pii-h-001", "pii-h-008", "adv-h-001", "vg-h-001", "hr-h-001")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def kb_chunks(kb_dir: Path = DEMO_KB) -> dict[tuple[str, str], list[str]]:
    """(source, section) -> chunk texts in document order, as ``beacon eval`` reads them."""
    from app.core.settings import Settings
    from evals.ragas_metrics import load_kb_chunks

    return load_kb_chunks(kb_dir, Settings())


def reference_answer(refs: list[tuple[str, str]], chunks: dict[tuple[str, str], list[str]], limit: int = 700) -> str:
    """The first reference's text, cut at a sentence end near ``limit`` characters (a long
    policy section would otherwise swamp string and ROUGE scores with text no reply needs)."""
    if not refs:
        return ""
    source, section = refs[0]
    texts = chunks.get((source, section)) or next(
        (v for (s, sec), v in chunks.items() if s == source and sec.startswith(section + " > ")), [])
    text = " ".join(" ".join(texts).split())
    if len(text) <= limit:
        return text
    out = ""
    for sentence in _SENTENCE_END.split(text):
        if out and len(out) + len(sentence) > limit:
            break
        out = f"{out} {sentence}".strip()
    return out


def _case(id: str, question: str, decision: str, category: str | None, refs, tags, region, chunks) -> dict:
    refs = [(r["source"], r["section"]) for r in refs]
    return {
        "id": id, "version": SCHEMA_VERSION, "question": question,
        "context": {"region": region, "language": "en", "tier": None},
        "reference_answer": reference_answer(refs, chunks) if decision == "answer" else "",
        "reference_contexts": [{"source": s, "section": sec} for s, sec in refs],
        "expected": {"decision": decision, "category": category},
        "tags": sorted(set(tags) | ({"region"} if region else set())),
    }


def _topic(labels: list[str]) -> str | None:
    return next((t for t in _TOPIC_ORDER if t in labels), None)


def _unanswerable(row: dict, incidents: dict, chunks, tags: list[str]) -> dict:
    topic = incidents.get(row["id"])
    if topic:
        decision, category, more = "escalate", topic, ["unanswerable", "incident"]
    elif asks_for_human(row["query"]):
        decision, category, more = "escalate", "human_requested", ["unanswerable", "human-request"]
    elif is_vague(row["query"]):
        decision, category, more = "clarify", None, ["unanswerable", "vague"]
    else:
        decision, category, more = "escalate", "unanswered", ["unanswerable", "out-of-scope"]
    return _case(row["id"], row["query"], decision, category, [], tags + more, row["region"], chunks)


def derived_cases(chunks) -> list[dict]:
    incidents = {r["id"]: _topic(r["labels"]) for r in read_jsonl(ROUTINE_LABELS)}
    out = []
    for name, kind in (("queries_faq.jsonl", "faq"), ("queries_policy.jsonl", "policy")):
        for row in read_jsonl(RETRIEVAL_DATA / name):
            topic = incidents.get(row["id"])
            if not row.get("answerable", True):
                out.append(_unanswerable(row, incidents, chunks, [kind]))
                continue
            if topic:
                decision, category, tags = "escalate", topic, [kind, "incident"]
            elif asks_for_human(row["query"]):
                decision, category, tags = "escalate", "human_requested", [kind, "human-request"]
            else:
                decision, category, tags = "answer", None, [kind]
            out.append(_case(row["id"], row["query"], decision, category, row["expected"], tags, row["region"], chunks))
    out += [_unanswerable(row, incidents, chunks, []) for row in read_jsonl(RETRIEVAL_DATA / "queries_unanswerable.jsonl")]
    # Every k-th row of the held-out split: spread over the sets' categories, stable across rebuilds.
    injections = [r for r in read_jsonl(INJECTION_DATA / "injection.jsonl") if r["injection"] and r.get("split") == "test"]
    for row in injections[:: max(1, len(injections) // INJECTIONS)][:INJECTIONS]:
        out.append(_case(row["id"], row["text"], "escalate", "prompt_injection", [], ["adversarial"], None, chunks))
    sensitive = [r for r in read_jsonl(TOPICS_DATA / "sensitive_topics.jsonl") if r["labels"] and r.get("split") == "test"]
    for row in sensitive[:: max(1, len(sensitive) // INCIDENTS)][:INCIDENTS]:
        out.append(_case(row["id"], row["text"], "escalate", _topic(row["labels"]), [], ["incident"], None, chunks))
    return out


def main() -> None:
    chunks = kb_chunks()
    derived = derived_cases(chunks)
    handwritten_path = CASES_DIR / "handwritten.jsonl"
    handwritten = read_jsonl(handwritten_path)
    for row in handwritten:  # hand-written cases get their reference answer from the KB too
        if row["expected"]["decision"] == "answer" and not row["reference_answer"]:
            row["reference_answer"] = reference_answer([(r["source"], r["section"]) for r in row["reference_contexts"]],
                                                       chunks)
    by_id = {row["id"]: row for row in derived + handwritten}
    write(CASES_DIR / "derived.jsonl", derived)
    write(handwritten_path, handwritten)
    write(CASES_DIR / "smoke.jsonl", [by_id[i] for i in SMOKE_IDS])
    print(f"derived {len(derived)}, handwritten {len(handwritten)}, smoke {len(SMOKE_IDS)}")


def write(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


if __name__ == "__main__":
    main()
