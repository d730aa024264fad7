"""The embedded default: a reply composed only of text from the cited chunks.

An FAQ match answers with the FAQ's answer (its best sentences when the answer is long); any
other match with its sentences that share the most words with the question, in their original
order, each one whole, with the list or code block a chosen sentence introduces. Beacon adds
only citation markers and, when another of the first three sources adds a different fact about the
question, one "See also" line naming it, so it cannot state a fee or a promise that is not in a source.
Such a line needs its source to score close to the answer's (``SEE_ALSO_SCORE_SHARE``) and, with a
sentence match, its sentence to be about as close to the question as the answer's first sentence
(``SEE_ALSO_MATCH_SHARE``): on help centres nobody here wrote, most lines without these checks came from
another article than the one the question was about (research/kbs/README.md, "See also lines"). There is no opening
phrase: the customer reads the answer first and its source in the citation.

Chunk text comes from ingest already clean (markup out, line breaks mended); the mending here
is for text written straight into YAML or CSV answers with hard line breaks.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Iterator, Protocol, Sequence

from app.chain.generation import Generation
from app.chain.generation.links import FENCE as _FENCE, with_links
from app.core.regions import currency
from app.index.link_targets import external_links
from app.index.retrieval import RetrievedChunk

log = logging.getLogger(__name__)

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_WORD = re.compile(r"[a-z0-9£€$%]+")
_STOP = set("""a an the is are was were be been do does did i you your my we our us it its of to in on for and or
but with at by from as this that these those what how when why where who which can could would should will shall
may might me about there their they them have has had not no yes if so than then into out up""".split())
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
# "[3]" in a source is its own footnote mark; in a reply it would read as Beacon's citation.
_SOURCE_MARK = re.compile(r"\s?\[\d{1,3}\]")
_TABLE_ROW = re.compile(r"^[^.!?]{1,60}: [^;]+(?:; [^;]+: [^;]+)+$")
# A sentence about a picture or video of the page ("The video below shows how …", "as shown in this
# screenshot:"): ingest keeps no pictures, so a reply that quoted it would point at nothing.
_VISUAL = r"(?:screenshots?|videos?|images?|pictures?|gifs?|figures?|diagrams?|illustrations?)"
_SHOWN = re.compile(rf"\b{_VISUAL}\s+(?:below|above)\b|\b(?:in|see|on)\s+(?:this|these|the following)\s+{_VISUAL}\b"
                    r"|\bas (?:shown|seen|pictured|illustrated) (?:below|above|here)\b"
                    rf"|\b(?:below|above) (?:is|are) (?:an? |the )?{_VISUAL}\b", re.I)
# A sentence that sends the reader to another part of the page ("Read the following section to see how
# you can solve this problem."): the reply holds no such part. A sentence that sums up the page ("This
# guide shows how to …") stays: the citation opens that page.
_OTHER_PART = re.compile(r"(?:please\s+)?(?:read|see|check|refer to) the (?:(?:following|next|previous) "
                         r"(?:section|part|chapter)s?|(?:section|part|chapter)s? (?:below|above))\b", re.I)
# "As mentioned above, …": the reply holds the sentence, not what the page said above it.
_BACK_REFERENCE = re.compile(r"as (?:mentioned|described|explained|noted|discussed|stated) "
                             r"(?:above|below|earlier|previously|before),\s*(?=\S)", re.I)
FAQ_WHOLE_CHARS = 900  # an FAQ answer up to this long is given whole
MAX_UNITS = 3  # sentences (with what they introduce) taken from one source
BLOCK_LINES = 8  # lines of a list or code block kept after the sentence that introduces it
SEE_ALSO_WORDS = 8  # a shorter sentence is a pointer or a heading, not a fact of its own
SEE_ALSO_SOURCES = 3  # a "See also" line comes from one of the first three sources
SEE_ALSO_SCORE_SHARE = 0.8  # its source's retrieval score is at least this share of the answer's source's
SEE_ALSO_MATCH_SHARE = 0.9  # its sentence's cosine to the question is at least this share of the answer's
REPEATED_SHARE = 0.8  # a followed article's sentence whose words the answer holds this much of is said already
# Metadata key on a source that app/chain/pointers.py followed: the file whose answer pointed to it.
FOLLOWED = "followed_from"


def stems(text: str, stop: set[str] | frozenset[str] = frozenset(_STOP)) -> set[str]:
    """The English stems of ``text``'s words, leaving out ``stop`` (by default the common words)."""
    import Stemmer

    stemmer = stems.stemmer = getattr(stems, "stemmer", None) or Stemmer.Stemmer("english")
    return set(stemmer.stemWords([w for w in _WORD.findall(text.lower()) if w not in stop]))


