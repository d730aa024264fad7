"""Reply generators behind one protocol: extractive (no LLM, the default) and any
OpenAI-compatible chat endpoint."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Protocol

from app.index.retrieval import RetrievedChunk


@dataclass
class Generation:
    text: str  # with [n] markers pointing into the sources, 1-based
    generator: str
    fallback_reason: str | None = None  # set when the configured generator failed and extractive answered
    timings: dict[str, float] = field(default_factory=dict)


class Generator(Protocol):
    name: str

    def generate(self, question: str, sources: list[RetrievedChunk], history: list[tuple[str, str]]) -> Generation: ...

    def stream(self, question: str, sources: list[RetrievedChunk], history: list[tuple[str, str]]) -> Iterator[str]: ...
