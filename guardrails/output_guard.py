"""The output guardrails: a reply reaches the customer only if every factual sentence is
supported by a cited source, it makes no commitment the sources do not make, it carries
no personal data other than the customer's own placeholders, and it links only to sites its
sources name (guardrails/links.py).

Contact details the knowledge base itself publishes (the card emergency line, the help
e-mail address) are not personal data: a value found in a source is allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from app.core.company import Company
from guardrails.links import unsupported_links
from guardrails.normalize import normalize

# Types worth stopping a reply for. Names, places and dates found by the NER model in
# help-centre prose are mostly noise; a number that identifies a person or an account is not.
BLOCKING_PII = frozenset({
    "CREDIT_CARD", "IBAN_CODE", "CRYPTO_WALLET", "SEED_PHRASE", "PRIVATE_KEY", "BANK_ACCOUNT", "ABA_ROUTING_NUMBER",
    "UK_SORT_CODE", "LODESTAR_CUSTOMER_ID", "LODESTAR_TX_REF", "TRANSACTION_ID", "EMAIL_ADDRESS", "PHONE_NUMBER",
    "US_SSN", "UK_NINO", "ADDRESS", "UK_POSTCODE", "IP_ADDRESS", "US_PASSPORT", "DATE_OF_BIRTH",
})
_SPACE = re.compile(r"\s+")
_CITATION = re.compile(r"\s*\[\d+\]")
_WORD = re.compile(r"\w+")


def _squash(text: str) -> str:
    return _SPACE.sub("", text).lower()


def _published(value: str, entity_type: str, published: str, words: set[str]) -> bool:
    """A value the sources themselves carry. An address may come out of the reply joined across
    lines, code or markup the source had in between, so for addresses every word being in the
    sources is enough; numbers must appear as they are."""
    if _squash(value) in published:
        return True
    return entity_type == "ADDRESS" and all(word in words for word in _WORD.findall(value.lower()))


@dataclass
class OutputCheck:
    # "unsupported_sentence", "unsupported_commitment", "pii_in_reply", "unsupported_link"
    problems: list[str] = field(default_factory=list)
    groundedness: object | None = None  # guardrails.groundedness.GroundednessReport
    commitments: list = field(default_factory=list)
    pii_types: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # web addresses on a site no source names

    @property
    def passed(self) -> bool:
        return not self.problems

    def to_json(self) -> dict:
        report = self.groundedness
        return {
            "passed": self.passed,
            "problems": self.problems,
            "support_rate": round(report.support_rate, 4) if report is not None else None,
            "unsupported": [s.to_json() for s in report.unsupported()] if report is not None else [],
            "commitments": [c.to_json() for c in self.commitments],
            "pii_types": self.pii_types,
            "unsupported_links": self.links,
        }


class OutputGuard:
    def __init__(self, groundedness, redactor, company: Company | None = None) -> None:
        self.groundedness = groundedness
        self.redactor = redactor
        self.company = company
        # The company's identifier types (BEACON_PII_ID_PATTERNS) stop a reply like the built-in ones.
        self._blocking = BLOCKING_PII | getattr(redactor, "company_id_types", frozenset())

    def warm_up(self) -> None:
        self.redactor.warm_up()

    def check(self, reply: str, sources: Sequence[str], links: Sequence[str] = ()) -> OutputCheck:
        """``links``: the web addresses the sources link to (ingest keeps them beside the text)."""
        from guardrails.commitments import unsupported_commitments

        result = OutputCheck()
        result.groundedness = self.groundedness.check(reply, sources)
        if not result.groundedness.grounded:
            result.problems.append("unsupported_sentence")
        result.commitments = unsupported_commitments(reply, sources, self.company)
        if result.commitments:
            result.problems.append("unsupported_commitment")
        result.links = unsupported_links(reply, sources, links)
        if result.links:
            result.problems.append("unsupported_link")
        # A link the sources give is theirs too: a number in its address is no customer's.
        published = _squash(" ".join([*sources, *links]))
        # Citation markers are not content: a span that ran into "[1]" would not be found in its source.
        text = normalize(_CITATION.sub(" ", reply)).text
        # Names are not among the blocking types, so spaCy's NER is skipped (30 ms -> a few).
        words = set(_WORD.findall(" ".join(sources).lower()))
        leaked = {r.entity_type for r in self.redactor.detect(text, ner=False)
                  if r.entity_type in self._blocking and not _published(text[r.start:r.end], r.entity_type, published,
                                                                       words)}
        if leaked:
            result.pii_types = sorted(leaked)
            result.problems.append("pii_in_reply")
        return result