def without_code(text: str) -> str:
    """``text`` with its fenced code blocks left out."""
    return _FENCE.sub(" ", text)


@dataclass
class _Unit:
    """A sentence, a list, or a code block of a chunk, in reading order."""

    text: str
    kind: str  # sentence, list, code
    paragraph: int

    @property
    def whole_sentence(self) -> bool:
        t = self.text.strip()
        return self.kind == "sentence" and t[:1].isupper() and t.endswith((".", "!", "?")) and len(t.split()) >= 4


def mend(paragraph: str) -> str:
    """Join the lines of a prose paragraph; list items and table rows keep their own lines."""
    lines = [line.rstrip() for line in paragraph.split("\n") if line.strip()]
    if not lines:
        return ""
    out = [lines[0]]
    for line in lines[1:]:
        own = _LIST_ITEM.match(line) or _TABLE_ROW.match(line.strip())
        after_own = _LIST_ITEM.match(out[-1]) or _TABLE_ROW.match(out[-1].strip())
        if own or after_own and not line.strip()[:1].islower():
            out.append(line)
        else:
            out[-1] = out[-1] + " " + line.strip()
    return "\n".join(out)


def units(text: str) -> list[_Unit]:
    """The chunk cut into sentences, lists and code blocks, in order."""
    out: list[_Unit] = []
    start, number = 0, 0
    pieces: list[tuple[str, bool]] = []
    for fence in _FENCE.finditer(text):
        pieces.append((text[start:fence.start()], False))
        pieces.append((fence.group(0), True))
        start = fence.end()
    pieces.append((text[start:], False))
    for piece, is_code in pieces:
        if is_code:
            if not _SOURCE_MARK.search(piece):  # code can't lose its [0] and be right: not quoted
                out.append(_Unit(piece.strip(), "code", number))
            number += 1
            continue
        for paragraph in re.split(r"\n[ \t]*\n", _SOURCE_MARK.sub("", piece)):
            paragraph = _without_page_pointers(mend(paragraph))
            if not paragraph.strip():
                continue
            lines = paragraph.split("\n")
            if len(lines) > 1 and all(_LIST_ITEM.match(line) or _TABLE_ROW.match(line) for line in lines[1:]):
                lead, items = lines[0], lines[1:]
                if _LIST_ITEM.match(lead) or _TABLE_ROW.match(lead):
                    lead, items = "", lines
                out += [_Unit(s, "sentence", number) for s in _SENTENCE.split(lead) if s.strip()]
                out.append(_Unit("\n".join(items), "list", number))
            else:
                for line in lines:
                    kind = "list" if _LIST_ITEM.match(line) or _TABLE_ROW.match(line) else "sentence"
                    out += [_Unit(s.strip(), kind, number) for s in (_SENTENCE.split(line) if kind == "sentence"
                                                                   else [line]) if s.strip()]
            number += 1
    return out


def _without_page_pointers(paragraph: str) -> str:
    """A prose paragraph without its sentences about a picture the reply cannot show or sending
    the reader to another part of the page, and with "As mentioned above, " left off a sentence
    (a list item or table row stays whole: a step is never dropped)."""
    if not any(pattern.search(paragraph) for pattern in (_SHOWN, _OTHER_PART, _BACK_REFERENCE)):
        return paragraph
    lines = []
    for line in paragraph.split("\n"):
        if _LIST_ITEM.match(line) or _TABLE_ROW.match(line):
            lines.append(line)
            continue
        kept = [_without_back_reference(s) for s in _SENTENCE.split(line)
                if not _SHOWN.search(s) and not _OTHER_PART.match(s.strip())]
        if kept:
            lines.append(" ".join(kept))
    return "\n".join(lines)


def _without_back_reference(sentence: str) -> str:
    lead = _BACK_REFERENCE.match(sentence.lstrip())
    if lead is None:
        return sentence
    rest = sentence.lstrip()[lead.end():]
    return rest[:1].upper() + rest[1:]


