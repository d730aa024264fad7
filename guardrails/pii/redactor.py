"""Redactor: finds PII with Presidio and replaces it with vault placeholders.

Names come from the MiniLM name tagger (name_tagger.py) plus the cue patterns; spaCy's
small model only tokenizes for Presidio. Measured on the public train parts, its NER
added recall but cost more words than the 0.97 floor allows (research/pii/README.md).
Construction is cheap; `warm_up()` loads spaCy and the tagger (~3 s). Long texts are cut into
overlapping pieces so spaCy never sees more than PIECE_CHARS at once (its cost grows
with length and memory with the doc), while every character is still scanned by the
pattern recognizers; the overlap keeps a value that straddles a cut whole.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from presidio_analyzer import AnalyzerEngine, RecognizerResult

from app.core.vocabulary import written_lower
from guardrails.pii.allow_list import COMPANY_VOCABULARY
from guardrails.pii.cldr_names import currency_names, language_names, names_no_person
from guardrails.pii.name_tagger import NameTagger
from guardrails.pii.recognizers.company_ids import checked_patterns, company_id_recognizers
from guardrails.pii.recognizers.name_edges import tidy_person_span
from guardrails.pii.recognizers.person_names import named_by_cue
from guardrails.pii.vault import PLACEHOLDER_RE, PiiVault

SECRET_TYPES = frozenset({"SEED_PHRASE", "PRIVATE_KEY"})
PIECE_CHARS = 2000
# The name tagger costs about as much as spaCy's NER did (~30 ms per 1,000 chars here);
# beyond this many chars of one text only the patterns run. Names late in a 100k paste
# are the price of not stalling the chat.
NER_MAX_CHARS = 10_000
PIECE_OVERLAP = 300
# Which detection wins when spans overlap: checksummed/secret types beat loose ones
# (a seed phrase over the PERSON spaCy sees in it, an IBAN over the phone number inside).
TYPE_PRIORITY = {
    "SEED_PHRASE": 100, "PRIVATE_KEY": 95, "CRYPTO_WALLET": 90, "CREDIT_CARD": 85, "IBAN_CODE": 85,
    "TRANSACTION_ID": 80, "EMAIL_ADDRESS": 75, "LODESTAR_CUSTOMER_ID": 75, "LODESTAR_TX_REF": 75,
    "US_SSN": 70, "UK_NINO": 70, "US_PASSPORT": 65, "ABA_ROUTING_NUMBER": 60, "ADDRESS": 58,
    "UK_SORT_CODE": 55, "BANK_ACCOUNT": 50, "DATE_OF_BIRTH": 50, "IP_ADDRESS": 50, "PHONE_NUMBER": 45,
    "UK_POSTCODE": 40, "USERNAME": 25, "PERSON": 20,
}
COMPANY_ID_PRIORITY = 75


class KnowledgeWords(Protocol):
    """The knowledge base's own words (app.index.keyword_index.KeywordIndex)."""

    def writes_lower(self, word: str) -> bool:
        """Whether the knowledge base writes ``word`` in lower case in its prose: a term, not a name."""


@dataclass(frozen=True)
class PiiEntity:
    type: str
    start: int
    end: int
    placeholder: str
    score: float


@dataclass
class Redaction:
    text: str
    entities: list[PiiEntity] = field(default_factory=list)

    @property
    def secrets(self) -> list[PiiEntity]:
        """Seed phrases and private keys: the caller should treat these as a security event."""
        return [e for e in self.entities if e.type in SECRET_TYPES]


