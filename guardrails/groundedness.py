"""Groundedness: every factual sentence of a reply must be supported by a source it cites.

A reply is split into claims (sentences and list items). Each claim is governed by the
citation markers in it; a claim without its own marker inherits the next marker in the reply
(writers put ``[1]`` at the end of the text it covers; the extractive generator puts one
after a whole multi-paragraph FAQ answer), or the previous one when the reply ends unmarked.

Support is the conjunction of three tests against the cited sources:

- numbers (amounts, percentages, durations) must appear in the source exactly, with the
  same unit and, where the source names one, the same currency. A wrong fee or timeline
  is the classic hallucination and overlap scores hardly notice it;
- the negation of the claim must match the source window it resembles most ("can be
  refunded" against "cannot be refunded");
- the support score, a mix of lexical coverage (share of the claim's content stems found
  in a window of the source) and embedding similarity, must reach the threshold.

Support from a source the claim does not cite is reported (``uncited_source``) but does
not count: the customer follows the marker, so the marker has to be right.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Sequence

# Chosen on the dev split of evals/datasets/groundedness.jsonl (evals/output_checks_eval.py prints the sweep).
# The mix beat lexical or embedding alone on dev precision; embedding alone over-fits dev (test FA 41%).
DEFAULT_THRESHOLD = 0.72  # best dev F1 for the 0.5 mix with extractive false alarms <= 1%
LEXICAL_WEIGHT = 0.5  # combined score = w * lexical + (1 - w) * embedding
MAX_REPLY_CHARS = 20_000  # longer replies are cut: a support reply is never this long

_MARKER = re.compile(r"\[(\d{1,3})\]")
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
# Sentence ends, and list items / table rows, which are claims of their own.
# A colon before a capital ends one too: the extractive generator joins "…tell us:" to the next sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\[A-Z0-9\"'“‘(£€$])|(?<=[.!?])\s*(?=\n)|(?<=:)\s+(?=[A-Z])")
_LINE = re.compile(r"\n+")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
# List items and table rows the extractive generator joined onto one line ("… fee. - Next
# item", "| a | b | | c | d |"): each is a claim of its own.
_INLINE_ITEM = re.compile(r"(?<=[.;:])\s+[-•]\s+|\|\s+\|")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

# Not factual claims: the extractive generator's lead-ins and the courtesy around an answer.
_LEAD_IN = re.compile(r"^(?:here is our answer to\b.*:|from [^:]{1,200}›[^:]*:|see also [^:]{1,200}:)\s*$", re.I)
_SEE_ALSO = re.compile(r"^see also [^:\n]{1,200}›[^:\n]*:\s*", re.I)
_COURTESY = re.compile(
    r"^(?:hi|hello|hey|thanks?|thank you|sure|of course|happy to help|great question|no problem|sorry|"
    r"i'?m sorry|good (?:morning|afternoon|evening)|dear)\b[^.!?]{0,60}[.!?]?$"
    r"|^(?:is there anything else|anything else|let me know|feel free|i hope this helps|hope this helps|"
    r"i(?:'ll| will) (?:connect|transfer|pass|put) you|i(?:'m| am) (?:connecting|transferring|not sure)|"
    r"i can(?:'t|not) (?:answer|help with) that|you can ask (?:a|our) (?:human|agent|person)|"
    r"please (?:ask|contact) (?:a|our) (?:human|agent|support))",
    re.I,
)

_STOP = frozenset("""a an the is are was were be been being do does did i you your yours my we our us it its of to
in on for and or but with at by from as this that these those what how when why where who which can could would
should will shall may might me about there their they them have has had if so than then into out up also just
any all each every some such only own more most other very too via per am i'm you're we're it's that's there's
you'll we'll you've we've i'll i've let lets please here""".split())
# Words that flip a claim. "no" and "free" are not here: "no fee" and "free" say the same thing.
_NEGATION = re.compile(
    r"\b(?:not|never|cannot|can't|cant|won't|wont|don't|dont|doesn't|doesnt|isn't|isnt|aren't|arent|"
    r"didn't|wasn't|shouldn't|couldn't|mustn't|nobody|neither|nor|n't)\b|\w+n't\b",
    re.I,
)

_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "fifteen": "15", "twenty": "20", "thirty": "30",
    "forty-five": "45", "forty-eight": "48", "twenty-four": "24", "sixty": "60", "ninety": "90", "fourteen": "14",
    "hundred": "100",
}
# Only before a unit: "one" in "if you don't have one" is not a quantity, "one month" is.
_NUMBER_WORD = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _NUMBER_WORDS), key=len, reverse=True))
                          + r")(?=[\s-]+(?:\w+\s+)?(?:business |working )?(?:hours?|days?|weeks?|months?|years?|minutes?|"
                          r"confirmations?|characters?|words?|codes?|cards?)\b)", re.I)
_CURRENCY_CODES = {"eur": "€", "euro": "€", "euros": "€", "gbp": "£", "pound": "£", "pounds": "£", "usd": "$",
                   "dollar": "$", "dollars": "$"}
_UNIT = (r"(?:%|percent|per ?cent|(?:business |working |calendar )?(?:hours?|hrs?|days?|weeks?|months?|years?|"
         r"minutes?|mins?|seconds?)|confirmations?|characters?|words?|codes?|cards?)")
# A number with optional currency before or after, an optional range ("3 to 10"), and an optional unit.
_QUANTITY = re.compile(
    r"(?P<cur>[£€$])?\s?(?P<num>\d+(?:[.,]\d+)*)(?P<k>k\b)?"
    r"(?:\s?(?:to|-|–|—|and|or)\s?[£€$]?(?P<num2>\d+(?:[.,]\d+)*))?"
    r"\s?(?P<code>eur|euros?|gbp|pounds?|usd|dollars?)?\b[\s-]?(?P<unit>" + _UNIT + r")?",
    re.I,
)


@dataclass(frozen=True)
class Quantity:
    value: str
    unit: str | None
    currency: str | None


def _norm_number(text: str) -> str:
    text = text.replace(",", "")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _norm_unit(unit: str | None) -> str | None:
    if not unit:
        return None
    unit = unit.lower().replace("working ", "business ").replace("calendar ", "")
    unit = {"percent": "%", "per cent": "%", "percent.": "%", "hrs": "hours", "hr": "hours", "mins": "minutes",
            "min": "minutes"}.get(unit, unit)
    return unit if unit == "%" or unit.endswith("s") else unit + "s"


def _quantities(text: str) -> list[tuple[Quantity, frozenset[str]]]:
    """Quantities with the stems of the words around them (six either side)."""
    text = _NUMBER_WORD.sub(lambda m: _NUMBER_WORDS[m.group(1).lower()], _MARKER.sub(" ", text))
    found = []
    for m in _QUANTITY.finditer(text):
        currency = m.group("cur") or _CURRENCY_CODES.get((m.group("code") or "").lower())
        unit = _norm_unit(m.group("unit"))
        context = stems(" ".join(text[:m.start()].split()[-6:] + text[m.end():].split()[:6]))
        for raw in filter(None, (m.group("num"), m.group("num2"))):
            value = _norm_number(raw)
            if m.group("k"):
                value = _norm_number(str(float(value) * 1000))
            found.append((Quantity(value, unit, currency), context))
    return found


def quantities(text: str) -> list[Quantity]:
    """Numbers in ``text`` with their unit and currency; number words before a unit count
    as digits, citation markers do not."""
    return [q for q, _ in _quantities(text)]


def _source_quantities(source: str) -> list[tuple[Quantity, frozenset[str]]]:
    """Each quantity of a source with the stems of its sentence, the sentence before and
    the paragraph's first line (a table's header, a list's intro)."""
    out = []
    for paragraph in _PARAGRAPH.split(source):
        sentences = split_sentences(paragraph)
        head = stems(sentences[0]) if sentences else frozenset()
        for i, sentence in enumerate(sentences):
            context = stems(sentence) | head | (stems(sentences[i - 1]) if i else frozenset())
            out.extend((q, context) for q in quantities(sentence))
    return out


