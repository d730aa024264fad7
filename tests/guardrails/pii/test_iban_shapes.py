"""IBANs of any country, valid or not: the checksum sets the score, not whether it is hidden."""

import pytest

from guardrails.pii.recognizers.iban import CountryLengthIbanRecognizer


@pytest.mark.parametrize("value, valid", [
    ("DE89 3704 0044 0532 0130 00", True),
    ("GB82 WEST 1234 5698 7654 32", True),
    ("SN08 SN01 0015 2000 0485 0000 3035", False),      # Senegal: outside the registry, found by shape
    ("al47212110090000000235698741", True),             # compact, lower case
    ("DE89 3704 0044 0532 0130", False),                # too short for DE
    ("GB96 BARC 2020 1530 0934 591", False),            # too long for GB
    ("XX89 3704 0044 0532 0130 00", False),             # no such country
    ("DEAA 3704 0044 0532 0130 00", False),             # letters for check digits
    ("DE99 3704 0044 0532 0130 00", False),             # wrong check digits
])
def test_any_iban_shape_is_redacted(types_in, value, valid):
    assert types_in(f"please pay {value} today").get(value) == "IBAN_CODE"
    scores = [r.score for r in CountryLengthIbanRecognizer().analyze(f"pay {value} now", None)]
    assert (max(scores) == 1.0) is valid


@pytest.mark.parametrize("text, value", [
    ("my IBAN DE89 3704 0044 0532 0130 00 then", "DE89 3704 0044 0532 0130 00"),  # neither "IBAN" nor "then"
    ("IBAN: gb2l abby 0901 2857 2017 07\nthanks", "gb2l abby 0901 2857 2017 07"),
])
def test_iban_span_is_the_iban_only(types_in, text, value):
    assert types_in(text).get(value) == "IBAN_CODE"


@pytest.mark.parametrize("text", ["this is my card and it works", "ABCD efgh ijkl mnop", "TX12 days left"])
def test_words_are_not_ibans(types_in, text):
    assert "IBAN_CODE" not in types_in(text).values()
