"""A company's own identifier formats (BEACON_PII_ID_PATTERNS) are redacted, ranked over loose
types, kept out of replies, and a bad entry stops the start with its fix (real Presidio)."""

from __future__ import annotations

import pytest

from app.chain.factory import build_redactor
from app.core.errors import ConfigError
from app.core.settings import Settings
from guardrails.groundedness import GroundednessChecker
from guardrails.output_guard import OutputGuard

PATTERNS = {"ACME_CUSTOMER_ID": r"AC-?\d{8}", "ACME_ORDER_REF": r"ORD-[A-Z0-9]{6}"}


@pytest.fixture(scope="module")
def acme():
    return build_redactor(Settings(pii_id_patterns=PATTERNS))


@pytest.mark.parametrize(("text", "redacted"), [
    ("my customer number is AC-20481937, order ORD-7K2M9Q",
     "my customer number is <ACME_CUSTOMER_ID_1>, order <ACME_ORDER_REF_1>"),
    ("ac20481937 here, where is ord-7k2m9q?", "<ACME_CUSTOMER_ID_1> here, where is <ACME_ORDER_REF_1>?"),
    # a whole word only: not inside a longer code
    ("the code FAC-12345678X from the box", "the code FAC-12345678X from the box"),
    # the demo's formats stay on beside the company's
    ("LS-20481937 and AC-20481937", "<LODESTAR_CUSTOMER_ID_1> and <ACME_CUSTOMER_ID_1>"),
])
def test_the_companys_identifiers_are_redacted(acme, text, redacted):
    assert acme.redact(text).text == redacted


def test_an_identifier_wins_over_a_looser_type_in_it(acme, redactor):
    text = "my account number: AC-20481937"
    assert [e.type for e in redactor.redact(text).entities] == ["BANK_ACCOUNT"]  # the digits, without the setting
    assert acme.redact(text).text == "my account number: <ACME_CUSTOMER_ID_1>"


def test_without_the_setting_nothing_changes(redactor):
    assert redactor.redact("my customer number is AC-20481937").text == "my customer number is AC-20481937"


def test_a_reply_that_shows_someone_elses_identifier_is_stopped(acme):
    guard = OutputGuard(GroundednessChecker(), acme)
    source = "You can track an order under Orders in the app."
    check = guard.check("You can track order ORD-9X8Y7Z under Orders in the app. [1]", [source])
    assert "pii_in_reply" in check.problems and check.pii_types == ["ACME_ORDER_REF"]
    assert guard.check("You can track an order under Orders in the app. [1]", [source]).problems == []


@pytest.mark.parametrize(("patterns", "fix"), [
    ({"acme id": r"\d{8}"}, "3-40 capitals"),
    ({"CREDIT_CARD": r"\d{16}"}, "ACME_CREDIT_CARD"),
    ({"ACME_ID": "AC-(\\d{8}"}, "not a regular expression"),
    ({"ACME_ID": r"\d*"}, "matches empty text"),
    ({"ACME_ID": "  "}, "the pattern is empty"),
])
def test_a_bad_entry_stops_the_start_with_its_fix(patterns, fix):
    with pytest.raises(ConfigError, match="BEACON_PII_ID_PATTERNS") as raised:
        build_redactor(Settings(pii_id_patterns=patterns))
    assert fix in str(raised.value)


def test_the_setting_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("BEACON_PII_ID_PATTERNS", '{"ACME_CUSTOMER_ID": "AC-?\\\\d{8}"}')
    assert Settings().pii_id_patterns == {"ACME_CUSTOMER_ID": r"AC-?\d{8}"}


def test_one_identifier_typed_two_ways_is_one_placeholder(acme):
    from app.chain.factory import vault_factory
    from guardrails.pii import PiiVault

    vault = vault_factory(Settings(pii_id_patterns=PATTERNS), PiiVault)()
    first = acme.redact("my number is AC-20481937", vault).text
    again = acme.redact("did you get ac20481937?", vault).text
    assert first.endswith("<ACME_CUSTOMER_ID_1>") and again == "did you get <ACME_CUSTOMER_ID_1>?"
    assert vault.restore(again) == "did you get AC-20481937?"  # the value as first written
