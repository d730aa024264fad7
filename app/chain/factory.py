"""Builds the answer chain and the guardrails the settings describe. The only place that knows
which parts go together; the chain itself receives them. Construction is cheap: Presidio, spaCy
and the embedder load on ``warm_up()`` or first use."""

from __future__ import annotations

import difflib
import functools
from pathlib import Path

from app.chain.answer_chain import AnswerChain
from app.chain.confidence import load_confidence_model
from app.chain.generation.extractive import ExtractiveGenerator
from app.chain.guard_bundle import Guardrails
from app.chain.sessions import SessionStore
from app.core.company import Company
from app.core.errors import ConfigError
from app.core.settings import Settings
from app.core.source_urls import SourceUrls
from app.handoff.decision_log import DecisionLog
from app.handoff.tickets import SqliteTicketStore
from app.index.reranker import RERANKER_PATH, CrossEncoderReranker
from app.index.retrieval import HybridRetriever
from app.index.sentence_store import SentenceStore
from app.index.sentences import SentenceMatch, SentenceScorer
from guardrails.escalation import EscalationPolicy
from guardrails.input_guard import InputGuard
from guardrails.output_guard import OutputGuard


def build_generator(settings: Settings, embedder=None):
    """The configured generator; the extractive one (the default, and the chat model's fallback) checks its
    "See also" lines with the retrieval embedder when one is given."""
    extractive = ExtractiveGenerator(match=SentenceMatch(embedder) if embedder is not None else None)
    if settings.generator == "openai":
        from app.chain.generation.openai_chat import OpenAIChatGenerator

        return OpenAIChatGenerator.from_settings(settings, fallback=extractive)
    return extractive


def build_rewriter(settings: Settings, generator):
    """With a chat model, the model rewrites follow-ups; otherwise the deterministic rule."""
    if settings.generator == "openai":
        from app.chain.rewriting import ChatModelRewriter

        return ChatModelRewriter(generator.endpoint)
    from app.chain.rewriting import CarrySubjectRewriter

    return CarrySubjectRewriter()


# -- where state lives: the data directory (one replica) or the shared database -----------
def shared_database(settings: Settings, purpose: str = "stores"):
    """The process's pool on BEACON_DATABASE_URL (migrated on first use). ``locks``: the pool
    that holds conversations' row locks during turns, apart from the stores' pool."""
    from app.core.database import database_for

    return database_for(settings.database_url.get_secret_value(), settings.database_pool_size, purpose)


def session_store(settings: Settings):
    if not settings.shared:
        return SessionStore()
    from app.chain.sessions_pg import PostgresSessionStore
    from guardrails.pii import PiiVault

    return PostgresSessionStore(shared_database(settings), shared_database(settings, "locks"),
                                settings.vault_key.get_secret_value(), vault_factory(settings, PiiVault))


def ticket_store(settings: Settings):
    if not settings.shared:
        return SqliteTicketStore(settings.data_dir / "handoffs.sqlite3")
    from app.handoff.tickets_pg import PostgresTicketStore

    return PostgresTicketStore(shared_database(settings))


def decision_log(settings: Settings):
    if not settings.shared:
        return DecisionLog(settings.data_dir / "decisions.jsonl")
    from app.handoff.postgres_stores import PostgresDecisionLog

    return PostgresDecisionLog(shared_database(settings))


@functools.lru_cache(maxsize=4)
def bundled_reranker(path: Path = RERANKER_PATH) -> CrossEncoderReranker:
    """One loaded reranker per file and process: every retriever of the process shares it."""
    return CrossEncoderReranker(path)


def build_retriever(settings: Settings, store, embedder) -> HybridRetriever:
    reranker = bundled_reranker() if settings.reranker else None
    return HybridRetriever(store, embedder, alpha=settings.retrieval_alpha, candidates=settings.retrieval_candidates,
                           reranker=reranker, rerank_top_n=settings.reranker_top_n, rerank_weight=settings.reranker_weight,
                           sentence_scores=SentenceScorer(embedder, SentenceStore(store)) if settings.sentence_weight > 0 else None,
                           sentence_top_n=settings.sentence_top_n, sentence_weight=settings.sentence_weight,
                           exact_max_records=settings.exact_search_max_records,
                           urls=SourceUrls(settings.kb_url_template))


def build_chain(settings: Settings, store, embedder, sessions: SessionStore | None = None,
                guardrails=None) -> AnswerChain:
    retriever = build_retriever(settings, store, embedder)
    generator = build_generator(settings, embedder)
    return AnswerChain(
        retriever=retriever,
        generator=generator,
        fallback_generator=getattr(generator, "fallback", generator),
        confidence=load_confidence_model(),
        sessions=sessions or session_store(settings),
        guardrails=guardrails or build_guardrails(settings, embedder),
        threshold=settings.confidence_threshold,
        sources=settings.answer_sources,
        max_question_chars=settings.max_question_chars,
        rewriter=build_rewriter(settings, generator),
        company=Company.from_settings(settings),
    )


# -- the guardrails --------------------------------------------------------------------
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
    from guardrails.pii.recognizers.company_ids import CompanyIdError

    # The company's own names are never a customer's: "Acme" stays in "is this really from Acme?".
    allowed = list(dict.fromkeys([*settings.pii_allow_list, *Company.from_settings(settings).names]))
    try:
        return Redactor(**_optional(score_threshold=settings.pii_score_threshold), allow_list=allowed,
                        id_patterns=settings.pii_id_patterns)
    except CompanyIdError as exc:
        raise ConfigError(f"BEACON_PII_ID_PATTERNS: {exc}") from None


def build_input_guard(settings: Settings, embedder, redactor=None) -> InputGuard:
    from guardrails.injection import InjectionDetector
    from guardrails.topics import TopicDetector

    return InputGuard(
        redactor or build_redactor(settings),
        TopicDetector(thresholds=topic_thresholds(settings), use_model=settings.topic_model == "bundled",
                      company=Company.from_settings(settings)),
        InjectionDetector(embedder=embedder, use_model=settings.injection_model == "bundled",
                          **_optional(threshold=settings.injection_threshold)),
    )


def build_guardrails(settings: Settings, embedder, redactor=None) -> Guardrails:
    """``redactor`` lets a caller share one loaded Presidio engine between chains."""
    from guardrails.groundedness import GroundednessChecker
    from guardrails.pii import PiiVault

    redactor = redactor or build_redactor(settings)
    return Guardrails(
        input=build_input_guard(settings, embedder, redactor),
        output=OutputGuard(GroundednessChecker(embedder=embedder, **_optional(threshold=settings.groundedness_threshold)),
                           redactor, Company.from_settings(settings)),
        policy=EscalationPolicy(settings.confidence_threshold, settings.caution_margin, settings.answer_alongside_handoff),
        tickets=ticket_store(settings),
        log=decision_log(settings),
        vault_factory=vault_factory(settings, PiiVault),
    )


def vault_factory(settings: Settings, vault: type):
    """New conversations' vaults, which read the company's identifiers typed two ways as one value."""
    return functools.partial(vault, identifiers=frozenset(settings.pii_id_patterns))