class Redactor:
    """``name_tagger``: the person-name model run beside spaCy's NER (default: the shipped
    guardrails/pii/name_tagger.onnx; pass ``None`` for spaCy and the cue patterns alone)."""

    def __init__(self, score_threshold: float = 0.4, allow_list: Collection[str] = (),
                 name_tagger: NameTagger | None | str = "default",
                 id_patterns: Mapping[str, str] | None = None) -> None:
        self.score_threshold = score_threshold
        self.allow_list = COMPANY_VOCABULARY | {term.casefold() for term in allow_list}
        # The company's own identifier formats (BEACON_PII_ID_PATTERNS), ranked like the demo's ids.
        self.id_patterns = checked_patterns(id_patterns or {}, frozenset(TYPE_PRIORITY))
        self._priority = {**TYPE_PRIORITY, **{name: COMPANY_ID_PRIORITY for name in self.id_patterns}}
        self.name_tagger = NameTagger() if name_tagger == "default" else name_tagger
        self._analyzer: AnalyzerEngine | None = None
        self._lock = threading.Lock()

    @property
    def company_id_types(self) -> frozenset[str]:
        """The company's identifier types (BEACON_PII_ID_PATTERNS)."""
        return frozenset(self.id_patterns)

    def warm_up(self) -> None:
        with self._lock:
            if self._analyzer is None:
                from guardrails.pii.analyzer import build_analyzer  # imports spaCy: keep it off import time

                if self.name_tagger is not None:
                    self.name_tagger.warm_up()
                language_names(), currency_names()  # CLDR's lists (~50 ms), read here and not on a first turn
                self._analyzer = build_analyzer(company_id_recognizers(self.id_patterns))

    def redact(self, text: str, vault: PiiVault | None = None, knowledge: KnowledgeWords | None = None) -> Redaction:
        return self.redact_batch([text], [vault], knowledge)[0]

    def redact_batch(self, texts: Sequence[str], vaults: Sequence[PiiVault | None] | None = None,
                     knowledge: KnowledgeWords | None = None) -> list[Redaction]:
        """``knowledge``: the help centre's words. A person-name detection of words the customer wrote
        in lower case and the help centre writes in lower case too ("setting up monerod on a vps") is
        one of its terms, not a name, unless a cue says a name follows. A language's or a currency's name ("do
        you speak french", "russian rubles") is never taken for a person's unless a cue says so (``_not_a_name``).
        The allow list (the company's vocabulary: "Chase", "Wise", "Plus") holds no names either, unless a
        cue says one follows ("my name is Chase")."""
        if vaults is not None and len(vaults) != len(texts):
            raise ValueError(f"redact_batch got {len(texts)} texts but {len(vaults)} vaults — pass one vault "
                             "(or None) per text")
        self.warm_up()
        clean = [_as_text(t) for t in texts]
        detections = self._detect(clean, knowledge=knowledge)
        out = []
        for i, text in enumerate(clean):
            vault = vaults[i] if vaults is not None and vaults[i] is not None else PiiVault()
            out.append(_apply(text, detections[i], vault))
        return out

    def detect(self, text: str, ner: bool = True) -> list[RecognizerResult]:
        """Resolved detections without replacing anything. ``ner=False`` skips the name
        tagger and runs the pattern recognizers only, several times faster: enough to
        look for numbers, addresses and ids in a reply."""
        self.warm_up()
        return self._detect([_as_text(text)], ner=ner)[0]

    def _detect(self, texts: list[str], ner: bool = True,
                knowledge: KnowledgeWords | None = None) -> list[list[RecognizerResult]]:
        pieces = [(i, offset, piece) for i, text in enumerate(texts) for offset, piece in _pieces(text)]
        engine = self._analyzer.nlp_engine
        nlp = engine.nlp["en"]
        found: list[list[RecognizerResult]] = [[] for _ in texts]
        for i, offset, piece in pieces:
            # spaCy only tokenizes (Presidio's context words need tokens); names come from the tagger
            artifacts = engine._doc_to_nlp_artifact(nlp.make_doc(piece), "en")
            results = self._analyzer.analyze(piece, "en", nlp_artifacts=artifacts, score_threshold=self.score_threshold)
            if ner and offset < NER_MAX_CHARS and self.name_tagger is not None:
                results += [RecognizerResult("PERSON", s, e, p, recognition_metadata={"recognizer_name": "NameTagger"})
                            for s, e, p in self.name_tagger.spans(piece)]
            taken = [(m.start(), m.end()) for m in PLACEHOLDER_RE.finditer(piece)]
            for r in results:
                start, end = r.start, r.end
                if r.entity_type == "PERSON":  # no cue word at its ends ("Kartennummer"), a title in it
                    tidied = tidy_person_span(piece, start, end)
                    if tidied is None or _not_a_name(piece, *tidied, knowledge):
                        continue
                    start, end = tidied
                # A placeholder is already redacted: "<EMAIL_ADDRESS_1>" holds no address.
                if any(start < b and a < end for a, b in taken):
                    continue
                # The company's vocabulary is no name, unless the customer says it is one: "my name is Chase".
                named = r.entity_type == "PERSON" and named_by_cue(piece, start)
                if named or not self._allowed(piece[start:end]):
                    found[i].append(RecognizerResult(r.entity_type, start + offset, end + offset, r.score))
        return [_tidy_people(text, _resolve(results, self._priority)) for text, results in zip(texts, found)]

    def _allowed(self, value: str) -> bool:
        folded = value.strip(" \t\n.,!?:;'\"()").casefold()
        return folded in self.allow_list or all(w in self.allow_list for w in folded.split()) and bool(folded)


def _not_a_name(text: str, start: int, end: int, knowledge: KnowledgeWords | None) -> bool:
    """Whether a person-name detection names nobody: not after a cue that says a name follows ("my name is
    mark", "my name is english"), and either a language's or a currency's name ("do you speak french", "my
    russian rubles") or the help centre's words (``_knowledge_terms``)."""
    value = text[start:end]
    return not named_by_cue(text, start) and (names_no_person(value) or _knowledge_terms(value, knowledge))


