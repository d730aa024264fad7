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


@pytest.mark.parametrize("source, reply, leaked", [
    # The source's own address, reached across a code block the reply left out: every word is published.
    ("Send it to our office at 221 Baker Street, London NW1 6XE.\n```\nexample\n```",
     "Send it to our office at 221 Baker Street,\n\nLondon NW1 6XE. [1]", False),
    # An address the sources never give is a leak, however it is written.
    ("Send it to our office.", "Send it to our office at 221 Baker Street, London NW1 6XE. [1]", True),
    # A citation marker next to a published value does not make it unpublished.
    ("Call our card emergency line on +44 20 7946 0199.", "Call our card emergency line on +44 20 7946 0199 [1].",
     False),
])
def test_what_the_sources_publish_is_not_a_leak(guard, source, reply, leaked):
    assert ("pii_in_reply" in guard.check(reply, [source]).problems) is leaked


GUIDE = "https://help.example.com/cards/7946-0199-freeze"  # a number in the address that reads as a phone number


@pytest.mark.parametrize(
    "reply, problems, unsupported",
    [
        # The source's own link, given where its text is: the sentence is checked without the address.
        (f"Freeze your card in [Card > Freeze]({GUIDE}). [1]", [], []),
        # A link text with a colon in it is one sentence with its address (Monero's "Episode 07: Remote Nodes").
        (f"For more information see [Card help: Freeze]({GUIDE}) [2]", [], []),
        ("Freeze your card in [Card > Freeze](https://lodestar-card-help.com/freeze). [1]", ["unsupported_link"],
         ["https://lodestar-card-help.com/freeze"]),
    ],
)
def test_a_reply_links_only_to_sites_its_sources_name(guard, reply, problems, unsupported):
    result = guard.check(reply, [SOURCE, "For more information see Card help: Freeze"], [GUIDE])
    assert result.problems == problems
    assert result.to_json()["unsupported_links"] == unsupported
