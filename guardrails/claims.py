"""A reply cut into claims, and the tests a claim must pass against a source's text.

A claim is a sentence or list item with the citation markers that govern it (see
``claims``). The tests compare what a claim says with a source sentence: its content stems,
its quantities (amounts, percentages, durations, with unit and currency) and its negation.
``guardrails/groundedness.py`` scores claims against cited sources with them, and
``guardrails/commitments.py`` reads the same claims and quantities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

MAX_REPLY_CHARS = 20_000  # longer replies are cut: a support reply is never this long

_MARKER = re.compile(r"\[(\d{1,3})\]")
# A Markdown link, "[this guide](https://…)": its text is what a claim says; where it leads is the
# output guard's question (guardrails/links.py), not a claim's.
MARKDOWN_LINK = re.compile(r"\[([^\[\]\n]+)\]\(((?:[^()\s]|\([^()\s]*\))+)\)")
PARAGRAPH = re.compile(r"\n[ \t]*\n")
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
    for paragraph in PARAGRAPH.split(source):
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
    text: str  # the sentence as written, markers included (a Markdown link as its text)
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
    # A link is read as its text: cut into sentences whole, "[Episode 07: Remote Nodes](…)" would leave half
    # a link text and its address as a claim of their own.
    reply = MARKDOWN_LINK.sub(r"\1", reply[:MAX_REPLY_CHARS])
    sentences = [s for paragraph in PARAGRAPH.split(reply) for s in split_sentences(paragraph)]
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


def flat_text(text: str) -> str:
    return " " + _NON_ALNUM.sub(" ", _MARKER.sub(" ", text).lower()).strip() + " "


def source_windows(text: str) -> list[str]:
    """Single sentences and adjacent pairs: a paraphrase often merges two sentences."""
    sentences = [s for p in PARAGRAPH.split(text) for s in split_sentences(p)]
    return sentences + [f"{a} {b}" for a, b in zip(sentences, sentences[1:])]
