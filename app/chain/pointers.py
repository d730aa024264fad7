"""An answer that only points elsewhere ("Yes, see Cold Storage.", "Please read our guide on
creating the POS app.") is followed: the article it names is found by its title among the
help centre's articles, and its passage that best answers the question is given as the next
source, so the customer reads the answer instead of being sent to look for it.

Help centres write such answers as links, and ingest keeps each chunk's links (text and target):
a link in the pointer that leads to another indexed article is followed first, to the section its
``#anchor`` names when there is one. The same holds for an answer that ends by deferring to a link
("Please read this guide for detailed instructions.", "More details here."). Without such a link
(a chunk stored before links were kept; a Sphinx ``:ref:``, which names a label, not a file) the
named words are matched to titles: a match needs most of the named words, or all of a short
title's, and a file other than the pointer's own. Nothing is followed when the words name no
article ("follow the instructions here", "see the relevant FAQ section").
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from app.chain.generation.extractive import FOLLOWED, stems, without_code
from app.index.link_targets import LinkResolver, LinkTarget, anchors_of, heading_slugs
from app.index.retrieval import RetrievedChunk

POINTER_WORDS = 25  # a longer answer says something itself: it is not only a pointer
FOLLOW_CANDIDATES = 30  # the question's candidates searched for the named article's best passage

log = logging.getLogger(__name__)

_POINTS = re.compile(r"\b(?:see|read|refer to|check out|follow|visit|consult)\s+(?P<named>[^.!?\n]+)", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# Words around a named article that name none themselves ("our guide on …", "… for details").
_FILLER = frozenset("""the our this that these a an guide guides article articles page pages section sections doc docs
documentation instructions here there below above more details detail information info relevant following
on about for in to of and please also its their your related full faq faqs how what when why where which who is
are was were be been do does did can could would should will it you we""".split())


def _stems(text: str) -> set[str]:
    return stems(text, _FILLER)


def named_article(answer: str) -> str | None:
    """The words a pointer-only answer names its article by ("Cold Storage"), or None when the
    answer says more than where to look, or names nothing."""
    prose = without_code(answer)
    if len(prose.split()) > POINTER_WORDS:
        return None
    found = list(_POINTS.finditer(prose))
    if not found:
        return None
    named = found[-1].group("named").strip(" ,;:")
    return named if _stems(named) else None


def names(named: str, title: str) -> bool:
    """Whether ``title`` is the article ``named`` names: most of the named words are in the title,
    or the whole of a title shorter than what names it ("Shopify" for "our Shopify Integration
    Guide")."""
    wanted, have = _stems(named), _stems(title)
    if not wanted or not have:
        return False
    shared = len(wanted & have)
    return shared * 2 > len(wanted) or shared == len(have)


def _pointing_words(text: str, pointer: bool) -> str | None:
    """The words that point: a pointer-only answer's whole text, or the last sentence of an
    answer when it defers to a link ("Please read this guide …", "More details here.")."""
    lines = [line for line in without_code(text).splitlines() if line.strip()]
    if pointer:
        return " ".join(" ".join(lines).split())
    last = _SENTENCE_END.split(" ".join(lines[-1].split()))[-1] if lines else ""
    return last or None


def linked_article(retriever, chunk: RetrievedChunk, pointer: bool) -> LinkTarget | None:
    """The other indexed article a link in ``chunk``'s pointing words leads to, if one does."""
    anchors = anchors_of(chunk.metadata)
    words = _pointing_words(chunk.text, pointer) if anchors else None
    if not words:
        return None
    resolver = None
    for shown, target in anchors:
        if shown not in words:
            continue
        generic = not _stems(shown)  # "here", "this guide", "this page"
        if not (pointer or generic or _POINTS.search(words)):
            continue  # a link in a sentence that says something, not where to look
        resolver = resolver or LinkResolver(retriever.sources(), retriever.labels())
        found = resolver.resolve(target, chunk.source)
        if found is not None and found.source != chunk.source:
            return found
    return None


def _passage(retriever, link: LinkTarget, candidates: list[RetrievedChunk], pointer: bool,
             region: str | None) -> RetrievedChunk | None:
    """The linked article's passage: the section its ``#anchor`` names, else its passage that best
    answers the question; for a pointer-only answer, else the article's first passage (an answer
    that says something itself gets no passage the question does not reach)."""
    # A passage that only points on ("Check this community guide.") is no answer to bring.
    passages = [p for p in retriever.passages(link.source, region) if named_article(p.text) is None]
    if link.fragment:
        slug = link.fragment.lower()
        named = [p for p in passages if p.section and slug in heading_slugs(p.section.split(" > ")[-1])]
        if named:
            return named[0]
    fallback = passages[0] if passages and pointer else None
    return next((c for c in candidates if c.source == link.source and named_article(c.text) is None), fallback)


def follow(retriever, question: str, results: list[RetrievedChunk], region: str | None = None,
           top_k: int = 3) -> list[RetrievedChunk]:
    """``results`` with the article its first source points to as the second source (marked with
    ``followed_from``), when the first source is a pointer and the article is found; else as they are.
    The sources that were there stay after it (one more source than asked for): following a pointer
    never takes away a "see also" the reply would have given."""
    if not results:
        return results
    top = results[0]
    named = named_article(top.text)
    try:
        link = linked_article(retriever, top, pointer=named is not None)
        if link is None and named is None:
            return results
        # The article's passage that best answers the question; for a title match, its best match to
        # the name if none of its passages is among the question's candidates.
        candidates = retriever.retrieve(question, top_k=FOLLOW_CANDIDATES, region=region).results
        if link is not None:
            passage = _passage(retriever, link, candidates, pointer=named is not None, region=region)
        else:
            by_name = retriever.retrieve(named, top_k=5, region=region).results
            target = next((c for c in by_name if c.source != top.source and names(named, c.title)), None)
            passage = None if target is None else next((c for c in candidates if c.source == target.source), target)
    except Exception:  # a search that fails here costs the extra passage, never the answer
        log.warning("the article a pointer names was not looked up", exc_info=True)
        return results
    if passage is None:
        return results
    # Its sentence cosines, if any, may be to the name searched for, not to the question.
    followed = replace(passage, metadata={**passage.metadata, FOLLOWED: top.source}, sentence_cosines=None)
    rest = [c for c in results[1:] if c.chunk_id != followed.chunk_id]
    return [top, followed, *rest][: max(top_k, 1) + 1]
