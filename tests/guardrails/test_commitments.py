"""Unsupported commitments: tables of (reply, sources, expected kinds)."""

from __future__ import annotations

import pytest

from guardrails.commitments import find_commitments, unsupported_commitments

REFUNDS_UK = ("When you tell us about an unauthorised transaction, we will refund it by the end of the next business "
              "day after you report it. If you cancel within 14 days of first subscribing, this is your cooling-off "
              "period and we refund the plan fee you paid in full.")
MERCHANT = "Once it has been sent, it normally takes 3 to 10 business days to appear on your account."
CHARGEBACK = "A chargeback depends on scheme rules and on the evidence, so a refund is not guaranteed."
CRYPTO = "Crypto purchases cannot be refunded once they have been executed."
US_PLAN = "When you cancel, your plan continues until the end of the current billing period and you will not be charged again."


@pytest.mark.parametrize("reply, sources, unsupported", [
    # faithful repeats of the policy
    ("We will refund it by the end of the next business day [1]", [REFUNDS_UK], []),
    ("Cancel within 14 days and we refund the plan fee in full [1]", [REFUNDS_UK], []),
    ("It normally takes 3 to 10 business days to appear [1]", [MERCHANT], []),
    ("You won't be charged again after the billing period ends [1]", [US_PLAN], []),
    # denials are not commitments
    ("A refund is not guaranteed [1]", [CHARGEBACK], []),
    ("Crypto purchases can't be refunded [1]", [CRYPTO], []),
    ("We cannot guarantee the money will come back [1]", [CHARGEBACK], []),
    # no commitment at all
    ("Freeze the card in the app under Card > Freeze [1]", [MERCHANT], []),
    ("", [], []),
    # invented ones
    ("Don't worry, we'll refund your crypto purchase [1]", [CRYPTO], ["refund"]),
    ("It will be in your account within 24 hours [1]", [MERCHANT], ["timeline"]),
    ("It will show up by tomorrow [1]", [MERCHANT], ["timeline"]),
    ("It takes 3 to 5 business days [1]", [MERCHANT], ["timeline"]),
    ("Your refund is guaranteed [1]", [CHARGEBACK], ["guarantee"]),
    ("Your crypto is 100% safe with us [1]", [CRYPTO], ["guarantee"]),
    ("We'll waive the fee this time [1]", [MERCHANT], ["waiver"]),
    ("With that evidence your chargeback will succeed [1]", [CHARGEBACK], ["outcome"]),
    ("The Financial Ombudsman will side with you [1]", [CHARGEBACK], ["outcome"]),
    ("Bitcoin is a good investment right now, so you should buy some [1]", [CRYPTO], ["advice", "advice"]),
    ("The price of bitcoin will go up after the halving [1]", [CRYPTO], ["advice"]),
    ("Now is a great time to sell [1]", [CRYPTO], ["advice"]),
    # the same words about fees and limits advise nothing
    ("Your limit will go up once you verify your identity [1]", [CRYPTO], []),
    ("Prices will rise on 1 July [1]", [MERCHANT], []),  # a fee change, not advice
    ("You should not buy more crypto than you can afford to lose [1]", [CRYPTO], []),
    # the same promise from a source it does not cite is not support
    ("We refund the plan fee in full within 14 days [2]", [REFUNDS_UK, CRYPTO], ["refund", "timeline"]),
])
def test_unsupported_commitments(reply, sources, unsupported):
    assert sorted(c.kind for c in unsupported_commitments(reply, sources)) == sorted(unsupported)


def test_a_reply_without_markers_is_read_against_all_sources():
    assert unsupported_commitments("It normally takes 3 to 10 business days.", [CRYPTO, MERCHANT]) == []


def test_commitment_reports_kind_phrase_and_source():
    [found] = find_commitments("We will refund it by the end of the next business day [1]", [REFUNDS_UK])[:1]
    assert (found.kind, found.supported, found.source) == ("refund", True, 1)
    assert found.to_json()["text"].lower().startswith("we will refund")


@pytest.mark.parametrize("reply, sources", [
    ("we'll refund you [9] [0]", ["a"]),
    ("within 24 hours " * 5000, ["b" * 50_000]),
    ("guaranteed [1]", [None]),
])
def test_odd_input_never_crashes(reply, sources):
    find_commitments(reply, sources)


def test_a_quoted_faq_question_in_the_lead_in_promises_nothing():
    reply = ("Here is our answer to “Can I get a refund if I cancel my Plus plan?”:\n\n"
             "Plans are billed monthly and are not refunded once the month has started. [1]")
    source = "Plans are billed monthly and are not refunded once the month has started."
    assert unsupported_commitments(reply, [source]) == []