def numbers_match(claim: str, source: str) -> bool:
    """Every quantity of the claim is in the source, said about the same thing: same
    value, same unit when both state one, no currency the source contradicts, and a
    source sentence holding at least a third of the claim's words around the number (so "24
    hours" about a security hold is not supported by "24 hours" about a review)."""
    have = _source_quantities(source)
    for q, around in _quantities(claim):
        same = [h for h, context in have if h.value == q.value and (len(around) < 3 or 3 * len(around & context) >= len(around))]
        if not same:
            return False
        if q.unit and not any(h.unit == q.unit or h.unit is None for h in same):
            return False
        if q.currency and (named := {h.currency for h in same if h.currency}) and q.currency not in named:
            return False
    return True


_stemmer = None


def stems(text: str) -> frozenset[str]:
    """Content-word stems. Cached: the same source windows are stemmed for every reply."""
    return _stems(text)


@lru_cache(maxsize=50_000)
def _stems(text: str) -> frozenset[str]:
    global _stemmer
    if _stemmer is None:
        import Stemmer  # PyStemmer, already used by the keyword index

        _stemmer = Stemmer.Stemmer("english")
    words = [w.replace("'", "") for w in _WORD.findall(text.lower()) if w not in _STOP and not w.isdigit()]
    return frozenset(_stemmer.stemWords(words))


