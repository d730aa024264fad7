"""Requests for investment advice are told apart from how-to questions in the same words."""

from __future__ import annotations

import json

import pytest

from guardrails.advice import asks_for_advice
from research.paths import RESEARCH
from tests.guardrails import public_data as public

WRITTEN = [json.loads(line) for line in
           (RESEARCH / "guards" / "sets" / "advice_written.jsonl").read_text(encoding="utf-8").splitlines() if line]


@pytest.mark.parametrize("row", WRITTEN, ids=[r["text"][:40] for r in WRITTEN])
def test_written_requests_and_look_alikes(row):
    assert asks_for_advice(row["text"]) is row["advice"]


@pytest.mark.parametrize("text", [
    "should I buy bitcoin in the app or on an exchange?",  # where to buy: a product question
    "is it a good time to buy a premium plan",
    "the crypto price went down right after I bought, why?",
    "will it reach the recipient today?",  # a transfer's future, not a price's
    "will this double charge me?",
    "should I hold it down for five seconds?",
    "will the price of my plan go up next year?",
    "will prices go up in January?",
])
def test_the_hard_look_alikes_stay_routine(text):
    assert not asks_for_advice(text)


def test_no_false_alarm_on_real_customer_messages():
    """Every BANKING77 query and every in-scope CLINC150 query (train and val): none asks for
    advice, and none is flagged (research.guards.advice prints the full table)."""
    texts = public.banking77_all()
    texts += [text for split in ("train", "val") for text, _ in public.clinc_split(split)]
    assert len(texts) > 27_000
    assert [t for t in texts if asks_for_advice(t)] == []
