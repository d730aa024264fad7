"""Card and account numbers after a cue: 8-19 digits, any grouping, Luhn or not."""

import pytest

LUHN_16, BAD_16 = "4111 1111 1111 1111", "4111 1111 1111 1112"


@pytest.mark.parametrize("text, value, expected", [
    (f"my card {LUHN_16} got declined", LUHN_16, "CREDIT_CARD"),
    (f"my card {BAD_16} got declined", BAD_16, "CREDIT_CARD"),            # mistyped: still a card
    ("card number 6267-7898-1521-86 pls block", "6267-7898-1521-86", "CREDIT_CARD"),
    ("cc 12345678 was charged twice", "12345678", "CREDIT_CARD"),
    ("Kartennummer 1080 1257 4601 1472 84, bitte sperren", "1080 1257 4601 1472 84", "CREDIT_CARD"),
    ("numéro de carte 3790 2455 0018 0270 refusé", "3790 2455 0018 0270", "CREDIT_CARD"),
    ("número de tarjeta 5500-0000-0000-0004", "5500-0000-0000-0004", "CREDIT_CARD"),
    ("acct no. 8640-6921-841 - check it", "8640-6921-841", "BANK_ACCOUNT"),
    ("account number 2490 4458 0448", "2490 4458 0448", "BANK_ACCOUNT"),
    ("Kontonummer 0532013000", "0532013000", "BANK_ACCOUNT"),
    ("rekeningnummer 417164300", "417164300", "BANK_ACCOUNT"),
    ("routing number 6068 2786", "6068 2786", "ABA_ROUTING_NUMBER"),
    ("no. 30569309025904 is on the back", "30569309025904", "CREDIT_CARD"),  # Luhn-valid after a bare "no."
])
def test_cued_runs(types_in, text, value, expected):
    assert types_in(text).get(value) == expected


@pytest.mark.parametrize("text", [
    "I paid 1,234.56 on 2024-03-12 for the card",      # amounts and dates are not card numbers
    "card expires 12-03-2027",
    "my card was declined 3 times on 12345",          # 5 digits: too short
    "48213377 is what the shop said",                  # no cue
])
def test_not_cued_numbers(types_in, text):
    assert not {"CREDIT_CARD", "BANK_ACCOUNT", "ABA_ROUTING_NUMBER"} & set(types_in(text).values())