_NEGATIVE_WORD = re.compile(_NEGATION.pattern + r"|\b(?:no|nothing|none|without|nobody|neither)\b", re.I)


def negated_terms(text: str) -> frozenset[str]:
    """Stems of the words a negation governs: the three words after each cue."""
    out: set[str] = set()
    for m in _NEGATION.finditer(text):
        out |= stems(" ".join(text[m.end():].split()[:3]))
    return frozenset(out)


def negation_agrees(claim: str, source_sentence: str) -> bool:
    """False when one side negates what the other asserts. Only negations about words
    both share count: "shops you don't know well" in a source says nothing about fees."""
    claim_stems, source_stems = stems(claim), stems(source_sentence)
    denied_by_source = negated_terms(source_sentence) & claim_stems
    denied_by_claim = negated_terms(claim) & source_stems
    if denied_by_source and not _NEGATIVE_WORD.search(claim):
        return False
    return not (denied_by_claim and not _NEGATIVE_WORD.search(source_sentence))


@dataclass(frozen=True)
class Claim:
    text: str  # the sentence as written, markers included
    plain: str  # without markers or a "See also X › Y:" prefix: what is checked
    cited: list[int]
    checkable: bool


def split_sentences(text: str) -> list[str]:
    """Sentences and list items of one paragraph."""
    pieces = []
    for line in _LINE.split(text):
        for item in _INLINE_ITEM.split(line):
            item = _BULLET.sub("", item).strip().strip("|").strip()
            if item:
                pieces.extend(s.strip() for s in _SENTENCE_END.split(item) if s.strip())
    # A marker split off from its sentence ("… fee. [2]") belongs to the sentence before.
    merged: list[str] = []
    for piece in pieces:
        if merged and _MARKER.sub("", piece).strip() == "":
            merged[-1] += " " + piece
        else:
            merged.append(piece)
    return merged


def is_checkable(plain: str) -> bool:
    """Whether a sentence states something a source must support. Lead-ins, greetings,
    offers of a person, closing questions and other questions are not claims."""
    plain = plain.strip()
    if not plain or _LEAD_IN.match(plain) or _COURTESY.match(plain):
        return False
    if plain.endswith(("?", ":")):
        return False  # questions, and intros to a list whose items are checked one by one
    return bool(stems(plain)) or bool(quantities(plain))


