"""The Insights figures over the conversation tables: containment, escalations by reason and
category, decisions, feedback and its trend, latency percentiles, the content gaps (questions
Beacon could only hedge or hand over for lack of an answer) and the "not helpful" comments
beside the answers they rate.

A window is ``[start, end)`` in the store's time text; "" and None mean unbounded."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from app.chain.questions import REFUSAL_FLAGS
from app.core.stats import percentile

CONTENT_GAP_LIMIT = 20
GAP_QUESTIONS_LIMIT = 500
_PUNCT = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")


def normalise_question(text: str) -> str:
    return _SPACES.sub(" ", _PUNCT.sub("", text.lower())).strip()


# A turn that joined a conversation's open ticket is not another handoff: escalations count tickets.
# A gap is a question the knowledge base could not answer well. A vague message Beacon asked to
# clarify is not one ("card?" says nothing about what is missing), nor a message passed on to the
# agent who has the conversation.
_GAP = ("(action = 'answer_with_caution' OR (action = 'escalate' AND category = 'unanswered' "
        "AND COALESCE(reason, '') != 'passed_to_agent'))")
FAR_FUTURE = "9999"


@dataclass(frozen=True)
class Dialect:
    """What differs between the SQL of the two backends: parameter marks and JSON access."""

    mark: str
    new_handoff: str
    each_flag: str  # FROM ... yielding a column ``each_flag.value`` per element of turns.flags
    is_up: str
    is_down: str


SQLITE = Dialect("?", "escalated = 1 AND COALESCE(json_extract(escalation, '$.joined'), 0) = 0",
                 "turns, json_each(turns.flags) AS each_flag", "rating = 'up'", "rating = 'down'")
POSTGRES = Dialect("%s", "escalated = 1 AND COALESCE((escalation->>'joined')::boolean, false) = false",
                   "turns, jsonb_array_elements_text(turns.flags) AS each_flag(value)",
                   "(rating = 'up')::int", "(rating = 'down')::int")


def sqlite_insights(conn: sqlite3.Connection, start: str = "", end: str | None = None,
                    taken_over: set[str] | frozenset[str] = frozenset()) -> dict:
    """Every figure of ``ConversationStore.insights`` from the SQLite tables. The caller holds the lock."""
    return insights_over(lambda sql, values: conn.execute(sql, values).fetchall(), SQLITE, start, end, taken_over)


def insights_over(query: Callable[[str, tuple], list], dialect: Dialect, start: str = "", end: str | None = None,
                  taken_over: set[str] | frozenset[str] = frozenset()) -> dict:
    """Every figure of ``ConversationStore.insights`` over turns and feedback in ``[start, end)``,
    through ``query(sql, values)``. ``taken_over`` names conversations a person took over (they
    had a handoff ticket): they are never contained."""
    window = (start, end or FAR_FUTURE)
    in_window = f"at >= {dialect.mark} AND at < {dialect.mark}"

    def counts(sql: str) -> dict:
        return {key: n for key, n in query(sql, window)}

    per_session = query(f"SELECT session_id, MAX(escalated) FROM turns WHERE {in_window} GROUP BY session_id", window)
    conversations = len(per_session)
    # A conversation is contained when Beacon answered it and no person was needed. A declined message (not
    # English, too long, investment advice) is recorded as an answer that gave no article: it answers nothing.
    refused = ", ".join(f"'{flag}'" for flag in REFUSAL_FLAGS)  # constants, not customer text
    answers = counts(f"SELECT session_id, COUNT(*) FROM turns WHERE {in_window} "
                     "AND action IN ('answer', 'answer_with_caution') GROUP BY session_id")
    for session_id, declines in query(
            f"SELECT session_id, COUNT(DISTINCT turn_id) FROM {dialect.each_flag} WHERE {in_window} "
            f"AND each_flag.value IN ({refused}) GROUP BY session_id", window):
        answers[session_id] = answers.get(session_id, 0) - declines
    unhanded = [session_id for session_id, escalated in per_session if not escalated and session_id not in taken_over]
    contained = sum(1 for session_id in unhanded if answers.get(session_id, 0) > 0)
    turns = query(f"SELECT COUNT(*) FROM turns WHERE {in_window}", window)[0][0]
    by_category = counts(f"SELECT COALESCE(category, 'unknown'), COUNT(*) FROM turns "
                         f"WHERE {in_window} AND {dialect.new_handoff} GROUP BY 1 ORDER BY 2 DESC, 1")
    by_reason = counts(f"SELECT COALESCE(reason, 'unknown'), COUNT(*) FROM turns "
                       f"WHERE {in_window} AND {dialect.new_handoff} GROUP BY 1 ORDER BY 2 DESC, 1")
    decisions = counts(f"SELECT COALESCE(action, 'unknown'), COUNT(*) FROM turns "
                       f"WHERE {in_window} GROUP BY 1 ORDER BY 2 DESC, 1")
    # Turns whose model reply was replaced by the extractive answer, by why: a hung or failing
    # endpoint shows here (first_token_timeout, circuit_open, model_busy, ...).
    fallbacks = counts(f"SELECT substr(each_flag.value, 10), COUNT(*) FROM {dialect.each_flag} "
                       f"WHERE {in_window} AND substr(each_flag.value, 1, 9) = 'fallback:' GROUP BY 1 ORDER BY 2 DESC, 1")
    # Messages declined without a search, by why: investment advice, not English, too long, no words.
    declined = counts(f"SELECT each_flag.value, COUNT(*) FROM {dialect.each_flag} "
                      f"WHERE {in_window} AND each_flag.value IN ({refused}) GROUP BY 1 ORDER BY 2 DESC, 1")
    # New handoffs for a sensitive topic that also gave the help centre's answer (answered_alongside).
    alongside = query(f"SELECT COUNT(*) FROM {dialect.each_flag} WHERE {in_window} AND {dialect.new_handoff} "
                      "AND each_flag.value = 'answered_alongside'", window)[0][0]
    feedback = {"up": 0, "down": 0} | counts(f"SELECT rating, COUNT(*) FROM feedback WHERE {in_window} "
                                             "GROUP BY rating")
    feedback_by_day = [
        {"day": day, "up": int(up), "down": int(down)} for day, up, down in query(
            f"SELECT substr(at, 1, 10), SUM({dialect.is_up}), SUM({dialect.is_down}) FROM feedback "
            f"WHERE {in_window} GROUP BY 1 ORDER BY 1", window)]
    latencies = query(f"SELECT substr(at, 1, 10), total_ms FROM turns WHERE {in_window} AND total_ms IS NOT NULL",
                      window)
    gaps = query(f"SELECT question, confidence FROM turns WHERE {in_window} AND {_GAP} ORDER BY turn_id", window)
    by_day: dict[str, list[float]] = defaultdict(list)
    for day, total in latencies:
        by_day[day].append(total)
    every = [total for _, total in latencies]
    return {
        "conversations": conversations, "turns": turns, "contained": contained,
        "containment_rate": contained / conversations if conversations else None,
        # Neither answered nor handed over: every message declined, or asked to clarify and left there.
        "without_answer_or_handoff": len(unhanded) - contained,
        "escalations_by_category": by_category, "escalations_by_reason": by_reason,
        "handoffs_with_answer_alongside": int(alongside or 0),
        "feedback": feedback, "feedback_by_day": feedback_by_day,
        "latency_ms": {"p50": percentile(every, 0.5), "p95": percentile(every, 0.95)},
        "latency_by_day": [{"day": day, "p50": percentile(v, 0.5), "p95": percentile(v, 0.95), "turns": len(v)}
                           for day, v in sorted(by_day.items())],
        "content_gaps": content_gaps(gaps),
        # Every wording (bounded), for the service to group by meaning: it pops this key.
        "content_gap_questions": content_gaps(gaps, GAP_QUESTIONS_LIMIT),
        "decisions": decisions,
        "model_fallbacks_by_reason": fallbacks,
        "declined_by_reason": declined,
        "not_helpful": not_helpful(query, dialect, start, end),
    }


def not_helpful(query: Callable[[str, tuple], list], dialect: Dialect, start: str = "", end: str | None = None,
                limit: int = 50) -> list[dict]:
    """The newest "not helpful" ratings that carry a comment, each beside the question and the
    answer it rates (all redacted)."""
    m = dialect.mark
    rows = query(
        "SELECT f.at, f.session_id, f.turn_id, f.comment, t.question, t.answer, t.action FROM feedback f "
        f"LEFT JOIN turns t ON t.turn_id = f.turn_id WHERE f.rating = 'down' AND f.at >= {m} AND f.at < {m} "
        f"AND COALESCE(f.comment, '') != '' ORDER BY f.feedback_id DESC LIMIT {m}",
        (start, end or FAR_FUTURE, limit))
    return [{"at": at, "session_id": session_id, "turn_id": turn_id, "comment": comment, "question": question,
             "answer": answer, "action": action}
            for at, session_id, turn_id, comment, question, answer, action in rows]


def content_gaps(rows: list, limit: int = CONTENT_GAP_LIMIT) -> list[dict]:
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
            for _, g in ranked[:limit]]
