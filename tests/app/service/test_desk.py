"""The agents' desk on the real service: a conversation that left memory (a restart, an idle
tab) keeps its placeholders' meaning and its open ticket; a resumed conversation shows the
customer's details as words."""

from __future__ import annotations

import pytest

from app.service.beacon_service import ChatRequest
from app.service.desk import mask, placeholders_in
from tests.app.ui import demo_service

VAULT_KEY = "OIY3xRWdpztP3PieYIUcPRyaUTWBggitUEkI5aY1mCc="  # tests only


@pytest.fixture(scope="module")
def services(tmp_path_factory, demo_index, embedder, redactor):
    keyed = demo_service(tmp_path_factory.mktemp("desk-key"), demo_index, embedder, redactor, vault_key=VAULT_KEY)
    keyless = demo_service(tmp_path_factory.mktemp("desk-nokey"), demo_index, embedder, redactor)
    return {"key": keyed, "no key": keyless}


@pytest.mark.parametrize("which", ["key", "no key"])
def test_after_a_restart_placeholders_keep_their_meaning_and_the_ticket_its_messages(services, which):
    service = services[which]
    first = service.chat(ChatRequest("desk-restart", "my account was hacked, email me at ann.first@example.com"))
    ticket_id = first.escalation["ticket_id"]
    service.chain.sessions.forget("desk-restart")  # the server restarted: nothing in memory
    again = service.chat(ChatRequest("desk-restart", "or write to ann.second@example.com, and ann.first@example.com"))
    assert again.escalation["ticket_id"] == ticket_id and again.escalation["joined"] is True
    assert "new_session" not in again.flags
    placeholders = [p["placeholder"] for p in again.pii]
    if which == "key":  # the sealed values came back: the first address is still <EMAIL_ADDRESS_1>
        assert placeholders == ["<EMAIL_ADDRESS_2>", "<EMAIL_ADDRESS_1>"]
    else:  # unknown, but its number is taken: the second address cannot be mistaken for it
        assert placeholders[0] == "<EMAIL_ADDRESS_2>" and "<EMAIL_ADDRESS_1>" not in placeholders
    ticket = service.handoff(ticket_id)
    assert ticket["transcript"][-2]["text"].startswith("or write to <EMAIL_ADDRESS_2>")


def test_an_agent_reply_after_a_restart_keeps_the_customers_own_address(services):
    service = services["key"]
    ticket_id = service.chat(ChatRequest("desk-reply", "I was scammed, email bea.owner@example.com")
                             ).escalation["ticket_id"]
    service.chain.sessions.forget("desk-reply")
    sent = service.desk.send(ticket_id, "We wrote to bea.owner@example.com.", "alice")
    assert sent["message"]["text"] == "We wrote to <EMAIL_ADDRESS_1>."
    assert service.desk.messages_for_customer("desk-reply")[0]["text"] == "We wrote to bea.owner@example.com."
    assert service.desk.messages_for_customer("desk-reply", masked=True)[0]["text"] == "We wrote to [your e-mail address]."


def test_a_seed_phrase_is_never_sent(services):
    from app.service.desk import AgentMessageError

    service = services["no key"]
    ticket_id = service.chat(ChatRequest("desk-seed", "can I speak to a human")).escalation["ticket_id"]
    seed = "abandon ability able about above absent absorb abstract absurd abuse access accident"
    with pytest.raises(AgentMessageError, match="recovery phrase"):
        service.desk.send(ticket_id, f"your phrase is {seed}", "alice")


@pytest.mark.parametrize("text, shown", [
    ("write to <EMAIL_ADDRESS_1>", "write to [your e-mail address]"),
    ("<PERSON_2> and <WEIRD_TYPE_1>", "[a name] and [a detail you shared]"),
    ("no placeholder <b>", "no placeholder <b>"),
])
def test_mask(text, shown):
    assert mask(text) == shown


def test_placeholders_in_order_each_once():
    assert placeholders_in(["a <PERSON_1> b <EMAIL_ADDRESS_1>", "<PERSON_1> <IBAN_CODE_2>", None]) == [
        "<PERSON_1>", "<EMAIL_ADDRESS_1>", "<IBAN_CODE_2>"]


def test_the_vault_exports_and_takes_back_its_values():
    from guardrails.pii.vault import PiiVault

    vault = PiiVault()
    email = vault.placeholder_for("EMAIL_ADDRESS", "a@example.com")
    person = vault.placeholder_for("PERSON", "Ann Lee")
    assert vault.entries() == [(email, "EMAIL_ADDRESS", "a@example.com"), (person, "PERSON", "Ann Lee")]
    back = PiiVault()
    for entry in vault.entries():
        back.adopt(*entry)
    back.reserve("<EMAIL_ADDRESS_4>")
    back.reserve("not a placeholder")
    assert back.placeholder_for("EMAIL_ADDRESS", "A@example.com ") == email  # the same value, normalised
    assert back.placeholder_for("EMAIL_ADDRESS", "b@example.com") == "<EMAIL_ADDRESS_5>"
    assert back.restore(f"{person} {email}") == "Ann Lee a@example.com" and "Ann" not in repr(back)
