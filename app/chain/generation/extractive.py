"""The embedded default: a reply composed only of text from the cited chunks.

An FAQ match answers with the FAQ's answer; a policy match with its sentences that share
the most words with the question, in their original order. Beacon adds a short lead-in
and numbered citations, nothing else, so it cannot state a fee or a promise that is not
in a source.
"""

from __future__ import annotations

import re
from typing import Iterator

from app.chain.generation import Generation
from app.index.retrieval import RetrievedChunk

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])|\n+")
_WORD = re.compile(r"[a-z0-9£€$%]+")
_STOP = set("""a an the is are was were be been do does did i you your my we our us it its of to in on for and or
but with at by from as this that these those what how when why where who which can could would should will shall
may might me about there their they them have has had not no yes if so than then into out up""".split())


def _stems(text: str) -> set[str]:
    import Stemmer

    stemmer = _stems.stemmer = getattr(_stems, "stemmer", None) or Stemmer.Stemmer("english")
    return set(stemmer.stemWords([w for w in _WORD.findall(text.lower()) if w not in _STOP]))


def best_sentences(question: str, text: str, limit: int = 3) -> list[str]:
    """Up to ``limit`` sentences of ``text`` that share the most words with the question,
    in their original order; the opening sentences when none share any."""
    sentences = [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]
    wanted = _stems(question)
    scored = [(len(wanted & _stems(s)), -i) for i, s in enumerate(sentences)]
    ranked = sorted(range(len(sentences)), key=lambda i: scored[i], reverse=True)
    chosen = [i for i in ranked[:limit] if scored[i][0] > 0] or list(range(min(2, len(sentences))))
    return [sentences[i] for i in sorted(chosen)]


class ExtractiveGenerator:
    name = "extractive"

    def __init__(self, max_sources: int = 2) -> None:
        self.max_sources = max_sources

    def generate(self, question: str, sources: list[RetrievedChunk], history=()) -> Generation:
        if not sources:
            return Generation("", self.name)
        top = sources[0]
        question_of_faq = top.metadata.get("question")
        if question_of_faq:
            body = f"{top.text.strip()} [1]"
            lead = f"Here is our answer to “{question_of_faq}”:"
        else:
            body = " ".join(best_sentences(question, top.text)) + " [1]"
            where = f"{top.title} › {top.section}" if top.section else top.title
            lead = f"From {where}:"
        parts = [lead, body]
        # A second source adds its best sentence when it comes from another document: the
        # customer sees where else the topic is covered without a claim of our own.
        for number, extra in enumerate(sources[1 : self.max_sources], start=2):
            if extra.source != top.source:
                # A sentence that ends in a colon introduces a list it would be cut from.
                sentence = [s for s in best_sentences(question, extra.text, limit=2) if not s.endswith(":")][:1]
                if sentence:
                    parts.append(f"See also {extra.title} › {extra.section}: {sentence[0]} [{number}]")
        return Generation("\n\n".join(parts), self.name)

    def stream(self, question: str, sources: list[RetrievedChunk], history=()) -> Iterator[str]:
        text = self.generate(question, sources, history).text
        for piece in re.split(r"(\s+)", text):
            if piece:
                yield piece
