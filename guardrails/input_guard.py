"""The input guardrails in one pass: normalise, redact PII, detect sensitive topics and
prompt injection. ``beacon check`` prints this; the answer chain runs it before anything
else, so only redacted text goes on to retrieval, a model, a log or a store.

Topics are detected on the redacted text (what later stages see). Injection is scored on the
normalised text before redaction: a payload must not hide behind a placeholder, and the
detector runs in-process, so nothing leaves the machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from guardrails.advice import asks_for_advice
from guardrails.escalation import asks_for_human
from guardrails.normalize import NormalizedText, normalize

SECRET_TYPES = frozenset({"SEED_PHRASE", "PRIVATE_KEY"})


@dataclass
class InputCheck:
    normalized: NormalizedText
    redaction: object  # guardrails.pii.Redaction
    topics: object  # guardrails.topics.TopicResult
    injection: object  # guardrails.injection.InjectionResult
    human_requested: bool
    investment_advice: bool = False  # asks what to buy, sell or hold (guardrails.advice): declined, not searched

    @property
    def redacted(self) -> str:
        return self.redaction.text

    @property
    def secrets(self) -> list[str]:
        return sorted({e.type for e in self.redaction.entities if e.type in SECRET_TYPES})

    @property
    def sensitive(self) -> bool:
        return bool(self.topics.topics) or bool(self.secrets)

    def to_json(self) -> dict:
        """The ``beacon check`` contract. ``start``/``end`` index the text as given."""
        pii = []
        for entity in self.redaction.entities:
            start, end = self.normalized.original_span(entity.start, entity.end)
            pii.append({"type": entity.type, "start": start, "end": end, "placeholder": entity.placeholder,
                        "score": round(entity.score, 4)})
        return {
            "redacted": self.redacted,
            "pii": pii,
            "sensitive": self.sensitive,
            "topics": [t.to_json() for t in self.topics.topics],
            "injection": self.injection.injection,
            "injection_score": round(self.injection.score, 4),
            "injection_reasons": list(self.injection.reasons),
            "secret_exposed": bool(self.secrets),
            "human_requested": self.human_requested,
            "investment_advice": self.investment_advice,
            "normalized": self.normalized.changed,
        }


class InputGuard:
    def __init__(self, redactor, topics, injection) -> None:
        self.redactor = redactor
        self.topics = topics
        self.injection = injection

    def warm_up(self) -> None:
        for part in (self.redactor, self.topics, self.injection):
            part.warm_up()

    def check(self, text: str, vault=None, knowledge=None) -> InputCheck:
        return self.check_batch([text], [vault], knowledge)[0]

    def check_batch(self, texts: Sequence[str], vaults: Sequence | None = None, knowledge=None) -> list[InputCheck]:
        """``knowledge``: the help centre's words (``guardrails.pii.KnowledgeWords``), so that its own
        terms in a customer's message are not redacted as names."""
        normalized = [normalize(text) for text in texts]
        redactions = self.redactor.redact_batch([n.text for n in normalized], vaults, knowledge)
        topics = self.topics.detect_batch([r.text for r in redactions])
        injections = self.injection.score_batch([n.text for n in normalized])
        return [InputCheck(n, r, t, i, asks_for_human(r.text), asks_for_advice(r.text))
                for n, r, t, i in zip(normalized, redactions, topics, injections)]