def whole(text: str) -> str:
    """All of a chunk, as a reply quotes it: prose paragraphs mended, lists and code as they are."""
    parts, last = [], None
    for unit in units(text):
        if parts and unit.kind == "sentence" and unit.paragraph == last:
            parts[-1] += " " + unit.text
        else:
            parts.append(unit.text)
        last = unit.paragraph
    return "\n\n".join(parts)


def best_sentences(question: str, text: str, limit: int = 3) -> list[str]:
    """Up to ``limit`` sentences (or list items) of ``text`` that share the most words with the
    question, in their original order; the opening sentences when none share any."""
    sentences = [line for u in units(text) if u.kind != "code" for line in
                 ([u.text] if u.kind == "sentence" else u.text.split("\n")) if line.strip()]
    wanted = stems(question)
    scored = [(len(wanted & stems(s)), -i) for i, s in enumerate(sentences)]
    ranked = sorted(range(len(sentences)), key=lambda i: scored[i], reverse=True)
    chosen = [i for i in ranked[:limit] if scored[i][0] > 0] or list(range(min(2, len(sentences))))
    return [sentences[i] for i in sorted(chosen)]


def _shorten_block(block: str) -> str:
    lines = block.split("\n")
    if len(lines) <= BLOCK_LINES + 2:
        return block
    if block.startswith("```"):  # keep the fences: the code is cut, not opened
        return "\n".join(lines[: BLOCK_LINES] + [lines[-1]])
    return "\n".join(lines[:BLOCK_LINES])


def _introduces(unit: _Unit) -> bool:
    """A lead-in: "To restore it:", or a label with no sentence end ("Note: to stop the daemon")."""
    t = unit.text.rstrip()
    return t.endswith(":") or unit.kind == "sentence" and not t.endswith((".", "!", "?", ")", '"', "'"))


# A sentence opening with one of these leans on the one before it ("Instead, BTCPay provides …").
# "Now …", "Additionally …" continue a sequence or a list of options: alone they start in its middle.
_LEANS_BACK = re.compile(r"^(?:however|instead|therefore|thus|hence|then|otherwise|consequently|in (?:that|this) case|"
                         r"if so|if not|and|or|but|now|next|the (?:next|last|final) step|afterwards|after that|"
                         r"additionally|also|in addition|"
                         r"furthermore|moreover|alternatively|(?:above|below|beyond|besides|apart from|on top of|"
                         r"other than|after|before) (?:that|this|these|those|it))\b", re.I)


def _carries_on(unit: _Unit) -> bool:
    return unit.kind == "sentence" and (unit.text[:1].islower() or bool(_LEANS_BACK.match(unit.text)))


_DEMONSTRATIVE = r"this|that|these|those|such"  # a sentence opening with one points back

# A sentence that needs the one before it or the page around it ("This is because …", "Of course when
# you create the other wallet, …", "Read the following section"): quoted alone under another
# article's title it states no fact of its own.
_NEEDS_ITS_PAGE = re.compile(rf"^(?:{_DEMONSTRATIVE}|they|of course|now that)\b"
                             r"|\b(?:the following|(?:see|shown|listed|described) (?:below|above))\b", re.I)


# A sentence whose subject is what the sentence before it named ("This change allows anyone to …", "These
# holds give you time …") or that acts on it ("Click on it to retrieve …"). "This guide / page / article …"
# sums up the page, which the citation opens, and "It is …" is as often a sentence's own subject: neither leans.
_REFERS_BACK = re.compile(rf"^(?:(?:{_DEMONSTRATIVE})(?! (?:guide|page|article|section|document|tutorial|"
                          r"chapter|post|faq|tip)s?\b)|they|(?:click|tap|press|select|open|copy|paste|choose)"
                          r"(?: on)? (?:it|them|this|that)\b)\b", re.I)


def _refers_back(unit: _Unit) -> bool:
    return unit.kind == "sentence" and bool(_REFERS_BACK.match(unit.text))


def _stands_alone(unit: _Unit) -> bool:
    """Whether a sentence reads whole without the text before or after it on its page."""
    return not _carries_on(unit) and not _NEEDS_ITS_PAGE.search(unit.text)


