"""Insights data as pandas DataFrames for Gradio's native plots and tables.

Gradio's ``BarPlot``/``ScatterPlot`` draw a DataFrame in the browser, so nothing beyond pandas
(which Gradio brings) is needed. Every function accepts the empty store's values (``{}``,
``[]``, ``None``) and returns a frame with the right columns and no rows: an empty frame
without typed columns would make Gradio guess a numeric x axis.
"""

from __future__ import annotations

import pandas as pd


def _text(values) -> pd.Series:
    return pd.Series(list(values), dtype=object)


def counts_frame(counts: dict | None, label: str = "label") -> pd.DataFrame:
    """``{"answer": 12, "escalate": 3}`` -> rows (label, count), largest first."""
    items = sorted((counts or {}).items(), key=lambda kv: (-kv[1], kv[0]))
    return pd.DataFrame({label: _text(k for k, _ in items),
                         "count": pd.Series([int(v) for _, v in items], dtype="int64")})


def feedback_trend_frame(by_day: list[dict] | None) -> pd.DataFrame:
    """``[{"day", "up", "down"}]`` -> long rows (day, rating, count) so one line per rating."""
    rows = [(d["day"], rating, int(d.get(rating) or 0)) for d in by_day or [] for rating in ("up", "down")]
    return pd.DataFrame({"day": _text(r[0] for r in rows), "rating": _text(r[1] for r in rows),
                         "count": pd.Series([r[2] for r in rows], dtype="int64")})


def latency_trend_frame(by_day: list[dict] | None) -> pd.DataFrame:
    """``[{"day", "p50", "p95", "turns"}]`` -> long rows (day, percentile, ms)."""
    rows = [(d["day"], key, float(d[key])) for d in by_day or [] for key in ("p50", "p95") if d.get(key) is not None]
    return pd.DataFrame({"day": _text(r[0] for r in rows), "percentile": _text(r[1] for r in rows),
                         "ms": pd.Series([r[2] for r in rows], dtype="float64")})


def gaps_frame(gaps: list[dict] | None, limit: int = 20) -> pd.DataFrame:
    """The topics Beacon could not answer well, most asked first: the most asked wording, how
    often the topic was asked, in how many wordings, and a few of them."""
    rows = sorted(gaps or [], key=lambda g: -int(g.get("count") or 0))[:limit]
    return pd.DataFrame({
        "question": _text(g.get("question", "") for g in rows),
        "count": pd.Series([int(g.get("count") or 0) for g in rows], dtype="int64"),
        "wordings": pd.Series([int(g.get("variants") or 1) for g in rows], dtype="int64"),
        "also asked as": _text(" · ".join(q for q in (g.get("questions") or [])[1:4]) for g in rows),
        "max_confidence": pd.Series([_round(g.get("max_confidence")) for g in rows], dtype="float64"),
    })


NOT_HELPFUL_COLUMNS = ["at", "comment", "question", "answer"]


def not_helpful_frame(entries: list[dict] | None, answer_chars: int = 240) -> pd.DataFrame:
    """"Not helpful" comments beside the question and the answer they rate (redacted text)."""
    rows = entries or []

    def short(text) -> str:
        text = " ".join(str(text or "").split())
        return text if len(text) <= answer_chars else text[: answer_chars - 1].rstrip() + "…"

    return pd.DataFrame({
        "at": _text(str(e.get("at") or "")[:16].replace("T", " ") for e in rows),
        "comment": _text(e.get("comment") or "" for e in rows),
        "question": _text(e.get("question") or "(the whole conversation)" for e in rows),
        "answer": _text(short(e.get("answer")) for e in rows),
    })


def summary_frame(summary: dict | None) -> pd.DataFrame:
    """A nested result dict flattened to (metric, value) rows: ``{"a": {"b": 1}}`` -> ``a.b = 1``."""
    rows: list[tuple[str, str]] = []

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list):
            # Lists in a report are per-item detail; a count keeps the summary readable.
            rows.append((prefix, f"{len(value)} items"))
        else:
            rows.append((prefix, _format(value)))

    walk("", summary or {})
    return pd.DataFrame({"metric": _text(r[0] for r in rows), "value": _text(r[1] for r in rows)})


def _round(value) -> float | None:
    return None if value is None else round(float(value), 3)


def _format(value) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return "" if value is None else str(value)
