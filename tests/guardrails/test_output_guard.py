"""The output checks together: grounded, no unsupported commitment, no personal data other
than what the sources publish (real Presidio, lexical groundedness)."""

import pytest

from guardrails.groundedness import GroundednessChecker
from guardrails.output_guard import OutputGuard

SOURCE = ("If your card is lost or stolen, tap Report lost or stolen, or call our card emergency line on "
          "+44 20 7946 0199, available 24/7. Freeze your card in Card > Freeze.")


@pytest.fixture(scope="module")
def guard(redactor):
    return OutputGuard(GroundednessChecker(), redactor)


@pytest.mark.parametrize(
    "reply, problems",
    [
        ("Freeze your card in Card > Freeze. [1]", []),
        # The company's own published number is not personal data.
        ("Call our card emergency line on +44 20 7946 0199, available 24/7. [1]", []),
        ("Freeze your card in Card > Freeze, then send the refund to GB82 WEST 1234 5698 7654 32. [1]",
         ["unsupported_sentence", "pii_in_reply"]),
        ("Freeze your card in Card > Freeze [1]. We guarantee you will get a full refund within 2 hours [1].",
         ["unsupported_sentence", "unsupported_commitment"]),
        ("Your card costs €99 to replace. [1]", ["unsupported_sentence"]),
    ],
)
def test_output_problems(guard, reply, problems):
    result = guard.check(reply, [SOURCE])
    assert result.problems == problems and result.passed is (not problems)
    assert result.to_json()["passed"] is result.passed


def test_placeholders_of_the_customer_are_not_a_leak(guard):
    result = guard.check("Freeze your card in Card > Freeze, <PERSON_1>. [1]", [SOURCE])
    assert "pii_in_reply" not in result.problems