def _with_context(all_units: list[_Unit], chosen: list[int]) -> set[int]:
    """The chosen units with what makes each of them whole: the list or code block a lead-in
    introduces (else the sentence after "…:"); for a sentence carried on after a code block
    ("If you see: <code> Then your data directory is corrupted.") the block and its lead-in; for
    one that leans on the sentence before it in its paragraph ("Instead, …", "This change allows …"),
    that sentence. A lead-in with nothing after it in the chunk is left out when anything else was chosen."""
    keep = set(chosen)
    for i in chosen:
        unit, after = all_units[i], all_units[i + 1] if i + 1 < len(all_units) else None
        if _introduces(unit):
            if after is not None and after.kind in ("list", "code"):
                keep.add(i + 1)
            elif after is not None and unit.text.rstrip().endswith(":") and after.kind == "sentence":
                keep.add(i + 1)
            elif after is None and unit.text.rstrip().endswith(":") and len(keep) > 1:
                keep.discard(i)
        before, carries_on = all_units[i - 1] if i >= 1 else None, _carries_on(unit)
        if before is None or not (carries_on or _refers_back(unit)):
            continue
        if carries_on and before.kind in ("list", "code"):
            keep.add(i - 1)
            if i >= 2 and _introduces(all_units[i - 2]):
                keep.add(i - 2)
        elif before.kind == "sentence" and before.paragraph == unit.paragraph:
            keep.add(i - 1)
    return keep


def _repeats(unit: _Unit, already: set[str]) -> bool:
    """Whether a sentence only says again what was already said (another article's copy of it)."""
    words = stems(unit.text)
    return bool(already) and bool(words) and len(words & already) / len(words) > REPEATED_SHARE


def select(question: str, text: str, limit: int = MAX_UNITS, said: str = "", about: bool = False) -> str:
    """The chunk's answer to ``question``: its best whole sentences in reading order, each with
    the list or code block it introduces, paragraphs kept apart. Sentences that repeat ``said``
    are left out; with ``about``, so are sentences that share no word with the question (a
    followed article's "Check this community guide."); "" when nothing is left."""
    all_units = units(text)
    wanted = stems(question)
    already = stems(said) if said else set()
    scored = []
    for index, unit in enumerate(all_units):
        overlap = len(wanted & stems(unit.text))
        # A fragment (a label, a heading-like line) may still be chosen, after whole sentences.
        scored.append((overlap, unit.whole_sentence, -index))
    ranked = sorted(range(len(all_units)), key=lambda i: scored[i], reverse=True)
    chosen = [i for i in ranked if scored[i][0] > 0 and all_units[i].kind != "code"
              and not _repeats(all_units[i], already)][:limit]
    if not chosen and not about:
        chosen = [i for i, u in enumerate(all_units) if u.kind != "code" and not _repeats(u, already)][:2]
    if not chosen:
        return ""
    keep = _with_context(all_units, chosen)
    parts: list[str] = []
    last_paragraph = None
    for i in sorted(keep):
        unit = all_units[i]
        body = _shorten_block(unit.text) if unit.kind in ("list", "code") else unit.text
        if parts and unit.paragraph == last_paragraph and unit.kind == "sentence":
            parts[-1] += " " + body
        else:
            parts.append(body)
        last_paragraph = unit.paragraph
    return "\n\n".join(parts)


def _see_also(question: str, extra: RetrievedChunk, said: str) -> str | None:
    """The second source's best whole sentence, if it is about the question, reads whole on its own
    and says something the answer does not already say."""
    wanted = stems(question)
    already = stems(said)
    for unit in sorted(units(extra.text), key=lambda u: len(wanted & stems(u.text)), reverse=True)[:3]:
        words = stems(unit.text)
        if not unit.whole_sentence or len(wanted & words) < 2 or _TABLE_ROW.match(unit.text) \
                or len(unit.text.split()) < SEE_ALSO_WORDS or not _stands_alone(unit):
            continue  # a pointer ("View the Pay Button instructions here.") or a sentence out of its context
        if words and len(words & already) / len(words) > 0.5:
            continue  # the same fact again
        return unit.text
    return None


_ACCOUNT_CURRENCY = re.compile(r"\b(your (?:account|home|local) currency)\b(?! \()", re.I)


def name_currency(text: str, region: str | None) -> str:
    """A source written for every region says "in your account currency"; a customer who told
    us their region reads which currency that is: "in your account currency (GBP)"."""
    named = currency(region)
    if not named:
        return text
    return _ACCOUNT_CURRENCY.sub(lambda m: f"{m.group(1)} ({named})", text)


def _linked(quoted: str, source: RetrievedChunk) -> str:
    """A quote with the links its source gives there, to other sites and to other articles' public pages
    (app/chain/generation/links.py)."""
    return with_links(quoted, source.text, external_links(source.metadata) + source.page_links)


