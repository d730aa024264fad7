"""Builds the guardrails the settings describe. Construction is cheap: Presidio, spaCy and
the embedder load on ``warm_up()`` or first use."""

from __future__ import annotations

import difflib

from app.errors import ConfigError
from app.settings import Settings
from guardrails.bundle import Guardrails
from guardrails.decision_log import DecisionLog
from guardrails.escalation import EscalationPolicy
from guardrails.handoff import SqliteTicketStore
from guardrails.input_guard import InputGuard
from guardrails.output_guard import OutputGuard


def _optional(**values) -> dict:
    return {k: v for k, v in values.items() if v is not None}


def topic_thresholds(settings: Settings) -> dict[str, float]:
    from guardrails.topics import CATEGORIES, DEFAULT_THRESHOLDS

    for name, value in settings.topic_thresholds.items():
        if name not in CATEGORIES:
            close = difflib.get_close_matches(name, CATEGORIES, n=1)
            hint = f" — did you mean {close[0]!r}?" if close else f"; the topics are {', '.join(CATEGORIES)}"
            raise ConfigError(f"BEACON_TOPIC_THRESHOLDS: unknown topic {name!r}{hint}")
        if not 0 <= value <= 1:
            raise ConfigError(f"BEACON_TOPIC_THRESHOLDS: {name} must be between 0 and 1, got {value}")
    return {**DEFAULT_THRESHOLDS, **settings.topic_thresholds}


def build_redactor(settings: Settings):
    from guardrails.pii import Redactor

    return Redactor(**_optional(score_threshold=settings.pii_score_threshold), allow_list=settings.pii_allow_list)


def build_input_guard(settings: Settings, embedder, redactor=None) -> InputGuard:
    from guardrails.injection import InjectionDetector
    from guardrails.topics import TopicDetector

    return InputGuard(
        redactor or build_redactor(settings),
        TopicDetector(thresholds=topic_thresholds(settings), use_model=settings.topic_model == "bundled"),
        InjectionDetector(embedder=embedder, **_optional(threshold=settings.injection_threshold)),
    )


def build_guardrails(settings: Settings, embedder, redactor=None) -> Guardrails:
    """``redactor`` lets a caller share one loaded Presidio engine between chains."""
    from guardrails.groundedness import GroundednessChecker
    from guardrails.pii import PiiVault

    redactor = redactor or build_redactor(settings)
    return Guardrails(
        input=build_input_guard(settings, embedder, redactor),
        output=OutputGuard(GroundednessChecker(embedder=embedder, **_optional(threshold=settings.groundedness_threshold)),
                           redactor),
        policy=EscalationPolicy(settings.confidence_threshold, settings.caution_margin),
        tickets=SqliteTicketStore(settings.data_dir / "handoffs.sqlite3"),
        log=DecisionLog(settings.data_dir / "decisions.jsonl"),
        vault_factory=PiiVault,
    )
