"""The escalation policy as a table: signals in, decision out."""

from dataclasses import dataclass

import pytest

from guardrails.escalation import CATEGORIES, CATEGORY_PRIORITY, PRIORITIES, EscalationPolicy, Signals, asks_for_human, is_vague


@dataclass(frozen=True)
class Topic:
    category: str
    score: float = 0.9


POLICY = EscalationPolicy(threshold=0.6, caution_margin=0.1)


@pytest.mark.parametrize(
    "signals, action, category, priority, reasons",
    [
        (Signals(confidence=0.9), "answer", None, None, ()),
        (Signals(confidence=0.65), "answer_with_caution", None, None, ("borderline_confidence",)),
        (Signals(confidence=0.3), "escalate", "unanswered", "low", ("low_confidence",)),
        (Signals(confidence=0.3, vague=True), "clarify", None, None, ("low_confidence", "vague_question")),
        # Asked to clarify once already: a second vague, unanswerable turn goes to a person.
        (Signals(confidence=0.3, vague=True, clarified_before=True), "escalate", "unanswered", "low",
         ("low_confidence",)),
        (Signals(confidence=0.95, topics=[Topic("lost_stolen_device")]), "escalate", "lost_stolen_device", "high",
         ("topic:lost_stolen_device",)),
        (Signals(confidence=0.95, topics=[Topic("complaint"), Topic("fraud_scam")]), "escalate", "fraud_scam",
         "urgent", ("topic:complaint", "topic:fraud_scam")),
        (Signals(confidence=0.95, secrets=["SEED_PHRASE"]), "escalate", "secret_exposed", "urgent",
         ("secret_in_message",)),
        (Signals(confidence=0.95, injection=True), "escalate", "prompt_injection", "normal", ("prompt_injection",)),
        (Signals(confidence=0.95, human_requested=True), "escalate", "human_requested", "normal",
         ("human_requested",)),
        # A topic outranks the request for a person when choosing the queue; both reasons stay.
        (Signals(confidence=0.95, human_requested=True, topics=[Topic("account_takeover")]), "escalate",
         "account_takeover", "urgent", ("topic:account_takeover", "human_requested")),
        (Signals(confidence=0.95, output_problems=["unsupported_sentence"]), "escalate", "answer_check_failed",
         "normal", ("output:unsupported_sentence",)),
        (Signals(confidence=None), "escalate", "unanswered", "low", ("low_confidence",)),
    ],
)
def test_policy_decisions(signals, action, category, priority, reasons):
    decision = POLICY.decide(signals)
    assert (decision.action, decision.category, decision.priority, decision.reasons) == (action, category, priority,
                                                                                         reasons)
    assert decision.to_json()["action"] == action


def test_input_decision_is_none_without_an_input_signal():
    assert POLICY.input_decision(Signals(confidence=0.1)) is None


def test_every_category_has_a_known_priority():
    assert set(CATEGORY_PRIORITY.values()) <= set(PRIORITIES) and len(CATEGORIES) == 12


@pytest.mark.parametrize(
    "text, expected",
    [
        ("can I talk to a human?", True),
        ("I want to speak to someone about this", True),
        ("agent", True),
        ("real person please", True),
        ("please call me back", True),
        ("put me through to a person", True),
        ("what does an agent cost", False),
        ("How do I add a person to my account?", False),
        ("I need to talk to my bank", False),
        ("How do I call you from abroad?", False),
    ],
)
def test_explicit_request_for_a_person(text, expected):
    assert asks_for_human(text) is expected


@pytest.mark.parametrize(
    "text, expected",
    [("card?", True), ("help with fees", True), ("hello", True), ("what are ATM fees in the EU?", False),
     ("How do I freeze my card?", False)],
)
def test_vague_questions(text, expected):
    assert is_vague(text) is expected


def test_every_escalation_category_and_topic_is_documented():
    from pathlib import Path

    from guardrails.topics import CATEGORIES as TOPICS

    readme = (Path(__file__).resolve().parents[2] / "docs" / "guardrails.md").read_text()
    rows = {line.split("|")[1].strip().strip("`") for line in readme.splitlines() if line.startswith("| `")}
    assert set(CATEGORIES) - rows == set(), "document these escalation categories in docs/guardrails.md"
    assert set(TOPICS) <= set(CATEGORIES)
    for category, priority in CATEGORY_PRIORITY.items():
        assert f"| `{category}` | {priority} |" in readme, f"docs/guardrails.md: {category} should be listed as {priority}"


def test_of_two_urgent_topics_the_more_confident_names_the_ticket_and_a_secret_in_the_message_wins():
    from guardrails.topics import TopicScore
    policy = EscalationPolicy(threshold=0.5)
    scam_first = [TopicScore("secret_exposed", 0.60), TopicScore("fraud_scam", 0.95)]
    assert policy.input_decision(Signals(topics=scam_first)).category == "fraud_scam"
    assert policy.input_decision(Signals(topics=scam_first + [TopicScore("lost_stolen_device", 0.99)])).category == "fraud_scam"
    assert policy.input_decision(Signals(topics=scam_first, secrets=["CRYPTO_SEED_PHRASE"])).category == "secret_exposed"


@pytest.mark.parametrize(
    "signals, confidence, expected",
    [
        (Signals(topics=[Topic("lost_stolen_device")]), 0.9, True),
        (Signals(topics=[Topic("fraud_scam"), Topic("complaint")]), 0.6, True),  # at the threshold: as for an answer
        (Signals(topics=[Topic("unauthorised_transaction")]), 0.59, False),  # retrieval not confident enough
        (Signals(topics=[Topic("vulnerable_customer")]), 0.95, False),  # a person first, not an article
        (Signals(topics=[Topic("complaint"), Topic("vulnerable_customer")]), 0.95, False),
        (Signals(topics=[Topic("fraud_scam")], secrets=["SEED_PHRASE"]), 0.95, False),  # a secret in the message
        (Signals(topics=[Topic("account_takeover")], injection=True), 0.95, False),
        (Signals(topics=[Topic("account_takeover")], human_requested=True), 0.95, False),  # asked for a person
        (Signals(injection=True), 0.95, False),
        (Signals(human_requested=True), 0.95, False),
    ],
)
def test_which_handoffs_carry_the_help_centres_answer(signals, confidence, expected):
    decision = POLICY.input_decision(signals)
    assert decision is not None and decision.escalate
    assert POLICY.answers_alongside(decision, confidence) is expected


def test_answering_alongside_a_handoff_can_be_switched_off():
    decision = POLICY.input_decision(Signals(topics=[Topic("lost_stolen_device")]))
    off = EscalationPolicy(threshold=0.6, caution_margin=0.1, answer_alongside=False)
    assert POLICY.answers_alongside(decision, 0.9) and not off.answers_alongside(decision, 0.9)
    # Only a handoff the input forced carries it: a low-confidence handoff has no answer to give.
    assert not POLICY.answers_alongside(POLICY.decide(Signals(confidence=0.2)), 0.9)