def claims(reply: str) -> list[Claim]:
    """The reply's sentences with the citations that govern them (see module docstring)."""
    sentences = [s for paragraph in _PARAGRAPH.split(reply[:MAX_REPLY_CHARS]) for s in split_sentences(paragraph)]
    own = [[int(n) for n in _MARKER.findall(s)] for s in sentences]
    out: list[Claim] = []
    for i, sentence in enumerate(sentences):
        # The next marker governs, across paragraphs: a multi-paragraph FAQ answer carries
        # one [1] at its very end. A trailing unmarked sentence takes the previous marker.
        cited = own[i] or next((c for c in own[i + 1:] if c), None) or next((c for c in reversed(own[:i]) if c), [])
        plain = _SEE_ALSO.sub("", _MARKER.sub("", sentence)).strip()
        plain = re.sub(r"\s+([.,;:!?])", r"\1", plain)
        out.append(Claim(sentence, plain, list(dict.fromkeys(cited)), is_checkable(plain)))
    return out


def _flat(text: str) -> str:
    return " " + _NON_ALNUM.sub(" ", _MARKER.sub(" ", text).lower()).strip() + " "


def source_windows(text: str) -> list[str]:
    """Single sentences and adjacent pairs: a paraphrase often merges two sentences."""
    sentences = [s for p in _PARAGRAPH.split(text) for s in split_sentences(p)]
    return sentences + [f"{a} {b}" for a, b in zip(sentences, sentences[1:])]


@dataclass(frozen=True)
class SentenceSupport:
    sentence: str
    cited: list[int]  # citation numbers in or governing this sentence
    supported: bool
    score: float  # 0..1 support strength from the cited sources
    source: int | None  # best supporting cited source (1-based)
    checkable: bool = True
    lexical: float = 0.0
    semantic: float | None = None
    numbers_ok: bool = True
    negation_ok: bool = True
    uncited_source: int | None = None  # an uncited source that would support it, if any
    reason: str = ""

    def to_json(self) -> dict:
        return {
            "sentence": self.sentence, "cited": list(self.cited), "supported": self.supported,
            "score": round(self.score, 4), "source": self.source, "checkable": self.checkable,
            "lexical": round(self.lexical, 4), "semantic": None if self.semantic is None else round(self.semantic, 4),
            "numbers_ok": self.numbers_ok, "negation_ok": self.negation_ok,
            "uncited_source": self.uncited_source, "reason": self.reason,
        }


@dataclass
class GroundednessReport:
    sentences: list[SentenceSupport] = field(default_factory=list)

    @property
    def checked(self) -> list[SentenceSupport]:
        return [s for s in self.sentences if s.checkable]

    @property
    def grounded(self) -> bool:
        """Every checkable sentence is supported (a reply with none is vacuously grounded)."""
        return all(s.supported for s in self.checked)

    @property
    def support_rate(self) -> float:
        checked = self.checked
        return sum(s.supported for s in checked) / len(checked) if checked else 1.0

    def unsupported(self) -> list[SentenceSupport]:
        return [s for s in self.checked if not s.supported]

    def to_json(self) -> dict:
        return {"grounded": self.grounded, "support_rate": round(self.support_rate, 4),
                "sentences": [s.to_json() for s in self.sentences]}



@dataclass
class _Scored:
    score: float
    lexical: float
    semantic: float | None
    window: str


