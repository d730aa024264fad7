"""The staff Insights tab: containment, escalations, feedback, latency, content gaps and the
latest evaluation, from ``service.insights()``. It must render an empty store (a new
install) without errors, so every value may be missing or None."""

from __future__ import annotations

import functools
from pathlib import Path

import gradio as gr
import pandas as pd

from app.ui.plots import counts_frame, feedback_trend_frame, gaps_frame, latency_trend_frame, summary_frame

NO_EVALUATION = "No evaluation yet — run `beacon eval`."


def _percent(value) -> str:
    return "—" if value is None else f"{value:.0%}"


def _ms(value) -> str:
    return "—" if value is None else f"{value:,.0f} ms"


def headline_markdown(data: dict) -> str:
    feedback = data.get("feedback") or {}
    latency = data.get("latency_ms") or {}
    up, down = int(feedback.get("up") or 0), int(feedback.get("down") or 0)
    rated = up + down
    liked = f" ({up / rated:.0%} positive)" if rated else ""
    return "\n".join([
        "| Containment | Conversations | Turns | Open handoffs | Feedback up / down | Latency p50 | Latency p95 |",
        "|---|---|---|---|---|---|---|",
        f"| **{_percent(data.get('containment_rate'))}** ({data.get('contained') or 0} contained) "
        f"| {data.get('conversations') or 0} | {data.get('turns') or 0} | {data.get('open_handoffs') or 0} "
        f"| {up} / {down}{liked} | {_ms(latency.get('p50'))} | {_ms(latency.get('p95'))} |",
        "",
        "_Containment: conversations that never needed a person. No data yet shows as —._",
    ])


def evaluation_view(evaluation: dict | None) -> tuple[str, pd.DataFrame]:
    """(heading, metric table) for the latest ``beacon eval`` result: its ``summary`` when it
    has one (with the accepted baseline beside each metric when the run had one), else every
    top-level value."""
    if not evaluation:
        return NO_EVALUATION, summary_frame(None)
    summary = evaluation.get("summary") if isinstance(evaluation.get("summary"), dict) else evaluation
    when = next((evaluation[k] for k in ("finished_at", "created_at", "started_at", "at") if evaluation.get(k)), None)
    heading = "Latest evaluation" + (f" ({when})" if when else "")
    facts = []
    if evaluation.get("suite"):
        facts.append(f"suite **{evaluation['suite']}**, {evaluation.get('cases', '?')} cases")
    gate = evaluation.get("gate")
    if isinstance(gate, dict):
        facts.append("gate **passed**" if gate.get("passed") else f"gate **FAILED**: {gate.get('message', '')}")
    if evaluation.get("report_dir"):
        facts.append(f"full report with the worst cases: `{evaluation['report_dir']}/report.md`")
    if facts:
        heading += "\n\n" + "; ".join(facts)
    frame = summary_frame(summary)
    baseline = evaluation.get("baseline")
    if isinstance(baseline, dict) and baseline:
        frame["baseline"] = [_format_metric(baseline.get(name)) for name in frame["metric"]]
    return heading, frame


def _format_metric(value) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def evaluation_plot(evaluation: dict | None):
    """The run's metrics-against-baseline PNG as an image, when the report folder still has
    it (passed as pixels: Gradio only serves files from its own folders)."""
    from PIL import Image

    folder = (evaluation or {}).get("report_dir")
    path = Path(folder) / "metrics.png" if folder else None
    if path is None or not path.is_file():
        return None
    try:
        with Image.open(path) as image:
            return image.convert("RGB")
    except OSError:
        return None


def insights_view(service) -> tuple:
    """Every Insights output in build order: headline, decisions, reasons, categories,
    feedback trend, latency trend, content gaps, model fallbacks, evaluation heading, evaluation
    table, evaluation plot."""
    data = service.insights()
    heading, evaluation = evaluation_view(data.get("evaluation"))
    return (headline_markdown(data),
            counts_frame(data.get("decisions"), "action"),
            counts_frame(data.get("escalations_by_reason"), "reason"),
            counts_frame(data.get("escalations_by_category"), "category"),
            feedback_trend_frame(data.get("feedback_by_day")),
            latency_trend_frame(data.get("latency_by_day")),
            gaps_frame(data.get("content_gaps")),
            counts_frame(data.get("model_fallbacks_by_reason"), "reason"),
            heading, evaluation, evaluation_plot(data.get("evaluation")))


def build_insights_tab(service) -> list:
    """Components for the Insights tab, inside the caller's ``gr.Tab``; returns the outputs
    so the app can fill them on page load."""
    refresh = gr.Button("Refresh", elem_id="insights-refresh")
    headline = gr.Markdown("", elem_id="insights-headline")
    # y_lim from 0: Vega's default scale starts near the smallest bar, which hides a count of 1.
    counts = {"y": "count", "y_lim": [0, None], "x_label_angle": -30}
    with gr.Row():
        decisions = gr.BarPlot(x="action", title="Decisions per turn", elem_id="insights-decisions", **counts)
        reasons = gr.BarPlot(x="reason", title="Escalations by reason", elem_id="insights-reasons", **counts)
        categories = gr.BarPlot(x="category", title="Escalations by category", elem_id="insights-categories",
                                **counts)
    with gr.Row():
        # Stacked bars, not lines: a line needs two days before anything is drawn.
        feedback = gr.BarPlot(x="day", y="count", color="rating", title="Feedback by day", y_lim=[0, None],
                              color_map={"up": "#2e7d32", "down": "#c62828"}, elem_id="insights-feedback")
        # Points, not a line, for the same reason; p50 and p95 side by side, never stacked.
        latency = gr.ScatterPlot(x="day", y="ms", color="percentile", title="Latency by day (ms)", y_lim=[0, None],
                                 elem_id="insights-latency")
    gr.Markdown("### Content gaps\nQuestions Beacon could only clarify, hedge or hand over for lack of an answer: "
                "candidates for new knowledge articles.")
    gaps = gr.Dataframe(gaps_frame(None), elem_id="insights-gaps", interactive=False, wrap=True)
    gr.Markdown("### Model fallbacks\nTurns where the chat model's reply was replaced by the extractive answer, "
                "by reason: timeouts, an open circuit breaker or a full pool mean the endpoint is slow or down.")
    fallbacks = gr.Dataframe(counts_frame(None, "reason"), elem_id="insights-fallbacks", interactive=False)
    eval_heading = gr.Markdown(NO_EVALUATION, elem_id="insights-eval-heading")
    evaluation = gr.Dataframe(summary_frame(None), elem_id="insights-eval", interactive=False)
    eval_plot = gr.Image(None, type="pil", label="Scores against the accepted baseline", interactive=False,
                         elem_id="insights-eval-plot")
    outputs = [headline, decisions, reasons, categories, feedback, latency, gaps, fallbacks, eval_heading, evaluation,
               eval_plot]
    refresh.click(functools.partial(insights_view, service), None, outputs)
    return outputs
