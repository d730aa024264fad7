"""``beacon eval``: run a suite, score it with ragas and Beacon's metrics, write the report,
and optionally hold it to the accepted baseline.

``run_cli`` is what the Click command calls; ``run_eval`` is the same run for code and tests
that already hold loaded models or a built index. Exit codes: 0 done (and the gate passed
when asked), 1 the gate failed, 2 bad input (cases, settings, knowledge dir), 3 the judge
was asked for but unavailable (the no-LLM report is still written).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from evals.cases import DEFAULT_SUITE, EvalError, load_cases, suite_files

DEMO_KB = Path(__file__).resolve().parent.parent / "knowledge"
EXIT_OK, EXIT_GATE_FAILED, EXIT_BAD_INPUT, EXIT_JUDGE_UNAVAILABLE = 0, 1, 2, 3
RETRIEVAL_K = 5


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def run_cli(suite: str | None, judge: bool, out: Path | None, gate: bool, update_baseline: bool,
            cases_file: Path | None, kb_dir: Path | None, progress: bool, *, embedder=None, redactor=None,
            prebuilt_index: Path | None = None, settings=None, baseline_path: Path | None = None) -> int:
    """Run one evaluation and return the exit code. The keyword-only arguments let a caller
    share loaded models, an index already built from the same knowledge dir, settings and a
    baseline file (tests do); the CLI leaves them unset."""
    from app.core.errors import BeaconError
    from app.core.settings import load_settings
    from evals.ragas_metrics import OFFLINE_ENV

    for key, value in OFFLINE_ENV.items():  # before Chroma, ragas or LangChain start any telemetry
        os.environ.setdefault(key, value)
    try:
        settings = settings or load_settings()
        if cases_file is not None:
            kb = Path(kb_dir or settings.knowledge_dir)
            if not kb.is_dir():
                raise EvalError(f"knowledge directory {kb} does not exist: pass --kb DIR with your own knowledge files")
            name = f"custom:{Path(cases_file).stem}"
            cases = load_cases([Path(cases_file)], kb)
        else:
            if kb_dir is not None:
                raise EvalError("--kb needs --cases: the built-in suites are written against the demo knowledge base")
            name, kb = suite or DEFAULT_SUITE, DEMO_KB
            cases = load_cases(suite_files(name), kb)
    except (EvalError, BeaconError) as exc:
        _say(f"Error: {exc}")
        return EXIT_BAD_INPUT
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = Path(out) if out else Path(settings.data_dir) / "eval" / stamp
    from evals import gate as gate_module

    try:
        result = run_eval(cases, name, settings, kb, out, judge=judge, progress=progress, embedder=embedder,
                          redactor=redactor, prebuilt_index=prebuilt_index,
                          baseline_path=baseline_path or gate_module.BASELINE, gate=gate)
    except (EvalError, BeaconError) as exc:
        _say(f"Error: {exc}")
        return EXIT_BAD_INPUT
    _print_summary(result, out)
    if update_baseline:
        gate_module.write_baseline(result["summary"], name, result["cases"], baseline_path or gate_module.BASELINE)
        _say(f"Baseline for suite {name!r} updated in {baseline_path or gate_module.BASELINE}: commit it.")
    if gate and not result["gate"]["passed"]:
        _say(f"Gate FAILED: {result['gate']['message']}")
        return EXIT_GATE_FAILED
    if judge and (result["ragas"]["judge"].get("error") or result["ragas"]["judge"].get("skipped")):
        return EXIT_JUDGE_UNAVAILABLE
    return EXIT_OK


def run_eval(cases, suite: str, settings, kb_dir: Path, out: Path, judge: bool = False, progress: bool = False,
             embedder=None, redactor=None, prebuilt_index: Path | None = None, baseline_path: Path | None = None,
             gate: bool = False) -> dict:
    """Ingest ``kb_dir`` into a temporary store, answer every case, score, write the report
    into ``out``; returns the result dict (also in ``out/result.json``)."""
    from evals import beacon_metrics, ragas_metrics, report
    from evals import gate as gate_module
    from evals.runner import prepare_index, run_cases

    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    started = time.perf_counter()
    embedder, redactor = _models(settings, embedder, redactor)
    with tempfile.TemporaryDirectory(prefix="beacon-eval-") as tmp:
        # The run's tickets, decision log and conversations go to a fresh folder: the PII
        # check then sees exactly what this run wrote, and a developer's stores stay untouched.
        run_settings = settings.model_copy(update={"data_dir": Path(tmp), "knowledge_dir": kb_dir,
                                                   "conversation_store": None, "webhook_url": None})
        not_indexed = prepare_index(run_settings, embedder, kb_dir, prebuilt_index)
        for item in not_indexed:
            if item["status"] != "skipped":
                _say(f"Not indexed ({item['status']}): {item['reason']}")
        with _progress_bar(len(cases), progress) as advance:
            run = run_cases(cases, run_settings, embedder, redactor, progress=advance)
        records = run.records
        stored = run.stored_text()
    chunks = ragas_metrics.load_kb_chunks(kb_dir, settings)
    ragas_embedder = embedder if type(embedder).__name__ == "OnnxMiniLMEmbedder" else _bundled_embedder()
    ragas = {"non_llm": ragas_metrics.score_non_llm(records, chunks, ragas_embedder, settings.answer_sources)}
    if judge:
        try:
            ragas["judge"] = ragas_metrics.score_judged(records, chunks, ragas_embedder, settings,
                                                        settings.answer_sources)
        except ragas_metrics.JudgeUnavailable as exc:
            ragas["judge"] = {"error": str(exc)}
        if ragas["judge"].get("error") or ragas["judge"].get("skipped"):
            _say(f"LLM-judged metrics: {ragas['judge'].get('error') or ragas['judge'].get('skipped')}")
    else:
        ragas["judge"] = {"skipped": "not requested (--judge)"}
    beacon = beacon_metrics.all_metrics(records, stored, k=RETRIEVAL_K)
    summary = {**{k: v["mean"] for k, v in ragas["non_llm"].items()},
               **{k: v["mean"] for k, v in ragas["judge"].items() if isinstance(v, dict) and "mean" in v},
               **beacon.pop("summary")}
    baseline = gate_module.load_baseline(suite, baseline_path or gate_module.BASELINE)
    result = {
        "suite": suite, "cases": len(records), "started_at": started_at,
        "seconds": round(time.perf_counter() - started, 1), "answer_seconds": round(run.seconds, 1),
        "settings": {k: getattr(settings, k) for k in ("generator", "answer_sources", "retrieval_candidates",
                                                       "search_top_k", "confidence_threshold", "retrieval_alpha")},
        "knowledge_dir": str(kb_dir), "not_indexed": not_indexed, "summary": summary,
        "baseline": (baseline or {}).get("metrics"), "ragas": ragas, "beacon": beacon,
        "gate": gate_module.gate(summary, suite, baseline_path or gate_module.BASELINE) if gate else None,
    }
    for r in records:
        r.scores["badness"] = report.badness(r)
    result["records"] = [r.to_json() for r in records]
    report.write_all(result, records, out)
    return result


def _models(settings, embedder, redactor):
    if embedder is None:
        from app.index.embedding import build_embedder

        embedder = build_embedder(settings)
        if hasattr(embedder, "warm_up"):
            embedder.warm_up()
    if redactor is None:
        from app.chain.factory import build_redactor

        redactor = build_redactor(settings)
        redactor.warm_up()
    return embedder, redactor


def _bundled_embedder():
    from app.index.embedding.onnx_minilm import OnnxMiniLMEmbedder

    model = OnnxMiniLMEmbedder()
    model.warm_up()
    return model


class _progress_bar:
    """A rich progress bar over the cases, or nothing (``progress=False``, e.g. in CI logs)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled, self._bar = total, enabled, None

    def __enter__(self):
        if not self.enabled:
            return lambda record: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._bar = Progress(TextColumn("answering cases"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                             TextColumn("{task.fields[case]}"), transient=False)
        self._bar.__enter__()
        task = self._bar.add_task("cases", total=self.total, case="")
        return lambda record: self._bar.update(task, advance=1, case=record.id)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)


def _print_summary(result: dict, out: Path) -> None:
    summary = result["summary"]
    width = max(len(k) for k in summary)
    _say(f"Suite {result['suite']}: {result['cases']} cases in {result['seconds']:.0f} s")
    for name, value in summary.items():
        shown = f"{value:.4f}" if isinstance(value, float) else str(value)
        _say(f"  {name:<{width}}  {shown}")
    _say(f"Report: {out / 'report.md'} (result.json, metrics.png, confusion.png, latency.png)")
