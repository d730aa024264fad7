"""How overlapping detections become one redaction (redactor._resolve), as a table."""

import pytest
from presidio_analyzer import RecognizerResult

from guardrails.pii.redactor import _resolve


def R(entity, start, end, score):
    return RecognizerResult(entity, start, end, score)


@pytest.mark.parametrize("detections, expected", [
    # a longer detection that scores at least as high swallows the one inside it
    ([R("PHONE_NUMBER", 0, 16, 1.0), R("US_SSN", 5, 16, 0.5)], [("PHONE_NUMBER", 0, 16)]),
    # otherwise the higher-priority type wins the overlap but takes in the other's characters
    ([R("CREDIT_CARD", 0, 19, 1.0), R("BANK_ACCOUNT", 0, 23, 0.8)], [("CREDIT_CARD", 0, 23)]),
    # a PERSON running into an e-mail address keeps only its part before it
    ([R("PERSON", 0, 20, 0.9), R("EMAIL_ADDRESS", 16, 40, 1.0)], [("PERSON", 0, 16), ("EMAIL_ADDRESS", 16, 40)]),
    # a PERSON inside an address is part of the address
    ([R("ADDRESS", 0, 30, 0.85), R("PERSON", 10, 20, 0.85)], [("ADDRESS", 0, 30)]),
    # same type, overlapping: their union
    ([R("PERSON", 0, 5, 0.7), R("PERSON", 3, 12, 0.9)], [("PERSON", 0, 12)]),
    # secrets are never swallowed, even by a longer detection
    ([R("SEED_PHRASE", 5, 60, 1.0), R("ADDRESS", 0, 70, 1.0)], [("SEED_PHRASE", 0, 70)]),
    ([], []),
])
def test_resolve(detections, expected):
    assert [(r.entity_type, r.start, r.end) for r in _resolve(detections)] == expected
