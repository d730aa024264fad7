import pytest

from research.pii.values import Values

V = Values(3)
CARD, IBAN = V.card("space"), V.iban("space", "GB")


@pytest.mark.parametrize("text, value, expected", [
    (f"card {CARD} declined", CARD, "CREDIT_CARD"),
    (f"iban {IBAN}", IBAN, "IBAN_CODE"),
    (f"iban {IBAN.lower()}", IBAN.lower(), "IBAN_CODE"),
    (f"iban {IBAN.replace(' ', '')}", IBAN.replace(" ", ""), "IBAN_CODE"),
    # Words after the IBAN must not be read as part of it (the country fixes its length).
    ("the SEPA payment to es20 1405 3235 2691 5956 4190 never arrived", "es20 1405 3235 2691 5956 4190", "IBAN_CODE"),
    ("pay DE89370400440532013000 now", "DE89370400440532013000", "IBAN_CODE"),
    ("sort code 12-34-56 account 31926819", "12-34-56", "UK_SORT_CODE"),
    ("sort code 12-34-56 account 31926819", "31926819", "BANK_ACCOUNT"),
    ("routing number 021000021", "021000021", "ABA_ROUTING_NUMBER"),
    ("customer LS-20481937 here", "LS-20481937", "LODESTAR_CUSTOMER_ID"),
    ("ref TX-8F3K2M9Q1Z charged twice", "TX-8F3K2M9Q1Z", "LODESTAR_TX_REF"),
])
def test_detected(types_in, text, value, expected):
    assert types_in(text).get(value) == expected


BAD_IBAN = V.iban("space", valid=False)


# Issue 12 turned these two from "not detected" into "redacted": a mistyped IBAN or routing
# number after its cue is still the customer's; the failed checksum only lowers the score.
@pytest.mark.parametrize("text, value, expected, below", [
    (f"iban {BAD_IBAN} rejected", BAD_IBAN, "IBAN_CODE", 1.0),
    ("routing number 021000022", "021000022", "ABA_ROUTING_NUMBER", 0.95),
])
def test_failed_checksum_still_redacted(redactor, text, value, expected, below):
    found = [e for e in redactor.redact(text).entities if text[e.start:e.end] == value]
    assert [e.type for e in found] == [expected] and found[0].score < below


@pytest.mark.parametrize("text", [
    f"is {V.bad_card()} valid?", "order 48213377 never came", "I paid €250 on 12/03/2024, 3 days ago",
])
def test_not_detected(types_in, text):
    assert not set(types_in(text).values()) & {"CREDIT_CARD", "IBAN_CODE", "BANK_ACCOUNT", "ABA_ROUTING_NUMBER", "DATE_OF_BIRTH"}
