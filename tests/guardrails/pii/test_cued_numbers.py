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
    # compounds and more languages; cues after the run
    ("Kreditkartennummer 6390-3381-5692. Is that ok?", "6390-3381-5692", "CREDIT_CARD"),             # DE
    ("EC-Karte 1234 5678 9012", "1234 5678 9012", "CREDIT_CARD"),                                     # DE
    ("numărul cardului 5555 4444 3333 2222", "5555 4444 3333 2222", "CREDIT_CARD"),                 # RO
    ("αριθμός κάρτας 4000 1234 5678 9010", "4000 1234 5678 9010", "CREDIT_CARD"),                   # GR
    ("nomor kartu 1234567890123456", "1234567890123456", "CREDIT_CARD"),                             # ID
    ("カード番号 4156.7743.1832.4120", "4156.7743.1832.4120", "CREDIT_CARD"),                         # JP
    ("číslo účtu 123456789012", "123456789012", "BANK_ACCOUNT"),                                     # CZ
    ("numer konta 12345678901234", "12345678901234", "BANK_ACCOUNT"),                                # PL
    ("tilinumero 12345678901234", "12345678901234", "BANK_ACCOUNT"),                                 # FI
    ("my bankkonto 12345678", "12345678", "BANK_ACCOUNT"),                                           # DE/NO
    ("4111 1111 1111 1112 is my card number", "4111 1111 1111 1112", "CREDIT_CARD"),                # cue after
    ("1234 5678 9012 <- card", "1234 5678 9012", "CREDIT_CARD"),
    ("Card number:\n4111 1111\n1111 1112", "4111 1111\n1111 1112", "CREDIT_CARD"),                  # over two lines
    ("card: 4683.1963.5710.2207", "4683.1963.5710.2207", "CREDIT_CARD"),                             # dots
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
