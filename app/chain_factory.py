"""Builds the answer chain the settings describe. The only place that knows which parts go
together; the chain itself receives them."""

from __future__ import annotations

from app.chain import AnswerChain
from app.confidence import load_confidence_model
from app.generation.extractive import ExtractiveGenerator
from app.retrieval import HybridRetriever
from app.sessions import SessionStore
from app.settings import Settings


def build_generator(settings: Settings):
    extractive = ExtractiveGenerator()
    if settings.generator == "openai":
        from app.generation.openai_chat import OpenAIChatGenerator

        return OpenAIChatGenerator.from_settings(settings, fallback=extractive)
    return extractive


def build_rewriter(settings: Settings, generator):
    """With a chat model, the model rewrites follow-ups; otherwise the deterministic rule."""
    if settings.generator == "openai":
        from app.rewriting import ChatModelRewriter

        return ChatModelRewriter(generator.client, settings.openai_chat_model)
    from app.rewriting import CarrySubjectRewriter

    return CarrySubjectRewriter()


def build_chain(settings: Settings, store, embedder, sessions: SessionStore | None = None,
                guardrails=None) -> AnswerChain:
    from guardrails.factory import build_guardrails

    retriever = HybridRetriever(store, embedder, alpha=settings.retrieval_alpha, candidates=settings.retrieval_candidates)
    generator = build_generator(settings)
    return AnswerChain(
        retriever=retriever,
        generator=generator,
        confidence=load_confidence_model(),
        sessions=sessions or SessionStore(),
        guardrails=guardrails or build_guardrails(settings, embedder),
        threshold=settings.confidence_threshold,
        sources=settings.answer_sources,
        max_question_chars=settings.max_question_chars,
        rewriter=build_rewriter(settings, generator),
    )
