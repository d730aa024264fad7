"""Requests for a person, in several phrasings and languages, and the look-alikes about other people."""

from __future__ import annotations

import pytest

from guardrails.human_request import asks_for_human


@pytest.mark.parametrize(
    "text",
    [
        "can I speak to someone",
        "get me an agent",
        "this bot is useless, a real person please",
        "I'd like to talk to customer service",
        "transfer me to a live representative please",
        "Can a person call me back?",
        "no more bot. human.",
        "is there anyone real I can talk to",
        "Could someone from your team contact me?",
        "quiero hablar con un agente",
        "je voudrais parler à un conseiller",
        "kann ich mit einem Mitarbeiter sprechen?",
        "posso falar com um atendente?",
        "voglio parlare con un operatore",
        "соедините меня с оператором",
        "转人工",
    ],
)
def test_requests_for_a_person_are_recognised(text):
    assert asks_for_human(text)


@pytest.mark.parametrize(
    "text",
    [
        "can someone else use my card?",
        "How do I add a person to my account?",
        "what does an agent cost",
        "the agent fee for my flat purchase",
        "call mom",
        "what name do you call me by",
        "are you a real person or an ai?",
        "how long does it take for the money to reach a person by transfer",
        "can I get a human-readable export of my transactions",
        "my phone number changed, how do I update it",
        "I got a call from someone claiming to be you",
    ],
)
def test_look_alikes_are_not_requests(text):
    assert not asks_for_human(text)
