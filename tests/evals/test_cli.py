"""``run_cli`` end to end on the smoke suite: the report files, the deliberate baseline
update, and a gate that fails a deliberately degraded build (shallower retrieval)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.settings import Settings
from evals.cli import EXIT_GATE_FAILED, EXIT_JUDGE_UNAVAILABLE, EXIT_OK, run_cli

REPO = Path(__file__).resolve().parents[2]
REPORT_FILES = {"result.json", "report.md", "metrics.png", "confusion.png", "latency.png"}


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory, demo_index, embedder, redactor):
    """One accepted smoke run: its settings, its output folder and the baseline it wrote."""
    root = tmp_path_factory.mktemp("smoke-eval")
    settings = Settings(data_dir=root / "data", knowledge_dir=REPO / "knowledge")
    baseline = root / "baseline.json"
    code = run_cli("smoke", False, None, False, True, None, None, False, embedder=embedder, redactor=redactor,
                   prebuilt_index=demo_index, settings=settings, baseline_path=baseline)
    assert code == EXIT_OK
    (out,) = (settings.data_dir / "eval").iterdir()  # the default: <data_dir>/eval/<timestamp>/
    return settings, out, baseline


def test_smoke_run_writes_every_report_file(smoke_run):
    _, out, _ = smoke_run
    assert REPORT_FILES <= {p.name for p in out.iterdir()}
    assert all((out / name).stat().st_size > 0 for name in REPORT_FILES)
    assert (out / "metrics.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_result_json_has_ragas_and_beacon_figures_and_every_case(smoke_run):
    _, out, _ = smoke_run
    result = json.loads((out / "result.json").read_text())
    assert result["suite"] == "smoke" and result["cases"] == len(result["records"]) == 16
    summary = result["summary"]
    for name in ("non_llm_context_precision_with_reference", "non_llm_context_recall", "rouge_score",
                 "semantic_similarity", "hit@5", "mrr", "decision_accuracy", "escalation_cost",
                 "containment_rate", "groundedness_rate", "pii_leak_rate", "injection_flag_rate",
                 "latency_total_p95_ms"):
        assert summary[name] is not None, name
    assert summary["pii_leak_rate"] == 0.0  # Beacon redacts before anything is stored or sent
    assert result["beacon"]["pii"]["pii_values"] >= 3
    assert {"generate_ms", "guard_input_ms", "total_ms"} <= set(result["beacon"]["latency_ms"])
    assert not result["beacon"]["errors"]


def test_report_reads_without_code(smoke_run):
    _, out, _ = smoke_run
    text = (out / "report.md").read_text()
    for heading in ("Headline figures (ragas and Beacon side by side)", "Decisions", "Escalation by category",
                    "Latency per stage", "worst cases"):
        assert heading in text
    assert "5 times worse than an unneeded one" in text
    assert "- question: " in text and "- answer: " in text and "- retrieved: " in text


def test_baseline_is_written_only_when_asked(smoke_run, tmp_path, demo_index, embedder, redactor):
    settings, _, baseline = smoke_run
    assert json.loads(baseline.read_text())["suites"]["smoke"]["cases"] == 16
    before = baseline.read_text()
    code = run_cli("smoke", False, tmp_path / "again", True, False, None, None, False, embedder=embedder,
                   redactor=redactor, prebuilt_index=demo_index, settings=settings, baseline_path=baseline)
    assert code == EXIT_OK  # the same build passes its own gate
    assert baseline.read_text() == before


def test_gate_fails_a_build_with_shallower_retrieval(smoke_run, tmp_path, demo_index, embedder, redactor, capsys):
    settings, _, baseline = smoke_run
    degraded = settings.model_copy(update={"answer_sources": 1, "retrieval_candidates": 2})
    code = run_cli("smoke", False, tmp_path / "degraded", True, False, None, None, False, embedder=embedder,
                   redactor=redactor, prebuilt_index=demo_index, settings=degraded, baseline_path=baseline)
    assert code == EXIT_GATE_FAILED
    assert "Gate FAILED" in capsys.readouterr().err
    result = json.loads((tmp_path / "degraded" / "result.json").read_text())
    failed = {c["metric"] for c in result["gate"]["checks"] if not c["passed"]}
    assert failed & {"hit@5", "mrr", "non_llm_context_recall", "non_llm_context_precision_with_reference"}
    assert "Gate: FAILED" in (tmp_path / "degraded" / "report.md").read_text()


def _pets_kb(tmp_path, front_matter: str = ""):
    """A knowledge folder with one FAQ, faq/pets.md, that answers "can i bring my dog to the office"."""
    kb = tmp_path / "kb"
    (kb / "faq").mkdir(parents=True)
    (kb / "faq" / "pets.md").write_text(
        f"{front_matter}# Pets FAQ\n\n## Can I bring my dog to the office?\n\n"
        "Yes, well-behaved dogs are welcome on Fridays as long as they stay on a lead.\n")
    return kb


def test_custom_suite_with_its_own_kb_and_a_dead_judge(tmp_path, embedder, redactor):
    kb = _pets_kb(tmp_path, "---\ntitle: Pets FAQ\ntype: faq\n---\n")
    cases = tmp_path / "mine.jsonl"
    cases.write_text(json.dumps({
        "id": "pet-1", "version": 1, "question": "can i bring my dog to the office",
        "context": {"region": None, "language": "en", "tier": None},
        "reference_answer": "Yes, well-behaved dogs are welcome on Fridays as long as they stay on a lead.",
        "reference_contexts": [{"source": "faq/pets.md", "section": "Can I bring my dog to the office?"}],
        "expected": {"decision": "answer", "category": None}, "tags": ["faq"]}) + "\n")
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=kb)
    # A judge that is not there: the LLM part ends with a message, the rest is reported.
    settings = settings.model_copy(update={"judge_base_url": "http://127.0.0.1:9/v1", "judge_model": "m"})
    code = run_cli(None, True, tmp_path / "out", False, False, cases, kb, False, embedder=embedder,
                   redactor=redactor, settings=settings)
    assert code == EXIT_JUDGE_UNAVAILABLE
    result = json.loads((tmp_path / "out" / "result.json").read_text())
    assert result["suite"] == "custom:mine" and result["cases"] == 1
    assert "did not answer" in result["ragas"]["judge"]["error"]
    assert result["summary"]["hit@1"] == 1.0 and result["summary"]["non_llm_context_recall"] == 1.0


def test_a_help_centre_with_a_contents_page_and_a_broken_file_is_measured_on_the_rest(tmp_path, embedder, redactor):
    # A real help centre has both (Electrum's security_issues/index.rst is only a toctree): ingest skips or
    # fails them, the report names them, and the run ends with the figures of the files that were indexed.
    kb = _pets_kb(tmp_path)
    (kb / "index.rst").write_text("Contents\n========\n\n.. toctree::\n\n   faq/pets\n")
    (kb / "faq" / "broken.md").write_text("---\ntitle: [Parking\n---\n# Parking\n\nPark in bay 4.\n")
    cases = tmp_path / "questions.tsv"
    cases.write_text("query\ttarget\tkind\ncan i bring my dog to the office\tfaq/pets.md\tanswerable\n")
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=kb)
    code = run_cli(None, False, tmp_path / "out", False, False, cases, kb, False, embedder=embedder,
                   redactor=redactor, settings=settings)
    assert code == EXIT_OK
    result = json.loads((tmp_path / "out" / "result.json").read_text())
    assert {(item["source"], item["status"]) for item in result["not_indexed"]} == {
        ("index.rst", "skipped"), ("faq/broken.md", "failed")}
    assert result["cases"] == 1 and result["summary"]["hit@1"] == 1.0
    assert result["ragas"]["non_llm"]["non_llm_context_precision_with_reference"]["cases"] == 1
