"""Unsupported commitments: promises a reply makes that the cited policy does not make.

Six kinds are recognised, by patterns written for support replies:

- refund: "we will refund you" (or the company, by any of its names), "you'll get your money back",
  "we'll reimburse";
- timeline: "within 24 hours", "in 3 business days", "by tomorrow", "next business day";
- guarantee: "guaranteed", "we promise", "100% safe", "you won't lose anything";
- waiver: "we'll waive the fee", "you won't be charged", "we'll cover the cost";
- outcome: "your dispute will succeed", "you'll win", "the merchant will refund you";
- advice: "you should buy", "bitcoin is a good investment", "the price will go up", "now is a good
  time to sell" (investment advice, which a support reply must not give: ``guardrails.advice``).

A denial is not a commitment: "a refund is not guaranteed" and "we cannot refund crypto
purchases" promise nothing, so a negation shortly before the phrase (or "not" right after
"guaranteed") drops it.

A commitment is supported when a source its sentence cites (citations are inherited as in
``guardrails.groundedness``; a reply without any marker is read against all sources)
makes a commitment of the same kind, about the same thing: for a timeline, every number
and unit must be in that source; for the other kinds, the source sentence making it must
share most of the reply sentence's content words. The KB's refund policy gives real
refunds and timelines, and repeating them faithfully is fine.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Sequence

from app.core.company import COMPANY_WORD, Company
from guardrails.claims import MAX_REPLY_CHARS, claims, quantities, split_sentences, stems

KINDS = ("refund", "timeline", "guarantee", "waiver", "outcome", "advice")
# Share of the reply sentence's content stems the committing source sentence must hold.
SAME_TOPIC = 0.4

_N = r"(?:\d+(?:[.,]\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fourteen|twenty-four|forty-eight|a few|a couple of)"
_UNIT = r"(?:business |working |calendar )?(?:minutes?|hours?|days?|weeks?|months?|years?)"
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"

_PATTERNS: dict[str, list[str]] = {
    "refund": [
        r"\b(?:we|i|_company_)(?:'ll| will| shall| can| are going to)?\s+(?:\w+\s+){0,2}?(?:refund|reimburse|repay)\w*",
        r"\b(?:get|receive|be given)\s+(?:your|the|a|all|every)?\s*(?:\w+\s+){0,2}?(?:money|funds|cash|refund|plan fee|fee|amount)\b(?:\s+back)?",
        r"\bmoney back\b",
        r"\b(?:will|'ll|shall) be (?:fully\s+)?(?:refunded|reimbursed|credited back|returned to you|paid back)",
        r"\bfull refund\b",
    ],
    "timeline": [
        r"\b(?:within|in|by|after|up to|takes?|for|about|around|under|less than)\s+(?:the\s+)?(?:next\s+)?" + _N
        + r"(?:\s*(?:-|–|to|or)\s*" + _N + r")?[\s-]?" + _UNIT + r"\b",
        r"\b" + _N + r"[\s-]" + _UNIT + r"\b",
        r"\b(?:by|before|until)\s+(?:tomorrow|tonight|the end of (?:the |today|this )?(?:day|week|month)|end of day|"
        + _WEEKDAY + r"|next week)\b",
        r"\b(?:tomorrow|same[- ]day|overnight|next business day|end of the next business day)\b",
    ],
    "guarantee": [
        r"\bguarantee[sd]?\b(?! schemes?)",  # "deposit guarantee scheme" is an institution, not a promise
        r"\b(?:we|i)\s+promise\b",
        r"\b100\s?%\s*(?:safe|secure|guaranteed|certain|sure|protected)",
        r"\b(?:completely|totally|perfectly|absolutely|entirely)\s+(?:safe|secure|risk[- ]free|protected)\b",
        r"\brisk[- ]free\b",
        r"\b(?:won'?t|will not|will never|can'?t|cannot) (?:ever )?lose (?:anything|any money|a penny|a cent|your money|your funds|a thing)",
        r"\b(?:definitely|certainly|surely) (?:will|be|get|arrive|receive)\b",
    ],
    "waiver": [
        r"\bwaiv(?:e|ed|es|ing|er)\b",
        r"\b(?:we|i)(?:'ll| will| can| are going to)?\s+(?:\w+\s+)?(?:cover|absorb|remove|drop|cancel|reverse)\s+(?:the|your|this|that|any|those)\s+(?:\w+\s+){0,2}?(?:fee|charge|cost|markup)s?\b",
        r"\b(?:won'?t|will not|will never)\s+(?:be\s+)?charge[ds]?\b",
        r"\b(?:no|without any) (?:fee|charge) (?:this time|for you|on this occasion)\b",
        r"\b(?:on the house|as a goodwill gesture|as a one-?off|free of charge this time)\b",
    ],
    "outcome": [
        r"\byour (?:dispute|claim|chargeback|complaint|case|appeal|recall|recovery)\s+(?:will|is going to|should|is sure to)\s+(?:definitely\s+|certainly\s+)?(?:succeed|work|be (?:successful|upheld|approved|accepted|won|resolved in your favou?r))",
        r"\byou(?:'ll| will| are going to)\s+(?:definitely\s+|certainly\s+)?win\b",
        r"\bin your favou?r\b",
        r"\bthe (?:merchant|receiving bank|recipient|(?:financial )?ombudsman(?: service)?|cfpb|bank)\s+(?:will|is going to)\s+"
        r"(?:have to\s+|make us\s+)?(?:refund|pay|return|side with|accept|agree|give|rule for|find for)",
        r"\b(?:will|is going to) (?:definitely |certainly )?(?:be|get) (?:approved|upheld|accepted|overturned)\b",
    ],
    "advice": [
        r"\byou (?:should|ought to) (?:definitely |probably |consider )?"
        r"(?:buy|buying|sell|selling|invest|investing|hodl|put (?:your|some) money into)\b",
        r"\b(?:is|are|makes?|remains?) (?:a |an )?(?:good|great|smart|solid|excellent|safe|sound|wise) "
        r"(?:investment|buy|bet|store of value)\b",
        r"\b(?:(?:price|value) of (?:bitcoin|btc|ethereum|eth|crypto\w*)|bitcoin|btc|ethereum|eth|"
        r"crypto(?:currency|currencies)?|shares?|stocks?) "
        r"(?:will|is going to|are going to|is likely to|are likely to|is expected to|should) (?:probably |likely )?"
        r"(?:go up|rise|increase|grow|gain value|appreciate|moon|recover|double)\b",
        r"\b(?:now is|it'?s|it is|this is) (?:a |the )?(?:good|great|right|perfect) (?:time|moment) to "
        r"(?:buy|sell|invest)\b",
        r"\bi (?:would |'d )?(?:recommend|suggest|advise) "
        r"(?:buying|selling|investing|holding|that you (?:buy|sell|invest))\b",
    ],
}


@functools.lru_cache(maxsize=8)
def _compiled(names: str | None) -> dict[str, list[re.Pattern]]:
    """The patterns with :data:`COMPANY_WORD` as ``names`` (the company's ``Company.alternation``), or
    as nothing at all when it has none."""
    return {kind: [re.compile(p.replace(COMPANY_WORD, names or "(?!)"), re.I) for p in patterns]
            for kind, patterns in _PATTERNS.items()}


# A denial shortly before the phrase, in the same clause: "we cannot refund", "is not guaranteed".
_DENIAL_BEFORE = re.compile(r"(?:\bnot|n't|\bnever|\bcannot|\bno|\bunable to|\bnor)\b[^,.;:]{0,30}$", re.I)
_DENIAL_AFTER = re.compile(r"^\s*(?:not|never)\b", re.I)
# Patterns that are themselves a denial of charging: the denial is the commitment.
_NEGATIVE_FORMS = {"waiver": {2}, "guarantee": {5}}


@dataclass(frozen=True)
class Commitment:
    kind: str  # "refund" | "timeline" | "guarantee" | "waiver" | "outcome" | "advice"
    text: str  # the phrase in the reply
    supported: bool  # a cited source makes the same commitment
    sentence: str = ""
    cited: tuple[int, ...] = ()
    source: int | None = None  # the source that makes it, when supported

    def to_json(self) -> dict:
        return {"kind": self.kind, "text": self.text, "supported": self.supported, "sentence": self.sentence,
                "cited": list(self.cited), "source": self.source}


def _phrases(sentence: str, names: str | None = None) -> list[tuple[str, str]]:
    """(kind, phrase) commitments in one sentence, denials dropped, overlaps kept once per kind."""
    found: list[tuple[str, str]] = []
    for kind, patterns in _compiled(names).items():
        spans: list[tuple[int, int]] = []
        for index, pattern in enumerate(patterns):
            for m in pattern.finditer(sentence):
                if any(a < m.end() and m.start() < b for a, b in spans):
                    continue
                if index not in _NEGATIVE_FORMS.get(kind, ()):
                    if _DENIAL_BEFORE.search(sentence[max(0, m.start() - 40):m.start()]) or (
                            kind == "guarantee" and _DENIAL_AFTER.match(sentence[m.end():])):
                        continue
                spans.append((m.start(), m.end()))
                found.append((kind, m.group(0).strip()))
    return found


def _source_commitments(text: str, names: str | None = None) -> list[tuple[str, str, str]]:
    """(kind, phrase, sentence) for each commitment a source makes."""
    out = []
    for paragraph in re.split(r"\n[ \t]*\n", text[:MAX_REPLY_CHARS]):
        for sentence in split_sentences(paragraph):
            out.extend((kind, phrase, sentence) for kind, phrase in _phrases(sentence, names))
    return out


def _timeline_key(phrase: str) -> set[tuple[str, str | None]]:
    return {(q.value, q.unit) for q in quantities(phrase)}


def _same(kind: str, phrase: str, sentence: str, source_text: str, made: list[tuple[str, str, str]]) -> bool:
    if kind == "timeline":
        wanted = _timeline_key(phrase)
        if wanted:
            have = {(q.value, q.unit) for q in quantities(source_text)}
            return wanted <= have
        words = re.sub(r"^(?:by|before|until)\s+", "", phrase.lower())
        return words in source_text.lower()
    topic = stems(sentence) - stems(phrase)
    for other_kind, _, source_sentence in made:
        if other_kind == kind:
            if not topic or len(topic & stems(source_sentence)) / len(topic) >= SAME_TOPIC:
                return True
    return False


def find_commitments(reply: str, sources: Sequence[str], company: Company | None = None) -> list[Commitment]:
    """Every commitment in the reply, each marked supported or not by its cited sources.
    ``company``: its names promise as "we" do ("Acme will refund you")."""
    names = company.alternation if company is not None else None
    sources = [s or "" for s in (sources or [])]
    parsed = claims(reply or "")
    any_marker = any(c.cited for c in parsed)
    made_by = {}
    out: list[Commitment] = []
    for claim in parsed:
        # A lead-in quoting the FAQ's question ("Here is our answer to “Can I get a refund…?”:")
        # or any other question promises nothing.
        if not claim.checkable or claim.plain.rstrip().endswith("?"):
            continue
        phrases = _phrases(claim.plain, names)
        if not phrases:
            continue
        numbers = [n for n in claim.cited if 1 <= n <= len(sources)]
        if not any_marker:
            numbers = list(range(1, len(sources) + 1))
        for kind, phrase in phrases:
            source = None
            for n in numbers:
                if n not in made_by:
                    made_by[n] = _source_commitments(sources[n - 1], names)
                if _same(kind, phrase, claim.plain, sources[n - 1], made_by[n]):
                    source = n
                    break
            out.append(Commitment(kind, phrase, source is not None, claim.text, tuple(claim.cited), source))
    return out


def unsupported_commitments(reply: str, sources: Sequence[str], company: Company | None = None) -> list[Commitment]:
    return [c for c in find_commitments(reply, sources, company) if not c.supported]
