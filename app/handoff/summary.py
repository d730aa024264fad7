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


def category_name(category: str) -> str:
    return _TOPIC_NAMES.get(category, category.replace("_", " "))


def _clip(text: str, limit: int = 160) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def summarize(turns: list[dict], category: str, reasons: list[str], sources: list[dict]) -> str:
    """``turns`` are transcript entries ({"role", "text"}), redacted, oldest first."""
    customer = [t["text"] for t in turns if t["role"] == "customer"]
    lines = [f"Why: {category_name(category)} ({', '.join(reasons)})."]
    if customer:
        lines.append(f"Customer's latest message: “{_clip(customer[-1])}”")
    if len(customer) > 1:
        earlier = "; ".join(f"“{_clip(text, 80)}”" for text in customer[-4:-1])
        lines.append(f"Earlier in the conversation ({len(customer) - 1} message(s)): {earlier}")
    if sources:
        titles = list(dict.fromkeys(f"{s['title']}" for s in sources))[:3]
        lines.append(f"Beacon consulted: {', '.join(titles)}.")
    return "\n".join(lines)
