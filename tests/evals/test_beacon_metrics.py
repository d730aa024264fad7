"""Beacon's metrics on hand-built records, where every figure can be worked out by hand."""

from __future__ import annotations

import pytest

from evals import beacon_metrics as bm
from evals.report import badness
from evals.runner import CaseRecord


def rec(id, expected, action, category=None, expected_category=None, tags=("faq",), refs=(), retrieved=(),
        output_passed=None, pii_values=(), reasons=(), total_ms=10.0, flags=()):
    return CaseRecord(
        id=id, tags=list(tags), turns=["q"], context={}, expected_decision=expected,
        expected_category=expected_category, reference_answer="", reference_contexts=[list(r) for r in refs],
        pii_values=list(pii_values), action=action, category=category, reasons=list(reasons),
        retrieved=[{"source": s, "section": sec, "text": ""} for s, sec in retrieved],
        output_check=None if output_passed is None else {"passed": output_passed}, latency_ms={"total_ms": total_ms},
        flags=list(flags))


REF = ("faq/cards.md", "How do I freeze my card?")
OTHER = ("faq/fees-limits.yaml", "How much do the Lodestar plans cost?")


@pytest.mark.parametrize("retrieved, rank", [
    ([REF, OTHER], 1),
    ([OTHER, REF], 2),
    ([OTHER] * 4 + [REF], 5),
    ([OTHER] * 5 + [REF], None),  # beyond k = 5
    ([], None),
])
def test_hit_rank(retrieved, rank):
    record = rec("a", "answer", "answer", refs=[REF], retrieved=retrieved)
    bm.retrieval([record], k=5)
    assert record.scores["hit_rank"] == rank


def test_retrieval_figures():
    records = [rec("a", "answer", "answer", refs=[REF], retrieved=[REF]),
               rec("b", "answer", "answer", refs=[REF], retrieved=[OTHER, REF]),
               rec("c", "answer", "answer", refs=[REF], retrieved=[OTHER]),
               rec("d", "escalate", "escalate", "unanswered", "unanswered")]  # no references: not counted
    assert bm.retrieval(records, k=5) == {"cases": 3, "hit@1": 0.3333, "hit@5": 0.6667, "mrr": 0.5}


def test_whole_file_labels_rank_articles_not_chunks():
    # A help centre's questions.tsv names files: five chunks of one long article are one article, not five.
    record = rec("a", "answer", "answer", refs=[("guides/abroad.md", "")], retrieved=[OTHER] * 5)
    record.retrieved_files = ["faq/fees-limits.yaml", "faq/cards.md", "guides/abroad.md"]
    assert bm.retrieval([record], k=5) == {"cases": 1, "hit@1": 0.0, "hit@5": 1.0, "mrr": 0.3333}
    assert record.scores["hit_rank"] == 3


def test_answered_citing_a_labelled_source():
    def cited(record, *sources):
        record.citations = [{"number": n, "source": s, "section": sec, "text": ""}
                            for n, (s, sec) in enumerate(sources, start=1)]
        return record

    whole = ("faq/cards.md", "")
    records = [cited(rec("a", "answer", "answer", refs=[whole]), OTHER, REF),        # the article, second citation
               cited(rec("b", "answer", "answer_with_caution", refs=[REF]), REF),   # a cautious answer counts
               cited(rec("c", "answer", "answer", refs=[REF]), OTHER),              # answered from another article
               cited(rec("d", "answer", "escalate", "unanswered", refs=[REF]), REF),  # a handoff is not an answer
               rec("e", "answer", "answer"),                                         # no label: not counted
               cited(rec("f", "escalate", "answer", refs=[REF]), REF)]               # labelled to hand over
    assert bm.cited_right(records) == {"answerable_labelled": 4, "answered_citing_reference": 0.5}
    assert [r.scores.get("cited_reference") for r in records] == [1.0, 1.0, 0.0, None, None, None]
    # An answer from another article is among the report's worst cases: it reads right and is not.
    assert badness(records[2]) > badness(records[1])


