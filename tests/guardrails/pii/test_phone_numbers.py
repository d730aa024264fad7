"""Phone numbers of many regions, as libphonenumber formats them (the region's own layout)."""

import phonenumbers
import pytest

REGIONS = ["GB", "US", "DE", "FR", "IN", "BR", "JP", "NG", "AU", "AC", "HU", "MX", "ID", "KE", "VN", "CN", "AE", "AR"]
FORMATS = {"international": phonenumbers.PhoneNumberFormat.INTERNATIONAL, "e164": phonenumbers.PhoneNumberFormat.E164,
           "national": phonenumbers.PhoneNumberFormat.NATIONAL}


def example(region: str, fmt: str) -> str:
    number = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    return phonenumbers.format_number(number, FORMATS[fmt])


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("fmt, template", [
    ("international", "{} is my number now"),           # international: no cue needed
    ("e164", "got a weird sms from {} today"),
    ("national", "call me back on {} pls"),             # national: after a cue
    ("national", "Handynummer: {}"),
])
def test_phone_of_every_layout(types_in, region, fmt, template):
    value = example(region, fmt)
    assert types_in(template.format(value)).get(value) == "PHONE_NUMBER"


@pytest.mark.parametrize("region", ["GB", "DE", "FR", "BR", "JP", "NG", "AU", "AR"])
def test_national_phone_after_a_bare_number_cue(types_in, region):
    # "my number is 07400 123456": laid out like a phone, so a phone, not an account number
    value = example(region, "national")
    assert types_in(f"my number is {value}").get(value) == "PHONE_NUMBER"


@pytest.mark.parametrize("text", [
    "I paid 4500 for 12 items",
    "it took 10:45 to 11:30",
    "version 4.12.1 on 12/03/2024",
    "+5.5% since Monday",
    "ticket 5521 closed",
])
def test_not_phones(types_in, text):
    assert "PHONE_NUMBER" not in types_in(text).values()


def test_international_phone_is_one_span_not_an_account(types_in):
    # "+1" and a cued account number were two detections before; the "+1" leaked.
    assert types_in("my number changed to +1 800-212-3456, update it") == {"+1 800-212-3456": "PHONE_NUMBER"}
