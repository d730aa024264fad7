"""An answer that only points elsewhere ("Yes, see Cold Storage.", "Please read our guide on
creating the POS app.") is followed: the article it names is found by its title among the
help centre's articles, and its passage that best answers the question is given as the next
source, so the customer reads the answer instead of being sent to look for it.

Help centres write such answers as links; chunks keep the link text, not the target (and a
Sphinx ``:ref:`` names a label, not a file), so the named words are matched to titles: a
match needs most of the named words, or all of a short title's, and a file other than the
pointer's own. Nothing is followed when the words name no article ("follow the instructions
here", "see the relevant FAQ section").
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from app.chain.generation.extractive import FOLLOWED, stems, without_code
from app.index.retrieval import RetrievedChunk

POINTER_WORDS = 25  # a longer answer says something itself: it is not only a pointer
FOLLOW_CANDIDATES = 30  # the question's candidates searched for the named article's best passage

log = logging.getLogger(__name__)

_POINTS = re.compile(r"\b(?:see|read|refer to|check out|follow|visit|consult)\s+(?P<named>[^.!?\n]+)", re.I)
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
    if named is None:
        return results
    try:
        by_name = retriever.retrieve(named, top_k=5, region=region).results
        target = next((c for c in by_name if c.source != top.source and names(named, c.title)), None)
        if target is None:
            return results
        # The named article's passage that best answers the question; its best match to the name
        # if none of its passages is among the question's candidates.
        candidates = retriever.retrieve(question, top_k=FOLLOW_CANDIDATES, region=region).results
    except Exception:  # a search that fails here costs the extra passage, never the answer
        log.warning("the article a pointer names was not looked up", exc_info=True)
        return results
    passage = next((c for c in candidates if c.source == target.source), target)
    followed = replace(passage, metadata={**passage.metadata, FOLLOWED: top.source})
    rest = [c for c in results[1:] if c.chunk_id != followed.chunk_id]
    return [top, followed, *rest][: max(top_k, 1) + 1]