def test_decisions_confusion_and_cost():
    records = [rec("a", "answer", "answer"), rec("b", "answer", "answer_with_caution"),
               rec("c", "answer", "escalate", "unanswered"),                                   # unneeded
               rec("d", "escalate", "answer", expected_category="fraud_scam"),                 # missed
               rec("e", "escalate", "escalate", "fraud_scam", "fraud_scam"),
               rec("f", "escalate", "escalate", "complaint", "fraud_scam"),                    # wrong category
               rec("g", "clarify", "clarify"), rec("h", "clarify", "")]                        # error
    d = bm.decisions(records)
    assert d["confusion"]["answer"] == {"answer": 2, "clarify": 0, "escalate": 1, "error": 0}
    assert d["confusion"]["escalate"] == {"answer": 1, "clarify": 0, "escalate": 2, "error": 0}
    assert d["confusion"]["clarify"]["error"] == 1
    assert d["accuracy"] == 0.625
    assert (d["missed_escalations"], d["unneeded_escalations"]) == (1, 1)
    assert d["escalation_cost"] == round((5 * 1 + 1 * 1) / 8, 4)
    assert d["escalation_category_accuracy"] == 0.5


def test_a_question_declined_on_principle_is_no_answer_to_an_unanswerable_one():
    """Investment advice gets a polite refusal and no article: what an unanswerable question is
    labelled for. A declined incident is still a missed escalation."""
    refused = rec("a", "escalate", "answer", expected_category="unanswered", flags=["investment_advice"])
    incident = rec("b", "escalate", "answer", expected_category="fraud_scam", flags=["investment_advice"])
    other = rec("c", "escalate", "answer", expected_category="unanswered", flags=["not_english"])
    assert (refused.decided, refused.decided_category) == ("escalate", "unanswered")
    assert incident.decided == "answer" and other.decided == "answer"
    d = bm.decisions([refused, incident, other])
    assert d["missed_escalations"] == 2 and d["escalation_category_accuracy"] == 1.0


def test_a_missed_escalation_costs_more_than_an_unneeded_one():
    missed = bm.decisions([rec("a", "escalate", "answer", expected_category="fraud_scam")])
    unneeded = bm.decisions([rec("a", "answer", "escalate", "unanswered")])
    assert missed["escalation_cost"] > unneeded["escalation_cost"]


def test_escalation_by_category():
    records = [rec("a", "escalate", "escalate", "fraud_scam", "fraud_scam"),
               rec("b", "escalate", "answer", expected_category="fraud_scam"),
               rec("c", "answer", "escalate", "fraud_scam"),
               rec("d", "escalate", "escalate", "complaint", "fraud_scam")]
    row = bm.escalation_by_category(records)["fraud_scam"]
    assert row == {"expected": 3, "predicted": 2, "precision": 0.5, "recall": 0.3333, "missed": 1,
                   "wrong_category": 1, "unneeded": 1}


def test_containment_groundedness_and_injection():
    records = [rec("a", "answer", "answer", output_passed=True), rec("b", "answer", "answer", output_passed=False),
               rec("c", "answer", "escalate", "unanswered"),
               rec("d", "escalate", "escalate", "prompt_injection", "prompt_injection", tags=["adversarial"],
                   reasons=["prompt_injection"]),
               rec("e", "escalate", "answer", expected_category="prompt_injection", tags=["adversarial"])]
    assert bm.containment(records) == {"containment_rate": 0.6, "containment_of_answerable": 0.6667}
    assert bm.groundedness(records) == {"answers_checked": 2, "groundedness_rate": 0.5}
    assert bm.injection(records) == {"adversarial_cases": 2, "injection_flag_rate": 0.5, "escalated": 0.5}


@pytest.mark.parametrize("value, stored, leaked", [
    ("Margaret Oduya", "question: hi I'm <PERSON_1>", False),
    ("Margaret Oduya", "question: hi I'm margaret oduya", True),             # case does not hide it
    ("4539 1488 0343 6467", "card 4539148803436467 declined", True),         # nor reformatting a number
    ("07700 900461", "call 07700-900461", True),
    ("Jo Li", "jolly good", False),                                          # only the value as written counts
])
def test_pii_leaks(value, stored, leaked):
    out = bm.pii_leaks([rec("a", "answer", "answer", pii_values=[value])],
                       {"generator_inputs": stored, "decision_log": ""})
    assert out["leaked"] == int(leaked)
    if leaked:
        assert out["leaks"][0]["sinks"] == ["generator_inputs"] and out["pii_leak_rate"] == 1.0


def test_latency_per_stage_skips_stages_a_case_did_not_run():
    records = [rec("a", "answer", "answer", total_ms=10), rec("b", "answer", "answer", total_ms=30)]
    records[0].latency_ms["generate_ms"] = 4.0
    lat = bm.latency(records)
    assert lat["total_ms"] == {"n": 2, "p50": 20.0, "p95": 29.0}
    assert lat["generate_ms"]["n"] == 1
