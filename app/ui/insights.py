"""The staff Insights tab: containment, escalations, feedback, latency, content gaps (grouped
by topic), the "not helpful" comments beside the answers they rate, and the latest evaluation,
from ``service.insights()`` over a date range. It must render an empty store (a new install)
without errors, so every value may be missing or None."""

from __future__ import annotations

import functools
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import gradio as gr
import pandas as pd

from app.ui.plots import (
    counts_frame,
    feedback_trend_frame,
    gaps_frame,
    latency_trend_frame,
    not_helpful_frame,
    summary_frame,
)

NO_EVALUATION = "No evaluation yet — run `beacon eval`."


def _percent(value) -> str:
    return "—" if value is None else f"{value:.0%}"


def _ms(value) -> str:
    return "—" if value is None else f"{value:,.0f} ms"


class RangeError(ValueError):
    """A date the range fields cannot read; the message says how to write it."""


def parse_day(value, end: bool = False) -> datetime | None:
    """A day from the range fields (``2025-03-01``, a datetime, or a timestamp), as the UTC start
    of that day; with ``end``, the start of the next day (the range includes its last day)."""
    if value in (None, ""):
        return None
    if isinstance(value, (int, float)):
        day = datetime.fromtimestamp(value, timezone.utc).date()
    elif isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            raise RangeError(f"{value!r} is not a date: write it as YYYY-MM-DD, e.g. 2025-03-01") from None
    start = datetime.combine(day, time.min, timezone.utc)
    return start + timedelta(days=1) if end else start


def headline_markdown(data: dict) -> str:
    feedback = data.get("feedback") or {}
    latency = data.get("latency_ms") or {}
    up, down = int(feedback.get("up") or 0), int(feedback.get("down") or 0)
    rated = up + down
    liked = f" ({up / rated:.0%} positive)" if rated else ""
    return "\n".join([
        "| Containment | Conversations | Turns | Open handoffs | Handoffs with an answer | Feedback up / down "
        "| Latency p50 | Latency p95 |",
        "|---|---|---|---|---|---|---|---|",
        f"| **{_percent(data.get('containment_rate'))}** ({data.get('contained') or 0} contained) "
        f"| {data.get('conversations') or 0} | {data.get('turns') or 0} | {data.get('open_handoffs') or 0} "
        f"| {data.get('handoffs_with_answer_alongside') or 0} "
        f"| {up} / {down}{liked} | {_ms(latency.get('p50'))} | {_ms(latency.get('p95'))} |",
        "",
        "",
        "_Containment: conversations Beacon answered that never needed a person (no handoff, no agent); "
        f"{data.get('without_answer_or_handoff') or 0} more got neither an answer nor a person (every message declined, "
        "or a clarifying question left there). No data yet shows as —. "
        "Handoffs with an answer: sensitive-topic handoffs that also gave the help centre's answer._",
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


def _relabel(counts: dict | None, label) -> dict:
    """Reason codes and categories in words ("topic:account_takeover" -> "possible account takeover")."""
    merged: dict[str, int] = {}
    for key, count in (counts or {}).items():
        merged[label(key)] = merged.get(label(key), 0) + count
    return merged


def insights_view(service, since=None, until=None) -> tuple:
    """Every Insights output in build order: headline, decisions, reasons, categories,
    feedback trend, latency trend, content gaps, model fallbacks, declined messages, evaluation heading, evaluation
    table, evaluation plot, not-helpful comments. ``since`` and ``until`` are days (both
    included); a date that cannot be read is said in the headline and nothing else changes."""
    try:
        start, end = parse_day(since), parse_day(until, end=True)
    except RangeError as exc:
        return (f"**{exc}**", *(gr.skip(),) * 12)
    if start and end and end <= start:
        return ("**The range ends before it starts: choose a 'to' day on or after the 'from' day.**",
                *(gr.skip(),) * 12)
    data = service.insights(start, end)
    labels = service.labels()
    heading, evaluation = evaluation_view(data.get("evaluation"))
    last = (end - timedelta(days=1)).date() if end else "today"
    window = "All time" if not (start or end) else f"From {start.date() if start else 'the start'} to {last}"
    return (f"**{window}**\n\n" + headline_markdown(data),
            counts_frame(data.get("decisions"), "action"),
            counts_frame(_relabel(data.get("escalations_by_reason"), labels["reason"]), "reason"),
            counts_frame(_relabel(data.get("escalations_by_category"), labels["category"]), "category"),
            feedback_trend_frame(data.get("feedback_by_day")),
            latency_trend_frame(data.get("latency_by_day")),
            gaps_frame(data.get("content_gaps")),
            counts_frame(data.get("model_fallbacks_by_reason"), "reason"),
            counts_frame(data.get("declined_by_reason"), "reason"),
            heading, evaluation, evaluation_plot(data.get("evaluation")), not_helpful_frame(data.get("not_helpful")))


def build_insights_tab(service) -> list:
    """Components for the Insights tab, inside the caller's ``gr.Tab``; returns the outputs
    so the app can fill them on page load."""
    with gr.Row():
        since = gr.DateTime(None, include_time=False, type="string", label="From (day, UTC)",
                            elem_id="insights-since")
        until = gr.DateTime(None, include_time=False, type="string", label="To (day, included)",
                            elem_id="insights-until")
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
    gr.Markdown("### Content gaps\nTopics Beacon could only hedge or hand over for lack of an answer, similar "
                "questions grouped (by meaning, with the bundled embedding model): candidates for new knowledge "
                "articles. Vague messages Beacon asked to clarify are not gaps.")
    gaps = gr.Dataframe(gaps_frame(None), elem_id="insights-gaps", interactive=False, wrap=True)
    gr.Markdown("### Model fallbacks\nTurns where the chat model's reply was replaced by the extractive answer, "
                "by reason: timeouts, an open circuit breaker or a full pool mean the endpoint is slow or down.")
    fallbacks = gr.Dataframe(counts_frame(None, "reason"), elem_id="insights-fallbacks", interactive=False)
    gr.Markdown("### Declined without a search\nMessages Beacon politely declined, by reason: "
                "`investment_advice` (what to buy or sell, where prices go), `not_english` (customers who need "
                "another language), `too_long`, `no_words`.")
    declined = gr.Dataframe(counts_frame(None, "reason"), elem_id="insights-declined", interactive=False)
    eval_heading = gr.Markdown(NO_EVALUATION, elem_id="insights-eval-heading")
    evaluation = gr.Dataframe(summary_frame(None), elem_id="insights-eval", interactive=False)
    eval_plot = gr.Image(None, type="pil", label="Scores against the accepted baseline", interactive=False,
                         elem_id="insights-eval-plot")
    gr.Markdown("### \"Not helpful\" comments\nWhat customers said about an answer, beside the question and the "
                "answer they rated (redacted).")
    not_helpful = gr.Dataframe(not_helpful_frame(None), elem_id="insights-not-helpful", interactive=False, wrap=True)
    outputs = [headline, decisions, reasons, categories, feedback, latency, gaps, fallbacks, declined, eval_heading,
               evaluation, eval_plot, not_helpful]
    refresh.click(functools.partial(insights_view, service), [since, until], outputs)
    return outputs
