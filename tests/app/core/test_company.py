"""BEACON_COMPANY_NAME: the company a knowledge base belongs to is named where customers read it and
matched where the guards look for it; without it, Beacon names no company (not the demo's)."""

import copy

import pytest

from app.chain.factory import build_redactor
from app.chain.generation.openai_chat import system_prompt
from app.chain.replies import escalation_message, follow_up_message
from app.core.company import COMPANY_WORD, Company
from app.core.settings import Settings
from app.ui.chat import agent_message
from guardrails.commitments import unsupported_commitments
from guardrails.topic_rules import rule_hits

MARLOWE = Company("Marlowe Pay", ("Marlowe",))


def test_settings_give_the_name_and_aliases_longest_first(tmp_path):
    company = Company.from_settings(Settings(data_dir=tmp_path, company_name=" Marlowe ",
                                             company_aliases=["Marlowe Pay", "marlowe", " "]))
    assert company.name == "Marlowe" and company.names == ("Marlowe Pay", "Marlowe")
    assert Company.from_settings(Settings(data_dir=tmp_path)) == Company()


def test_without_a_name_nobody_is_named():
    neutral = Company()
    assert (neutral.page_title, neutral.team, neutral.staff, neutral.account) == (
        "Support", "support team", "our staff", "your account")
    assert neutral.names == () and neutral.mark("from lodestar") == "from lodestar"
    assert "Lodestar" not in system_prompt() and "a customer support assistant" in system_prompt()


def test_mentions_are_marked_whole_words_any_case_and_spacing():
    assert MARLOWE.mark("a text from MARLOWE  pay, then marlowe's app") == (
        f"a text from {COMPANY_WORD}, then {COMPANY_WORD}'s app")
    assert MARLOWE.mark("marlowepay and the marlowes") == "marlowepay and the marlowes"


@pytest.mark.parametrize("category, named, neutral", [
    ("prompt_injection", "about your Marlowe Pay account", "about your account"),
    ("secret_exposed", "including Marlowe Pay staff", "including our staff"),
])
def test_handoff_replies_name_the_company_only_when_it_has_a_name(category, named, neutral):
    assert named in escalation_message(category, "HO-1", company=MARLOWE)
    reply = escalation_message(category, "HO-1")
    assert neutral in reply and "Lodestar" not in reply
    assert named in follow_up_message(category, "HO-1", agent_owns=False, company=MARLOWE)


def test_the_llm_is_told_whose_assistant_it_is():
    assert system_prompt(MARLOWE).startswith("You are Beacon, the customer support assistant of Marlowe Pay.")


def test_an_agents_reply_is_signed_with_the_companys_team():
    message = agent_message({"by": "sam", "text": "Hello"}, MARLOWE.team)
    assert message["content"].startswith("**sam · Marlowe Pay support team**")


@pytest.mark.parametrize("text", [
    "someone called me saying they were from marlowe pay and asked for my code",
    "got a text from Marlowe asking me to confirm my login, i clicked it",
])
def test_the_topic_cues_match_the_companys_names(text):
    assert rule_hits(text, MARLOWE)["fraud_scam"] > rule_hits(text)["fraud_scam"]


def test_a_refund_promised_in_the_companys_name_is_a_commitment():
    reply = "Marlowe will refund the payment to you. [1]"
    source = "Card payments can be disputed in the app."
    assert [c.kind for c in unsupported_commitments(reply, [source], MARLOWE)] == ["refund"]
    assert unsupported_commitments(reply, [source]) == []


def test_the_companys_names_are_never_redacted(redactor, tmp_path):
    configured = copy.copy(redactor)  # the loaded Presidio engine, with the settings' allow list
    configured.allow_list = build_redactor(Settings(data_dir=tmp_path, company_name="Marlowe Pay",
                                                    company_aliases=["Marlowe"])).allow_list
    text = "Is this message really from Marlowe? My name is Anna Marlowe"
    assert redactor.redact(text).text.startswith("Is this message really from <PERSON_1>?")
    assert configured.redact(text).text == "Is this message really from Marlowe? My name is <PERSON_1>"
