"""The Insights figures over the conversation tables: containment, escalations by reason and
category, decisions, feedback and its trend, latency percentiles, and the content gaps
(questions Beacon could only clarify, hedge or hand over for lack of an answer)."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter, defaultdict

from app.core.stats import percentile

CONTENT_GAP_LIMIT = 20
_PUNCT = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")


def normalise_question(text: str) -> str:
    return _SPACES.sub(" ", _PUNCT.sub("", text.lower())).strip()


def sqlite_insights(conn: sqlite3.Connection, start: str = "") -> dict:
    """Every figure of ``ConversationStore.insights`` from the SQLite tables, over turns and
    feedback at or after ``start`` (the store's time text; "" for all). The caller holds the lock."""

    def counts(sql: str) -> dict:
        return {key: n for key, n in conn.execute(sql, (start,))}

    conversations, contained = conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(escalated = 0), 0) FROM "
        "(SELECT session_id, MAX(escalated) AS escalated FROM turns WHERE at >= ? GROUP BY session_id)",
        (start,)).fetchone()
    turns = conn.execute("SELECT COUNT(*) FROM turns WHERE at >= ?", (start,)).fetchone()[0]
    by_category = counts("SELECT COALESCE(category, 'unknown'), COUNT(*) FROM turns "
                         "WHERE at >= ? AND escalated = 1 GROUP BY 1 ORDER BY 2 DESC, 1")
    by_reason = counts("SELECT COALESCE(reason, 'unknown'), COUNT(*) FROM turns "
                       "WHERE at >= ? AND escalated = 1 GROUP BY 1 ORDER BY 2 DESC, 1")
    decisions = counts("SELECT COALESCE(action, 'unknown'), COUNT(*) FROM turns "
                       "WHERE at >= ? GROUP BY 1 ORDER BY 2 DESC, 1")
    # Turns whose model reply was replaced by the extractive answer, by why: a hung or failing
    # endpoint shows here (first_token_timeout, circuit_open, model_busy, ...).
    fallbacks = counts("SELECT substr(flag.value, 10), COUNT(*) FROM turns, json_each(turns.flags) AS flag "
                       "WHERE at >= ? AND flag.value LIKE 'fallback:%' GROUP BY 1 ORDER BY 2 DESC, 1")
    feedback = {"up": 0, "down": 0} | counts("SELECT rating, COUNT(*) FROM feedback WHERE at >= ? GROUP BY rating")
    feedback_by_day = [
        {"day": day, "up": up, "down": down} for day, up, down in conn.execute(
            "SELECT substr(at, 1, 10), SUM(rating = 'up'), SUM(rating = 'down') FROM feedback "
            "WHERE at >= ? GROUP BY 1 ORDER BY 1", (start,))]
    latencies = conn.execute("SELECT substr(at, 1, 10), total_ms FROM turns "
                             "WHERE at >= ? AND total_ms IS NOT NULL", (start,)).fetchall()
    gaps = conn.execute(
        "SELECT question, confidence FROM turns WHERE at >= ? AND "
        "(action IN ('clarify', 'answer_with_caution') OR (action = 'escalate' AND category = 'unanswered')) "
        "ORDER BY turn_id", (start,)).fetchall()
    by_day: dict[str, list[float]] = defaultdict(list)
    for day, total in latencies:
        by_day[day].append(total)
    every = [total for _, total in latencies]
    return {
        "conversations": conversations, "turns": turns, "contained": contained,
        "containment_rate": contained / conversations if conversations else None,
        "escalations_by_category": by_category, "escalations_by_reason": by_reason,
        "feedback": feedback, "feedback_by_day": feedback_by_day,
        "latency_ms": {"p50": percentile(every, 0.5), "p95": percentile(every, 0.95)},
        "latency_by_day": [{"day": day, "p50": percentile(v, 0.5), "p95": percentile(v, 0.95), "turns": len(v)}
                           for day, v in sorted(by_day.items())],
        "content_gaps": content_gaps(gaps),
        "decisions": decisions,
        "model_fallbacks_by_reason": fallbacks,
    }


def content_gaps(rows: list[sqlite3.Row]) -> list[dict]:
    groups: dict[str, dict] = {}
    for question, confidence in rows:
        key = normalise_question(question)
        group = groups.setdefault(key, {"forms": Counter(), "count": 0, "max_confidence": None})
        group["forms"][question] += 1
        group["count"] += 1
        if confidence is not None and (group["max_confidence"] is None or confidence > group["max_confidence"]):
            group["max_confidence"] = confidence
    ranked = sorted(groups.items(), key=lambda item: (-item[1]["count"], item[0]))
    # Show the wording customers used most often (first seen on a tie) for each group.
    return [{"question": g["forms"].most_common(1)[0][0], "count": g["count"], "max_confidence": g["max_confidence"]}
            for _, g in ranked[:CONTENT_GAP_LIMIT]]
