"""The few lines an agent reads first on a handoff ticket, built from the redacted turns
without a model: what the customer needs, why Beacon handed over, what it already said."""

from __future__ import annotations

import re

_TOPIC_NAMES = {
    "secret_exposed": "recovery phrase or private key exposed",
    "account_takeover": "possible account takeover",
    "unauthorised_transaction": "unrecognised transaction",
    "fraud_scam": "fraud or scam",
    "vulnerable_customer": "customer may be vulnerable",
    "lost_stolen_device": "lost or stolen card or device",
    "legal_regulatory": "legal or regulatory request",
    "complaint": "complaint",
    "prompt_injection": "attempt to change the assistant's instructions",
    "human_requested": "customer asked for a person",
    "answer_check_failed": "Beacon's draft answer failed its checks",
    "unanswered": "Beacon could not answer from the knowledge base",
}


_REASON_NAMES = {
    "secret_in_message": "a recovery phrase or private key is in the message",
    "prompt_injection": "the message tries to change the assistant's instructions",
    "human_requested": "the customer asked for a person",
    "low_confidence": "no confident answer in the knowledge base",
    "no_results": "nothing relevant in the knowledge base",
    "vague_question": "the question was too vague",
    "borderline_confidence": "the answer may not cover the case",
    "passed_to_agent": "message for the agent handling the ticket",
    "output:unsupported_sentence": "the draft said something its sources do not",
    "output:unsupported_commitment": "the draft promised something its sources do not",
    "output:pii_in_reply": "the draft carried personal data",
    "output:unsupported_link": "the draft linked to a site its sources do not name",
}


def category_name(category: str) -> str:
    return _TOPIC_NAMES.get(category, category.replace("_", " "))


def reason_label(code: str) -> str:
    """A reason code in words: ``topic:account_takeover`` -> "possible account takeover"."""
    if code in _REASON_NAMES:
        return _REASON_NAMES[code]
    kind, _, detail = code.partition(":")
    if kind == "topic" and detail:
        return category_name(detail)
    if kind == "output" and detail:
        return f"the draft failed a check ({detail.replace('_', ' ')})"
    return code.replace("_", " ").replace(":", ": ")


def reason_labels(reasons: list[str], category: str | None = None) -> list[str]:
    """The reasons in words, each once, leaving out the one that only repeats the category."""
    shown = category_name(category) if category else None
    labels = []
    for code in reasons:
        label = reason_label(code)
        if label != shown and label not in labels:
            labels.append(label)
    return labels


def _clip(text: str, limit: int = 160) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def summarize(turns: list[dict], category: str, reasons: list[str], sources: list[dict]) -> str:
    """``turns`` are transcript entries ({"role", "text"}), redacted, oldest first."""
    customer = [t["text"] for t in turns if t["role"] == "customer"]
    others = reason_labels(reasons, category)
    lines = [f"Why: {category_name(category)}" + (f"; also {', '.join(others)}." if others else ".")]
    if customer:
        lines.append(f"Customer's latest message: “{_clip(customer[-1])}”")
    if len(customer) > 1:
        earlier = "; ".join(f"“{_clip(text, 80)}”" for text in customer[-4:-1])
        lines.append(f"Earlier in the conversation ({len(customer) - 1} message(s)): {earlier}")
    if sources:
        titles = list(dict.fromkeys(f"{s['title']}" for s in sources))[:3]
        lines.append(f"Beacon consulted: {', '.join(titles)}.")
    return "\n".join(lines)