def _plain_title(title: str) -> str:
    """A title as the lead-in of a "See also" line: no sentence end inside it ("vs. Others"),
    so the line stays one lead-in that the output check does not take for a claim."""
    return re.sub(r"[.!?:;]+(?=\s|$)", "", title).strip()


class SentenceMatch(Protocol):
    def cosines(self, question: str, passages: Sequence[tuple[RetrievedChunk, str]]) -> list[float]:
        """Each (source, quoted text) passage's cosine to the question (app/index/sentences.py)."""
        ...


class ExtractiveGenerator:
    name = "extractive"

    def __init__(self, max_sources: int = SEE_ALSO_SOURCES, match: SentenceMatch | None = None) -> None:
        self.max_sources = max_sources
        self.match = match  # without one, a "See also" line is checked by its source's score alone

    def generate(self, question: str, sources: list[RetrievedChunk], history=()) -> Generation:
        if not sources:
            return Generation("", self.name)
        # The first source with words for a reader answers; one that is only code (a config file,
        # a script) gives its code when no source has prose.
        first, answer = 1, ""
        for number, source in enumerate(sources, start=1):
            answer = self._main_answer(question, source)
            if answer:
                first = number
                break
        if not answer:
            code = [u.text for u in units(sources[0].text) if u.kind == "code"]
            if not code:
                return Generation("", self.name)
            answer = _shorten_block(code[0])
        top = sources[first - 1]
        parts = [f"{_linked(answer, top)} [{first}]"]
        # An article the answer points to comes on top of the "see also" sources (app/chain/pointers.py).
        end = self.max_sources + any(FOLLOWED in s.metadata for s in sources[first : first + 1])
        quoted = {top.source}
        offered: list[tuple[int, RetrievedChunk, str]] = []
        for number, extra in enumerate(sources[first:end], start=first + 1):
            if extra.source in quoted:
                continue
            if extra.metadata.get(FOLLOWED) == top.source:  # the article the answer points to: its answer
                body = select(question, extra.text, said=answer, about=True)
                if body:
                    parts.append(f"See also {_plain_title(extra.title or extra.source)}:\n"
                                 f"{_linked(body, extra)} [{number}]")
                    quoted.add(extra.source)
                continue
            sentence = _see_also(question, extra, answer)
            if sentence and extra.score >= SEE_ALSO_SCORE_SHARE * top.score:
                offered.append((number, extra, sentence))
        line = self._closest(question, top, answer, offered)
        if line:
            number, extra, sentence = line
            # The "See also …:" line names where; the sentence under it is the source's own.
            parts.append(f"See also {_plain_title(extra.title or extra.source)}:\n{_linked(sentence, extra)} "
                         f"[{number}]")
        return Generation("\n\n".join(parts), self.name)

    def _closest(self, question: str, top: RetrievedChunk, answer: str,
                 offered: list[tuple[int, RetrievedChunk, str]]) -> tuple[int, RetrievedChunk, str] | None:
        """The first offered line whose sentence is about as close to the question as the answer's first
        sentence; the first offered when there is no sentence match or it fails (the score check stands)."""
        if not offered or self.match is None:
            return offered[0] if offered else None
        passages = [(top, answer.split("\n\n")[0])] + [(extra, sentence) for _, extra, sentence in offered]
        try:
            cosines = self.match.cosines(question, passages)
        except Exception:  # an embedding endpoint that fails here costs the check, never the reply
            log.warning("the see-also sentence match failed; the line is checked by its score alone", exc_info=True)
            return offered[0]
        return next((line for line, cosine in zip(offered, cosines[1:])
                     if cosine >= SEE_ALSO_MATCH_SHARE * cosines[0]), None)

    @staticmethod
    def _main_answer(question: str, source: RetrievedChunk) -> str:
        """A source's answer to the question: an FAQ's whole answer (its best sentences when long),
        else its best sentences; empty when it has no words for a reader, only code."""
        text = source.text.strip()
        if not (source.metadata.get("question") and len(text) <= FAQ_WHOLE_CHARS) or _SOURCE_MARK.search(text):
            return select(question, text, limit=MAX_UNITS + (1 if source.metadata.get("question") else 0))
        return whole(text)

    def stream(self, question: str, sources: list[RetrievedChunk], history=()) -> Iterator[str]:
        text = self.generate(question, sources, history).text
        for piece in re.split(r"(\s+)", text):
            if piece:
                yield piece
