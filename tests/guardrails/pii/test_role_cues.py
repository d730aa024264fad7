"""A role word without "is" or ":" ("the recipient doesn't see it") is followed by a verb as often as by a
name: after it the first word must look like a name (guardrails/pii/recognizers/person_names.py); a time
word after a greeting never starts one. Real Presidio and the shipped tagger (the ``redactor`` fixture)."""

from __future__ import annotations

import pytest

from guardrails.pii import Redactor


def people(redactor: Redactor, text: str) -> list[str]:
    return [text[e.start:e.end] for e in redactor.redact(text).entities if e.type == "PERSON"]


@pytest.mark.parametrize("text", [
    "The recipient doesn't see the money transaction I made",  # BANKING77's wording: "<doesn't see>" before
    "My beneficiary didn't receive my transfer",
    "Why is this beneficiary being rejected?",
    "I signed up, but don't have a PIN. Where can I find it?",
])
def test_a_verb_after_a_bare_role_is_not_a_name(redactor, text):
    assert people(redactor, text) == []


@pytest.mark.parametrize("text, name", [
    ("recipient john smith, iban below", "john smith"),  # a known first name in lower case
    ("beneficiary Amara Okafor", "Amara Okafor"),  # capitalised
    ("recipient: oluwaseun adeyemi", "oluwaseun adeyemi"),  # a naming cue: any word
    ("the payee is tunde bakare", "tunde bakare"),
])
def test_a_name_after_a_role_stays_redacted(redactor, text, name):
    assert name in people(redactor, text)


@pytest.mark.parametrize("text", [
    "Hi, Today i have withdrawn cash from ATM but i got wrong amount",  # BANKING77's wording: "<Today>" before
    "Hi, Last week I have contacted the seller for a refund",
])
def test_a_time_word_after_a_greeting_is_not_a_name(redactor, text):
    assert people(redactor, text) == []


def test_a_name_after_a_greeting_stays_redacted(redactor):
    assert people(redactor, "Hi, Tomasz here, my card was declined") == ["Tomasz"]