def _knowledge_terms(value: str, knowledge: KnowledgeWords | None) -> bool:
    """Whether a detection is the help centre's words: the customer wrote it in lower case and the help
    centre writes every word of it in lower case too ("setting up monerod", "a signed transaction")."""
    words = written_lower(value) if knowledge is not None else None
    return bool(words) and all(knowledge.writes_lower(w) for w in words)


def _as_text(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    # Lone surrogates (from broken JSON) make spaCy and the regex module raise.
    return str(value).encode("utf-8", errors="replace").decode("utf-8")


def _pieces(text: str) -> list[tuple[int, str]]:
    if len(text) <= PIECE_CHARS:
        return [(0, text)]
    pieces, start = [], 0
    while start < len(text):
        end = min(len(text), start + PIECE_CHARS)
        if end < len(text):  # cut at whitespace so no token is split
            cut = text.rfind(" ", start + PIECE_CHARS // 2, end)
            end = cut if cut > 0 else end
        pieces.append((start, text[start:end]))
        if end >= len(text):
            break
        nxt = text.find(" ", end - PIECE_OVERLAP, end)
        start = nxt + 1 if nxt > start else end
    return pieces


def _resolve(results: list[RecognizerResult], priority: Mapping[str, int] = TYPE_PRIORITY) -> list[RecognizerResult]:
    """One detection per stretch of text, and no character of any detection left out.

    A detection inside a longer one that scores at least as high goes ("+591 800 17 1234"
    is a phone number, not "+591" and a US SSN). Of the rest, the higher-priority type wins
    an overlap but takes in the loser's characters (a card number inside a longer account
    run hides the whole run): redaction errs on the side of hiding. A PERSON loser keeps only
    what comes before the winner ("Margaret Oduya (" before her e-mail address): name models
    put the odd neighbouring word in a span ("customer LS-20481937").
    """
    results = _merge_same_type(results)
    results = [r for r in results if r.entity_type in SECRET_TYPES or not any(
        o is not r and o.start <= r.start and r.end <= o.end and (o.end - o.start) > (r.end - r.start)
        and o.score >= r.score for o in results)]
    ranked = sorted(results, key=lambda r: (-priority.get(r.entity_type, 30), -r.score, r.start - r.end))
    kept: list[RecognizerResult] = []
    for r in ranked:
        overlapping = [k for k in kept if r.start < k.end and k.start < r.end]
        if not overlapping:
            kept.append(RecognizerResult(r.entity_type, r.start, r.end, r.score))
            continue
        winner = overlapping[0]
        if r.entity_type == "PERSON":  # a name model's span running into an e-mail or a number: keep the name
            head = RecognizerResult("PERSON", r.start, min(k.start for k in overlapping), r.score)
            if head.end > head.start and not any(head.start < k.end and k.start < head.end for k in kept):
                kept.append(head)
            continue
        winner.start, winner.end = min(winner.start, r.start), max(winner.end, r.end)
        for other in overlapping[1:]:  # the widened winner may now cover other kept detections
            winner.start, winner.end = min(winner.start, other.start), max(winner.end, other.end)
            kept.remove(other)
    return sorted(kept, key=lambda r: r.start)


def _tidy_people(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
    """A PERSON cut short by _resolve ("j'habite au " before an address) is tidied again."""
    out = []
    for r in results:
        if r.entity_type == "PERSON":
            tidied = tidy_person_span(text, r.start, r.end)
            if tidied is None:
                continue
            r = RecognizerResult("PERSON", tidied[0], tidied[1], r.score)
        out.append(r)
    return out


def _merge_same_type(results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Overlapping detections of one type become their union ("Byrne" + "Aoife Byrne")."""
    merged: list[RecognizerResult] = []
    for r in sorted(results, key=lambda r: (r.entity_type, r.start)):
        last = merged[-1] if merged else None
        if last is not None and last.entity_type == r.entity_type and r.start < last.end:
            last.end, last.score = max(last.end, r.end), max(last.score, r.score)
        else:
            merged.append(RecognizerResult(r.entity_type, r.start, r.end, r.score))
    return merged


def _apply(text: str, results: list[RecognizerResult], vault: PiiVault) -> Redaction:
    parts, entities, cursor = [], [], 0
    for r in results:
        placeholder = vault.placeholder_for(r.entity_type, text[r.start:r.end])
        entities.append(PiiEntity(r.entity_type, r.start, r.end, placeholder, round(r.score, 3)))
        parts += [text[cursor:r.start], placeholder]
        cursor = r.end
    parts.append(text[cursor:])
    return Redaction("".join(parts), entities)