class GroundednessChecker:
    """Checks replies against their numbered sources. Construction is cheap; with an
    embedder, ``warm_up()`` loads it. Source windows' vectors are cached by text: replies
    are checked against the same knowledge-base chunks over and over."""

    def __init__(self, embedder=None, threshold: float = DEFAULT_THRESHOLD, lexical_weight: float = LEXICAL_WEIGHT,
                 cache_size: int = 20_000) -> None:
        self.embedder = embedder
        self.threshold = threshold
        self.lexical_weight = lexical_weight if embedder is not None else 1.0
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._cache_size = cache_size

    def warm_up(self) -> None:
        if self.embedder is not None:
            if hasattr(self.embedder, "warm_up"):
                self.embedder.warm_up()
            self._vectors(["warm up"])

    def _vectors(self, texts: list[str]) -> dict[str, list[float]]:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            for text, vector in zip(missing, self.embedder.embed_documents(missing)):
                self._cache[text] = vector
        out = {}
        for text in texts:
            self._cache.move_to_end(text)
            out[text] = self._cache[text]
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return out

    def check(self, reply: str, sources: Sequence[str]) -> GroundednessReport:
        parsed = claims(reply or "")
        sources = [s or "" for s in (sources or [])]
        windows = [source_windows(s[:MAX_REPLY_CHARS]) for s in sources]
        flat = [_flat(s) for s in sources]
        verbatim = {c.plain for c in parsed if c.checkable and any(
            _flat(c.plain) in flat[n - 1] for n in c.cited if 1 <= n <= len(sources))}
        # A claim copied word for word from its cited source is supported as it stands;
        # only the others need the embedder (all of the extractive generator's are copies).
        todo = [c for c in parsed if c.checkable and c.plain not in verbatim]
        vectors: dict[str, list[float]] = {}
        if self.embedder is not None and todo:
            cited_windows = [w for c in todo for n in c.cited if 1 <= n <= len(sources) for w in windows[n - 1]]
            vectors = self._vectors([c.plain for c in todo] + cited_windows)
        report = GroundednessReport()
        for claim in parsed:
            if not claim.checkable:
                report.sentences.append(SentenceSupport(claim.text, claim.cited, True, 1.0, None, checkable=False,
                                                        reason="not a factual claim"))
                continue
            if claim.plain in verbatim:
                n = next(n for n in claim.cited if 1 <= n <= len(sources) and _flat(claim.plain) in flat[n - 1])
                report.sentences.append(SentenceSupport(claim.text, claim.cited, True, 1.0, n, lexical=1.0,
                                                        reason="verbatim in the cited source"))
                continue
            report.sentences.append(self._support(claim, sources, windows, vectors))
        return report

    @staticmethod
    def _singles(source: str) -> int:
        return len([s for p in _PARAGRAPH.split(source[:MAX_REPLY_CHARS]) for s in split_sentences(p)])

    def _score(self, claim: Claim, windows: list[str], vectors: dict[str, list[float]]) -> _Scored:
        want = stems(claim.plain)
        best = _Scored(0.0, 0.0, None, "")
        qv = vectors.get(claim.plain)
        for window in windows:
            lexical = len(want & stems(window)) / len(want) if want else 1.0
            semantic = None
            if qv is not None and window in vectors:
                semantic = max(0.0, sum(a * b for a, b in zip(qv, vectors[window])))
            score = lexical if semantic is None else self.lexical_weight * lexical + (1 - self.lexical_weight) * semantic
            if score > best.score:
                best = _Scored(score, lexical, semantic, window)
        return best

    def _support(self, claim: Claim, sources: list[str], windows: list[list[str]], vectors) -> SentenceSupport:
        valid = [n for n in claim.cited if 1 <= n <= len(sources)]
        best_n, best = None, _Scored(0.0, 0.0, None, "")
        for n in valid:
            scored = self._score(claim, windows[n - 1], vectors)
            if scored.score > best.score or best_n is None:
                best_n, best = n, scored
        numbers_ok = any(numbers_match(claim.plain, sources[n - 1]) for n in valid) if valid else False
        # Negation is compared with the one source sentence closest in words to the claim.
        want = stems(claim.plain)
        closest = max((w for n in valid for w in windows[n - 1][:self._singles(sources[n - 1])]),
                      key=lambda w: len(want & stems(w)), default="")
        negation_ok = bool(valid) and negation_agrees(claim.plain, closest)
        supported = bool(valid) and numbers_ok and negation_ok and best.score >= self.threshold
        reason = ("" if supported else "no valid citation" if not valid else "a number, amount or duration is not in "
                  "the cited source" if not numbers_ok else "negation differs from the source" if not negation_ok
                  else "weak support from the cited source")
        uncited = None
        if not supported:
            # Reported so an editor can see a wrong marker; lexical only, to stay cheap.
            others = [n for n in range(1, len(sources) + 1) if n not in valid]
            for n in others:
                if numbers_match(claim.plain, sources[n - 1]):
                    lex = self._score(claim, windows[n - 1], {}).lexical
                    if lex >= 0.8 and (uncited is None or lex > 0):
                        uncited = n
                        break
        return SentenceSupport(claim.text, claim.cited, supported, round(best.score, 4), best_n, True, best.lexical,
                               best.semantic, numbers_ok, negation_ok, uncited, reason)
