"""The escalation policy: one object turns every signal about a turn into one decision.

Signals come from the input checks (sensitive topics, a secret in the message, prompt
injection, an explicit request for a person), retrieval (confidence) and the output checks
(groundedness, commitments, PII in the reply). The decision is one of four actions, with
reason codes, and for an escalation a category and a priority. The rules live here and
nowhere else, so the chain, the API and the evaluation all agree on what Beacon does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from guardrails.human_request import asks_for_human  # noqa: F401  (re-exported: the input guard and tests import it from here)

Action = Literal["answer", "answer_with_caution", "clarify", "escalate"]
ACTIONS: tuple[str, ...] = ("answer", "answer_with_caution", "clarify", "escalate")
PRIORITIES: tuple[str, ...] = ("urgent", "high", "normal", "low")

# Escalation categories: the eight sensitive topics, then the reasons that are not topics.
# Priority says how fast a person must pick the ticket up; money or access at risk now is urgent.
CATEGORY_PRIORITY: dict[str, str] = {
    "secret_exposed": "urgent",
    "account_takeover": "urgent",
    "unauthorised_transaction": "urgent",
    "fraud_scam": "urgent",
    "vulnerable_customer": "urgent",
    "lost_stolen_device": "high",
    "legal_regulatory": "high",
    "complaint": "normal",
    "prompt_injection": "normal",
    "human_requested": "normal",
    "answer_check_failed": "normal",
    "unanswered": "low",
}
CATEGORIES: tuple[str, ...] = tuple(CATEGORY_PRIORITY)
# When several topics fire, the ticket is filed under the most pressing one (see _filed_under);
# the others stay in the reason codes.
_TOPIC_ORDER = ["secret_exposed", "account_takeover", "unauthorised_transaction", "fraud_scam", "vulnerable_customer",
                "lost_stolen_device", "legal_regulatory", "complaint"]

# A handoff forced by one of these topics still gives the customer the help centre's answer when
# retrieval is confident: the team takes the case, and the customer does not wait for what the
# article already says ("someone asks for my seed words" -> the article on seed scams). Not for a
# vulnerable customer (a person first, not an article), nor when the message carries a secret, an
# injection attempt or an explicit request for a person (the customer asked for someone, not a page).
ANSWER_ALONGSIDE_TOPICS = frozenset({"secret_exposed", "account_takeover", "unauthorised_transaction", "fraud_scam",
                                     "lost_stolen_device", "legal_regulatory", "complaint"})
_NO_ANSWER_ALONGSIDE = ("secret_in_message", "prompt_injection", "human_requested", "topic:vulnerable_customer")


def _filed_under(topics) -> str | None:
    """The category a ticket is filed under when several topics fire: the most pressing priority,
    then the detector's most confident topic at that priority, then ``_TOPIC_ORDER``. A secret found
    in the message itself is handled by the caller (always secret_exposed)."""
    if not topics:
        return None
    rank = {p: i for i, p in enumerate(PRIORITIES)}
    return min(topics, key=lambda t: (rank[CATEGORY_PRIORITY[t.category]], -t.score,
                                       _TOPIC_ORDER.index(t.category))).category


_CONTENT_WORD = re.compile(r"[A-Za-z£€$0-9]{3,}")
_FILLER = {"the", "and", "for", "you", "your", "can", "how", "what", "why", "does", "with", "this", "that", "are",
           "help", "please", "pls", "need", "want", "about", "hello", "hey", "there", "thanks", "question"}


def is_vague(text: str) -> bool:
    """Too little to search on: at most one content word ("card?", "help with fees")."""
    words = [w for w in _CONTENT_WORD.findall(text.lower()) if w not in _FILLER]
    return len(words) <= 1


@dataclass
class Signals:
    """Everything the policy weighs for one turn. Unset signals mean "not checked"."""

    confidence: float | None = None
    topics: list = field(default_factory=list)  # TopicScore above threshold, highest first
    secrets: list[str] = field(default_factory=list)  # PII types that are secrets (seed phrase, private key)
    injection: bool = False
    human_requested: bool = False
    vague: bool = False
    clarified_before: bool = False  # the previous turn already asked the customer to clarify
    output_problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Decision:
    action: Action
    reasons: tuple[str, ...]
    category: str | None = None
    priority: str | None = None

    @property
    def escalate(self) -> bool:
        return self.action == "escalate"

    def to_json(self) -> dict:
        return {"action": self.action, "reasons": list(self.reasons), "category": self.category,
                "priority": self.priority}


class EscalationPolicy:
    """Ordered rules; the first that applies decides. ``threshold`` is the calibrated
    confidence below which Beacon does not answer; ``caution_margin`` is the band above it
    in which Beacon answers but tells the customer it may not cover their case."""

    def __init__(self, threshold: float, caution_margin: float = 0.1, answer_alongside: bool = True) -> None:
        self.threshold = threshold
        self.caution_margin = caution_margin
        self.answer_alongside = answer_alongside

    def answers_alongside(self, decision: Decision, confidence: float) -> bool:
        """Whether a handoff the input forced also carries the help centre's answer: a sensitive
        topic of ``ANSWER_ALONGSIDE_TOPICS`` only, and retrieval as confident as for an answer."""
        if not self.answer_alongside or not decision.escalate or confidence < self.threshold:
            return False
        if any(reason in _NO_ANSWER_ALONGSIDE for reason in decision.reasons):
            return False
        return decision.category in ANSWER_ALONGSIDE_TOPICS

    def input_decision(self, signals: Signals) -> Decision | None:
        """The decision the input alone forces (before retrieval), or None to go on."""
        reasons: list[str] = []
        if signals.secrets:
            reasons.append("secret_in_message")
        reasons += [f"topic:{t.category}" for t in signals.topics]
        if signals.injection:
            reasons.append("prompt_injection")
        if signals.human_requested:
            reasons.append("human_requested")
        if not reasons:
            return None
        category = "secret_exposed" if signals.secrets else _filed_under(signals.topics)
        if category is None:
            category = "prompt_injection" if signals.injection else "human_requested"
        return Decision("escalate", tuple(reasons), category, CATEGORY_PRIORITY[category])

    def decide(self, signals: Signals) -> Decision:
        forced = self.input_decision(signals)
        if forced is not None:
            return forced
        if signals.output_problems:
            reasons = tuple(f"output:{p}" for p in signals.output_problems)
            return Decision("escalate", reasons, "answer_check_failed", CATEGORY_PRIORITY["answer_check_failed"])
        confidence = signals.confidence if signals.confidence is not None else 0.0
        if confidence < self.threshold:
            if signals.vague and not signals.clarified_before:
                return Decision("clarify", ("low_confidence", "vague_question"))
            return Decision("escalate", ("low_confidence",), "unanswered", CATEGORY_PRIORITY["unanswered"])
        if confidence < self.threshold + self.caution_margin:
            return Decision("answer_with_caution", ("borderline_confidence",))
        return Decision("answer", ())
